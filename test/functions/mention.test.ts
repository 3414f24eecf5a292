import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMentionHandler, mention as realClockMention, MAX_MENTION_BODY_BYTES, NO_TIMESTAMP_MESSAGE, type MentionHandler } from '../../functions/mention.js';
import { resetConfig } from '../../shared/config.js';
import { MAX_FUTURE_SKEW_MS } from '../../shared/mention/replay.js';
import { signTeamsBody } from '../../shared/mention/signature.js';
import { fixtureBytes, MSDOCS_EXAMPLE } from '../support/fixtures.js';

const OTHER_TOKEN = randomBytes(32).toString('base64');
const savedEnv = { ...process.env };

/** The documented example's `timestamp`, and a clock a second after it: the example is fresh then. */
const MSDOCS_SENT_AT = Date.parse('2017-02-01T21:10:07.437Z');
const NOW = MSDOCS_SENT_AT + 1_000;
/** MENTION_MAX_AGE_SECONDS' default, in ms. */
const MAX_AGE_MS = 300_000;

/** A clock the tests set; every handler reads it. */
let clock = NOW;
/** The handler under test: the injected clock and a reply cache of its own. */
let mention: MentionHandler;
/** Activity ids, so two activities never share one by accident. */
let nextId = 1;

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

/** `activity` with a fresh id and the clock's time as its timestamp, unless it has its own. */
function stamped(activity: object): object {
    return { id: String(nextId++), timestamp: new Date(clock).toISOString(), ...activity };
}

function signed(activity: object, token = OTHER_TOKEN, query = ''): HttpRequest {
    const body = Buffer.from(JSON.stringify(stamped(activity)));
    return request(body, { authorization: signTeamsBody(body, Buffer.from(token, 'base64')), 'content-type': 'application/json' }, query);
}

/** Exactly these bytes, signed with `token`: a delivery Teams repeats sends the same bytes again. */
function signedBytes(body: Buffer, token = OTHER_TOKEN, query = ''): HttpRequest {
    return request(body, { authorization: signTeamsBody(body, Buffer.from(token, 'base64')) }, query);
}

/** Log lines of every context made since the last reset. */
let logged: string[] = [];

function context(): InvocationContext {
    return new InvocationContext({
        functionName: 'mention',
        invocationId: 'test',
        logHandler: (_level, ...args) => {
            logged.push(args.map(String).join(' '));
        },
    });
}

function bodyOf(response: HttpResponseInit): Record<string, unknown> {
    return response.jsonBody as Record<string, unknown>;
}

