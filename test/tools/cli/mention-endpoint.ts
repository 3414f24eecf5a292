/** A tiny mention endpoint on loopback that checks the Teams signature over the raw body, as the app does. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutgoingWebhookKey } from '../../../shared/mention/settings.js';
import { verifyTeamsSignature, type SignatureCheck } from '../../../shared/mention/signature.js';

/** One request the endpoint received. */
export interface ReceivedMention {
    readonly path: string;
    /** The `?id=` of the request URL, if any. */
    readonly selectedName: string | undefined;
    readonly contentType: string | undefined;
    /** The body exactly as received. */
    readonly body: Buffer;
    readonly check: SignatureCheck;
}

/** A running endpoint. */
export interface MentionEndpoint {
    /** `http://127.0.0.1:<port>/api/mention`. */
    readonly url: string;
    readonly received: ReceivedMention[];
    close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    }
    return Buffer.concat(chunks);
}

/**
 * Starts an endpoint that answers 200 `{type: "message", text}` to a correctly signed request and
 * 401 to anything else, recording every request.
 */
export async function startMentionEndpoint(keys: readonly OutgoingWebhookKey[]): Promise<MentionEndpoint> {
    const received: ReceivedMention[] = [];
    const server = createServer((request, response) => {
        void readBody(request).then((body) => {
            const url = new URL(request.url ?? '/', 'http://127.0.0.1');
            const selectedName = url.searchParams.get('id') ?? undefined;
            const check = verifyTeamsSignature(body, request.headers.authorization, keys, selectedName);
            received.push({ path: url.pathname, selectedName, contentType: request.headers['content-type'], body, check });
            const reply = check.ok ? { type: 'message', text: `signed with ${check.keyName}` } : { error: check.reason };
            response.writeHead(check.ok ? 200 : 401, { 'Content-Type': 'application/json' });
            response.end(JSON.stringify(reply));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/api/mention`,
        received,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((error) => {
                    if (error) reject(error);
                    else resolve();
                });
                server.closeAllConnections();
            }),
    };
}
