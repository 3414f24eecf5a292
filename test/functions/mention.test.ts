import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mention, MAX_MENTION_BODY_BYTES } from '../../functions/mention.js';
import { resetConfig } from '../../shared/config/index.js';
import { signTeamsBody } from '../../shared/signature/index.js';
import { fixtureBytes, MSDOCS_EXAMPLE } from '../support/fixtures.js';

const OTHER_TOKEN = randomBytes(32).toString('base64');
const savedEnv = { ...process.env };

function setSecrets(value: string | undefined): void {
    if (value === undefined) {
        delete process.env.TEAMS_OUTGOING_WEBHOOK_SECRETS;
    } else {
        process.env.TEAMS_OUTGOING_WEBHOOK_SECRETS = value;
    }
    resetConfig();
}

function request(body: Uint8Array, headers: Record<string, string>, query = ''): HttpRequest {
    return new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/mention${query}`, headers, body: { bytes: body } });
}

function signed(activity: object, token = OTHER_TOKEN): HttpRequest {
    const body = Buffer.from(JSON.stringify(activity));
    return request(body, { authorization: signTeamsBody(body, Buffer.from(token, 'base64')), 'content-type': 'application/json' });
}

function context(): InvocationContext {
    return new InvocationContext({ functionName: 'mention', invocationId: 'test', logHandler: () => undefined });
}

function bodyOf(response: HttpResponseInit): Record<string, unknown> {
    return response.jsonBody as Record<string, unknown>;
}

beforeEach(() => {
    setSecrets(`contoso:${MSDOCS_EXAMPLE.token},other:${OTHER_TOKEN}`);
});

afterEach(() => {
    process.env = { ...savedEnv };
    resetConfig();
});

describe('POST /api/mention', () => {
    it('answers the documented example, signed as Teams signs it', async () => {
        const response = await mention(request(fixtureBytes(MSDOCS_EXAMPLE.path), { authorization: MSDOCS_EXAMPLE.authorization }), context());
        expect(response.status).toBe(200);
        expect(bodyOf(response)).toMatchObject({ type: 'message' });
        expect(bodyOf(response).text).toMatch(/don't know the command `hello`/);
    });

    it('answers ping with pong', async () => {
        const response = await mention(signed({ type: 'message', text: '<at>Relay</at>&nbsp;ping\n' }), context());
        expect(response.status).toBe(200);
        expect(bodyOf(response).text).toMatch(/^pong \(server took \d+ ms\)$/);
    });

    it('answers help with an Adaptive Card', async () => {
        const response = await mention(signed({ type: 'message', text: '<at>Relay</at> help' }), context());
        const attachments = bodyOf(response).attachments as { contentType: string }[];
        expect(attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    });

    it('refuses a forged signature with a generic 401', async () => {
        const forged = request(fixtureBytes(MSDOCS_EXAMPLE.path), { authorization: signTeamsBody(fixtureBytes(MSDOCS_EXAMPLE.path), randomBytes(32)) });
        const response = await mention(forged, context());
        expect(response.status).toBe(401);
        expect(bodyOf(response)).toEqual({ error: 'unauthorized', message: 'Unauthorized' });
    });

    it('gives every signature failure the same answer', async () => {
        const body = fixtureBytes(MSDOCS_EXAMPLE.path);
        const answers = await Promise.all([
            mention(request(body, {}), context()),
            mention(request(body, { authorization: 'Basic abc' }), context()),
            mention(request(body, { authorization: MSDOCS_EXAMPLE.authorization }, '?id=other'), context()),
            mention(request(body, { authorization: MSDOCS_EXAMPLE.authorization }, '?id=unknown'), context()),
        ]);
        for (const answer of answers) {
            expect(answer).toEqual({ status: 401, jsonBody: { error: 'unauthorized', message: 'Unauthorized' } });
        }
    });

    it('lets ?id= select the token that signed', async () => {
        const response = await mention(request(fixtureBytes(MSDOCS_EXAMPLE.path), { authorization: MSDOCS_EXAMPLE.authorization }, '?id=contoso'), context());
        expect(response.status).toBe(200);
    });

    it('fails closed when no token is configured', async () => {
        setSecrets(undefined);
        const response = await mention(request(fixtureBytes(MSDOCS_EXAMPLE.path), { authorization: MSDOCS_EXAMPLE.authorization }), context());
        expect(response.status).toBe(401);
    });

    it('answers 400 for a validly signed body that is not JSON', async () => {
        const body = Buffer.from('{"type": "message", ');
        const response = await mention(request(body, { authorization: signTeamsBody(body, Buffer.from(OTHER_TOKEN, 'base64')) }), context());
        expect(response.status).toBe(400);
        expect(bodyOf(response)).toEqual({ error: 'bad_json', message: 'The body is not valid JSON' });
    });

    it('answers 400 naming the problem for signed JSON that is not an activity', async () => {
        const response = await mention(signed({ text: 'ping' }), context());
        expect(response.status).toBe(400);
        expect(String(bodyOf(response).message)).toMatch(/not a Teams activity: type/);
    });

    it('answers 413 for a body over 1 MiB by its declared length, before reading it', async () => {
        const body = Buffer.alloc(10);
        const response = await mention(request(body, { 'content-length': String(MAX_MENTION_BODY_BYTES + 1) }), context());
        expect(response.status).toBe(413);
    });

    it('answers 413 for a body over 1 MiB without a declared length', async () => {
        const body = Buffer.alloc(MAX_MENTION_BODY_BYTES + 1, 0x20);
        const response = await mention(request(body, { authorization: signTeamsBody(body, Buffer.from(OTHER_TOKEN, 'base64')) }), context());
        expect(response.status).toBe(413);
    });

    it('answers a generic 500 when the configuration is invalid, naming nothing', async () => {
        setSecrets('not-a-token');
        const response = await mention(signed({ type: 'message', text: 'ping' }), context());
        expect(response.status).toBe(500);
        expect(JSON.stringify(response.jsonBody)).not.toMatch(/TEAMS_|token/i);
    });

    it('verifies the exact bytes when multi-byte characters arrive split across chunks', async () => {
        const body = Buffer.from(JSON.stringify({ type: 'message', text: '<at>Relay</at> ping 🚀 Grüße' }));
        const split = body.indexOf(Buffer.from('🚀')) + 2;
        const stream = new ReadableStream<Uint8Array>({
            start(controller) {
                controller.enqueue(body.subarray(0, split));
                controller.enqueue(body.subarray(split));
                controller.close();
            },
        });
        const nativeRequest = new Request('http://localhost:7071/api/mention', {
            method: 'POST',
            headers: { authorization: signTeamsBody(body, Buffer.from(OTHER_TOKEN, 'base64')) },
            body: stream,
            duplex: 'half',
        });
        const response = await mention(new HttpRequest({ nativeRequest } as ConstructorParameters<typeof HttpRequest>[0]), context());
        expect(response.status).toBe(200);
        expect(bodyOf(response).text).toMatch(/^pong/);
    });
});
