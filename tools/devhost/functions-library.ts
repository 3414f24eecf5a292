// The classes of "@azure/functions" as values: its CommonJS bundle exposes them to native ESM only on the default export.
import functionsLibrary from '@azure/functions';

/**
 * `HttpRequest`, `HttpResponse` and `InvocationContext` from "@azure/functions". Node's ESM loader cannot
 * see them as named exports of the webpack bundle (only `app` and a few others are), so they are taken
 * from the default export, which is the bundle's `module.exports`.
 */
export const { HttpRequest, HttpResponse, InvocationContext } = functionsLibrary;
