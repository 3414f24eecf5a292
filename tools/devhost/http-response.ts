// Converts what an HTTP handler returned into bytes on the wire.
import type { ServerResponse } from 'node:http';
import type { HttpResponse as HttpResponseType } from '@azure/functions';
import { HttpResponse } from './functions-library.js';

/**
 * Normalises a handler's result: an `HttpResponse` as is, an `HttpResponseInit` wrapped, nothing as 204.
 * @throws {Error} when the result is not an object (the library's own rule, src/converters/toRpcHttp.ts).
 */
export function toHttpResponse(result: unknown): HttpResponseType {
    if (result === undefined || result === null) return new HttpResponse({ status: 204 });
    if (result instanceof HttpResponse) return result;
    if (typeof result !== 'object') {
        throw new Error(
            'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies"',
        );
    }
    return new HttpResponse(result);
}

/** Writes status, headers and body of `response` to the socket and ends it. The app sets no cookies, so `cookies` are not written. */
export async function writeHttpResponse(res: ServerResponse, response: HttpResponseType): Promise<void> {
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
}
