// Serves the HTTP functions on node:http: routing, 404/405/413/500, real HttpRequest objects.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from './functions-library.js';
import type { HostLog } from './log.js';
import { InFlightInvocations, createInvocationContext } from './invocation.js';
import { compileRoute, type RouteMatcher } from './route.js';
import { toHttpResponse, writeHttpResponse } from './http-response.js';
import { DEFAULT_HOST, DEFAULT_REQUEST_BODY_SIZE_LIMIT } from './settings.js';
import type { HttpFunction } from './triggers.js';

/** An HTTP function with its compiled route. */
interface HttpRoute {
    readonly fn: HttpFunction;
    readonly matcher: RouteMatcher;
}

/** Outcome of routing one request. */
type RouteSelection =
    | { readonly kind: 'found'; readonly route: HttpRoute; readonly params: Record<string, string> }
    | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
    | { readonly kind: 'not-found' };

/** Compiles the routes of HTTP functions, most specific (most literal segments) first. */
export function compileRoutes(functions: readonly HttpFunction[], routePrefix: string): HttpRoute[] {
    return functions
        .map((fn) => ({ fn, matcher: compileRoute(routePrefix, fn.route) }))
        .sort((a, b) => b.matcher.literalSegments - a.matcher.literalSegments);
}

/**
 * Picks the function for a method and path: the first route that matches and allows the method; a 405
 * when routes match but none allows it; else a 404.
 */
export function selectRoute(routes: readonly HttpRoute[], method: string, pathname: string): RouteSelection {
    const allowed = new Set<string>();
    for (const route of routes) {
        const params = route.matcher.match(pathname);
        if (!params) continue;
        const methods = route.fn.methods;
        if (methods === undefined || methods.includes(method.toUpperCase())) return { kind: 'found', route, params };
        for (const candidate of methods) allowed.add(candidate);
    }
    return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'not-found' };
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(text);
}

class BodyTooLargeError extends Error {
    override readonly name = 'BodyTooLargeError';
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req) {
        const buffer = chunk as Buffer;
        total += buffer.length;
        if (total > limit) throw new BodyTooLargeError(`request body exceeds ${limit} bytes`);
        chunks.push(buffer);
    }
    return Buffer.concat(chunks);
}

function requestHeaders(req: IncomingMessage): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || name.startsWith(':')) continue;
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return headers;
}

/** Options of the HTTP front end. */
interface HttpServerOptions {
    readonly routes: readonly HttpRoute[];
    readonly inFlight: InFlightInvocations;
    readonly log: HostLog;
    /** Largest request body accepted, as `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` sets it for the Functions host. @default DEFAULT_REQUEST_BODY_SIZE_LIMIT */
    readonly maxBodyBytes?: number;
}

/** A listening HTTP front end. */
export interface RunningHttpServer {
    readonly port: number;
    /** Stops accepting connections and closes idle ones. */
    stopAccepting(): void;
    /** Closes every remaining connection and waits for the server to close. */
    close(): Promise<void>;
}

/** Handles one request end to end; every error becomes an HTTP answer here and only here. */
async function handleRequest(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const selection = selectRoute(options.routes, method, url.pathname);
    if (selection.kind === 'not-found') { plain(res, 404, 'Not Found'); return; }
    if (selection.kind === 'method-not-allowed') {
        plain(res, 405, 'Method Not Allowed', { allow: selection.allowed.join(', ') }); return;
    }
    const limit = options.maxBodyBytes ?? DEFAULT_REQUEST_BODY_SIZE_LIMIT;
    const declaredLength = Number(req.headers['content-length'] ?? '0');
    if (declaredLength > limit) {
        res.setHeader('connection', 'close');
        plain(res, 413, 'Payload Too Large'); return;
    }
    let body: Buffer;
    try {
        body = await readBody(req, limit);
    } catch (error) {
        if (error instanceof BodyTooLargeError) {
            res.setHeader('connection', 'close');
            plain(res, 413, 'Payload Too Large'); return;
        }
        throw error;
    }
    const { fn } = selection.route;
    const hasBody = body.length > 0 && method !== 'GET' && method !== 'HEAD';
    const request = new HttpRequest({
        method,
        url: url.toString(),
        headers: requestHeaders(req),
        params: selection.params,
        ...(hasBody ? { body: { bytes: body } } : {}),
    });
    const context = createInvocationContext(fn.registration, undefined, options.log);
    // One line per request, after it: a busy host logging two lines per request spends its time writing them.
    options.log('debug', `Executing 'Functions.${fn.name}' (Reason='This function was programmatically called via the host APIs.', Id=${context.invocationId})`);
    const started = Date.now();
    try {
        const result = await options.inFlight.track(Promise.resolve().then(() => fn.handler(request, context)));
        const response = toHttpResponse(result);
        await writeHttpResponse(res, response);
        options.log('info', `Executed 'Functions.${fn.name}' (Succeeded, ${method} ${url.pathname} → ${response.status}, Id=${context.invocationId}, Duration=${Date.now() - started}ms)`);
    } catch (error) {
        options.log(
            'error',
            `Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}, Duration=${Date.now() - started}ms): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!res.headersSent) plain(res, 500, 'Internal Server Error');
        else res.destroy();
    }
}

/** Starts listening on `port` (0 = any free port) at `host` (default loopback only; `0.0.0.0` or `::` for every interface). */
export async function startHttpServer(options: HttpServerOptions, port: number, host: string = DEFAULT_HOST): Promise<RunningHttpServer> {
    const server: Server = createServer((req, res) => {
        handleRequest(options, req, res).catch((error: unknown) => {
            options.log('error', `Request ${req.method ?? ''} ${req.url ?? ''} failed: ${String(error)}`);
            if (!res.headersSent) plain(res, 500, 'Internal Server Error');
            else res.destroy();
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const closed = new Promise<void>((resolve) => server.once('close', () => { resolve(); }));
    let accepting = true;
    const stopAccepting = (): void => {
        if (!accepting) return;
        accepting = false;
        server.close();
        server.closeIdleConnections();
    };
    return {
        port: (server.address() as AddressInfo).port,
        stopAccepting,
        async close(): Promise<void> {
            stopAccepting();
            server.closeAllConnections();
            await closed;
        },
    };
}
