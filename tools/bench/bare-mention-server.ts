/**
 * The mention benchmark's baseline, run as its own process: a bare `node:http` server that reads the
 * body, checks `Authorization: HMAC <base64>` with `crypto.timingSafeEqual` and answers a fixed reply.
 * The key comes base64-encoded in `BENCH_MENTION_KEY`; the server prints its port, then serves until SIGTERM.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

/** The fixed reply, the shape the app answers `ping` with. */
const REPLY = JSON.stringify({ type: 'message', text: 'pong' });
/** The header prefix Teams sends. */
const SCHEME_PREFIX = 'HMAC ';

const key = Buffer.from(process.env['BENCH_MENTION_KEY'] ?? '', 'base64');

const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
        const header = request.headers.authorization ?? '';
        const expected = createHmac('sha256', key).update(Buffer.concat(chunks)).digest();
        const given = header.startsWith(SCHEME_PREFIX) ? Buffer.from(header.slice(SCHEME_PREFIX.length), 'base64') : Buffer.alloc(0);
        const ok = given.length === expected.length && timingSafeEqual(given, expected);
        response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        response.end(ok ? REPLY : '{"error":"unauthorized"}');
    });
});
server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
});
