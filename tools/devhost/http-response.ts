// Converts what an HTTP handler returned into bytes on the wire, cookies included.
import type { ServerResponse } from 'node:http';
import type { Cookie, HttpResponse as HttpResponseType } from '@azure/functions';
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

/**
 * Serialises a cookie as a `Set-Cookie` value.
 * @example serializeCookie({ name: 'a', value: 'b', httpOnly: true }) // 'a=b; HttpOnly'
 */
export function serializeCookie(cookie: Cookie): string {
    const parts = [`${cookie.name}=${cookie.value}`];
    if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
    if (cookie.path !== undefined) parts.push(`Path=${cookie.path}`);
    if (cookie.expires !== undefined) {
        const expires = typeof cookie.expires === 'number' ? new Date(cookie.expires) : cookie.expires;
        parts.push(`Expires=${expires.toUTCString()}`);
    }
    if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
    if (cookie.secure === true) parts.push('Secure');
    if (cookie.httpOnly === true) parts.push('HttpOnly');
    if (cookie.sameSite !== undefined) parts.push(`SameSite=${cookie.sameSite}`);
    return parts.join('; ');
}

/** Writes status, headers, cookies and body of `response` to the socket and ends it. */
export async function writeHttpResponse(res: ServerResponse, response: HttpResponseType): Promise<void> {
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
}