beforeEach(() => {
    setSecrets(`contoso:${MSDOCS_EXAMPLE.token},other:${OTHER_TOKEN}`);
    clock = NOW;
    logged = [];
    mention = createMentionHandler({ now: () => clock });
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

    it('refuses the documented example on the real clock: its 2017 timestamp is long stale', async () => {
        const response = await realClockMention(request(fixtureBytes(MSDOCS_EXAMPLE.path), { authorization: MSDOCS_EXAMPLE.authorization }), context());
        expect(response).toEqual({ status: 401, jsonBody: { error: 'unauthorized', message: 'Unauthorized' } });
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

    it('passes the name of the token that signed to the command', async () => {
        process.env.TEAMS_MENTION_SCOPE_CONTOSO = 'ops';
        resetConfig();
        const response = await mention(signed({ type: 'message', text: '<at>Relay</at> status' }, OTHER_TOKEN, '?id=other'), context());
        // "other" has no scope of its own and two tokens are configured, so status names its setting without reading storage.
        expect(bodyOf(response).text).toMatch(/token `other`.*`TEAMS_MENTION_SCOPE_OTHER`/);
    });

    it('answers a generic 500 when the configuration is invalid, naming nothing', async () => {
        setSecrets('not-a-token');
        const response = await mention(signed({ type: 'message', text: 'ping' }), context());
        expect(response.status).toBe(500);
        expect(JSON.stringify(response.jsonBody)).not.toMatch(/TEAMS_|token/i);
    });

    it('verifies the exact bytes when multi-byte characters arrive split across chunks', async () => {
        const body = Buffer.from(JSON.stringify(stamped({ type: 'message', text: '<at>Relay</at> ping 🚀 Grüße' })));
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

describe('stale and future activities', () => {
    const ping = (timestamp: string | undefined) => signed({ type: 'message', text: '<at>Relay</at> ping', timestamp });

    it('answers an activity as old as MENTION_MAX_AGE_SECONDS allows', async () => {
        const response = await mention(ping(new Date(NOW - MAX_AGE_MS).toISOString()), context());
        expect(response.status).toBe(200);
    });

    it('refuses an older one with the generic 401 a bad signature gets, and logs why', async () => {
        const response = await mention(ping(new Date(NOW - MAX_AGE_MS - 1).toISOString()), context());
        expect(response).toEqual({ status: 401, jsonBody: { error: 'unauthorized', message: 'Unauthorized' } });
        expect(logged.join('\n')).toMatch(/timestamp is older than MENTION_MAX_AGE_SECONDS \(token "other"\)/);
    });

    it('answers one up to a minute ahead, and refuses one further ahead with the same 401', async () => {
        expect((await mention(ping(new Date(NOW + MAX_FUTURE_SKEW_MS).toISOString()), context())).status).toBe(200);
        expect(await mention(ping(new Date(NOW + MAX_FUTURE_SKEW_MS + 1).toISOString()), context())).toEqual({
            status: 401,
            jsonBody: { error: 'unauthorized', message: 'Unauthorized' },
        });
    });

    it('reads the window from MENTION_MAX_AGE_SECONDS', async () => {
        process.env.MENTION_MAX_AGE_SECONDS = '10';
        resetConfig();
        expect((await mention(ping(new Date(NOW - 10_000).toISOString()), context())).status).toBe(200);
        expect((await mention(ping(new Date(NOW - 10_001).toISOString()), context())).status).toBe(401);
    });

    it('reads a Bot Framework timestamp with 7 fraction digits', async () => {
        const response = await mention(ping('2017-02-01T21:10:07.4370000Z'), context());
        expect(response.status).toBe(200);
    });

    it.each([
        ['no timestamp', {}],
        ['a null timestamp', { timestamp: null }],
        ['a timestamp without a zone', { timestamp: '2017-02-01T21:10:07.437' }],
        ['a timestamp that is not a date', { timestamp: 'now' }],
    ])('answers a signed activity with %s 400, naming the problem', async (_what, fields) => {
        const body = Buffer.from(JSON.stringify({ id: String(nextId++), type: 'message', text: '<at>Relay</at> ping', ...fields }));
        const response = await mention(signedBytes(body), context());
        expect(response).toEqual({ status: 400, jsonBody: { error: 'no_timestamp', message: NO_TIMESTAMP_MESSAGE } });
    });

    it('checks the signature first: an unsigned stale activity gets the same 401 and no hint', async () => {
        const body = Buffer.from(JSON.stringify({ type: 'message', text: 'ping' }));
        expect(await mention(request(body, { authorization: signTeamsBody(body, randomBytes(32)) }), context())).toEqual({
            status: 401,
            jsonBody: { error: 'unauthorized', message: 'Unauthorized' },
        });
    });
});

describe('repeated deliveries', () => {
    const pingBytes = (id: string | undefined) =>
        Buffer.from(JSON.stringify({ ...(id === undefined ? {} : { id }), timestamp: new Date(NOW).toISOString(), type: 'message', text: '<at>Relay</at> ping' }));
    const repeatedFlags = () => logged.filter((line) => line.startsWith('teams-relay.mention ')).map((line) => (JSON.parse(line.slice(line.indexOf('{'))) as { repeated: boolean }).repeated);

    it('gives a second delivery of one activity the first reply, without running the command again', async () => {
        const body = pingBytes('1485983408511');
        const first = await mention(signedBytes(body), context());
        clock = NOW + 30_000;
        const second = await mention(signedBytes(body), context());
        expect(first.status).toBe(200);
        // ping says how long the server took: a second run would say something else on this clock.
        expect(second).toEqual(first);
        expect(repeatedFlags()).toEqual([false, true]);
    });

    it('makes a repeat that arrives while the first still runs wait for the first reply', async () => {
        const body = pingBytes('1485983408512');
        const [one, two] = await Promise.all([mention(signedBytes(body), context()), mention(signedBytes(body), context())]);
        expect(one).toEqual(two);
        expect(repeatedFlags().sort()).toEqual([false, true]);
    });

    it('runs the same activity id again for another token', async () => {
        const body = pingBytes('1485983408513');
        await mention(signedBytes(body, OTHER_TOKEN), context());
        await mention(signedBytes(body, MSDOCS_EXAMPLE.token), context());
        expect(repeatedFlags()).toEqual([false, false]);
    });

    it('runs activities with different ids, and ones without an id, every time', async () => {
        await mention(signedBytes(pingBytes('a')), context());
        await mention(signedBytes(pingBytes('b')), context());
        await mention(signedBytes(pingBytes(undefined)), context());
        await mention(signedBytes(pingBytes(undefined)), context());
        expect(repeatedFlags()).toEqual([false, false, false, false]);
    });

    it('refuses a repeat once its activity is older than the window, like any stale one', async () => {
        const body = pingBytes('1485983408514');
        expect((await mention(signedBytes(body), context())).status).toBe(200);
        clock = NOW + MAX_AGE_MS + 1;
        expect((await mention(signedBytes(body), context())).status).toBe(401);
    });

    it('does not remember a refused request: after a bad signature the genuine delivery still runs', async () => {
        const body = pingBytes('1485983408515');
        expect((await mention(request(body, { authorization: signTeamsBody(body, randomBytes(32)) }), context())).status).toBe(401);
        expect((await mention(signedBytes(body), context())).status).toBe(200);
        expect(repeatedFlags()).toEqual([false]);
    });
});
