/** A tiny HTTP proxy that counts the requests passing through it: put in front of Azurite's queue and table ports to count storage operations. */
import { Agent, createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running counting proxy. */
interface CountingProxy {
    readonly port: number;
    /** Requests forwarded since start (or the last reset). */
    count(): number;
    reset(): void;
    stop(): Promise<void>;
}

/** Sockets kept open to the target, as a storage SDK would keep them. */
const MAX_TARGET_SOCKETS = 64;

/**
 * Listens on a free loopback port and forwards every request, unchanged, to `127.0.0.1:targetPort`.
 * @example const proxy = await startCountingProxy(azurite.queuePort); proxy.count();
 */
export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
    let requests = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: MAX_TARGET_SOCKETS });
    const server: Server = createServer((incoming, outgoing) => {
        requests += 1;
        const upstream = forward(
            { host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
            (answer) => {
                outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(outgoing);
            },
        );
        upstream.on('error', () => {
            if (!outgoing.headersSent) outgoing.writeHead(502);
            outgoing.end();
        });
        incoming.pipe(upstream);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        port,
        count: () => requests,
        reset: () => {
            requests = 0;
        },
        stop: async () => {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
            agent.destroy();
        },
    };
}
