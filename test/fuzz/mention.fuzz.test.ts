/**
 * Properties of POST /api/mention and of reading a mention's command: any input gets a valid reply, a
 * named 400 or (for a stale or future activity) the generic 401, never a 500; a repeated delivery
 * gets the first answer.
 */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMentionHandler, NO_TIMESTAMP_MESSAGE } from '../../functions/mention.js';
import { extractCommand, parseActivity, type Activity } from '../../shared/mention/activity.js';
import { resetConfig } from '../../shared/config.js';
import { DEFAULT_MENTION_MAX_AGE_SECONDS } from '../../shared/mention/settings.js';
import { checkFreshness, MAX_FUTURE_SKEW_MS } from '../../shared/mention/replay.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, MAX_REPLY_BYTES } from '../../shared/mention/reply.js';
import { signTeamsBody } from '../../shared/mention/signature.js';

const TOKEN = randomBytes(32);
const savedEnv = { ...process.env };

/** The fixed clock every request here arrives at. */
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const MAX_AGE_MS = DEFAULT_MENTION_MAX_AGE_SECONDS * 1_000;
const mention = createMentionHandler({ now: () => NOW });
const UNAUTHORIZED = { error: 'unauthorized', message: 'Unauthorized' };

beforeAll(() => {
    process.env.TEAMS_OUTGOING_WEBHOOK_SECRETS = `relay:${TOKEN.toString('base64')}`;
    resetConfig();
});

afterAll(() => {
    process.env = { ...savedEnv };
    resetConfig();
});

function request(body: Uint8Array, authorization: string | undefined): HttpRequest {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    return new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/mention', headers, body: { bytes: body } });
}

function context(): InvocationContext {
    return new InvocationContext({ functionName: 'mention', invocationId: 'fuzz', logHandler: () => undefined });
}

/** The handler's answer to `body` signed with the configured token. */
function answerSigned(body: Uint8Array): Promise<HttpResponseInit> {
    return mention(request(body, signTeamsBody(body, TOKEN)), context());
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A 200 with a reply Teams accepts, a 400 whose JSON body names the problem, or the generic 401 for
 * an activity outside the time window; nothing else.
 */
function expectValidAnswer(response: HttpResponseInit): void {
    const body: unknown = response.jsonBody;
    expect(isRecord(body), `a JSON object body, got ${JSON.stringify(body)}`).toBe(true);
    if (!isRecord(body)) return;
    if (response.status === 400) {
        expect(typeof body.error).toBe('string');
        expect(body.message).toMatch(/^The (body is not (valid JSON$|a Teams activity: \S)|activity has no timestamp)/);
        return;
    }
    if (response.status === 401) {
        expect(body).toEqual(UNAUTHORIZED);
        return;
    }
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.type).toBe('message');
    expect(Buffer.byteLength(JSON.stringify(body), 'utf8')).toBeLessThanOrEqual(MAX_REPLY_BYTES);
    const attachments = body.attachments;
    if (attachments === undefined) {
        expect(typeof body.text === 'string' && body.text.trim() !== '', `a non-empty text, got ${JSON.stringify(body.text)}`).toBe(true);
    } else {
        expect(Array.isArray(attachments) && attachments.length === 1).toBe(true);
        const list: readonly unknown[] = Array.isArray(attachments) ? (attachments as unknown[]) : [];
        const attachment = list[0];
        expect(isRecord(attachment) && attachment.contentType === ADAPTIVE_CARD_CONTENT_TYPE).toBe(true);
    }
}

/**
 * Timestamps: fresh ones (7 fraction digits as Teams writes them, or 3, or with an offset), ones just
 * inside and outside the window, stale and future ones, and text that is no date-time at all.
 */
const freshTimestamp = fc
    .tuple(fc.integer({ min: -MAX_AGE_MS, max: MAX_FUTURE_SKEW_MS }), fc.constantFrom('7 digits', 'iso', 'offset'))
    .map(([offset, form]) => {
        const iso = new Date(NOW + offset).toISOString();
        if (form === '7 digits') return iso.replace('Z', '0000Z');
        if (form === 'offset') return new Date(NOW + offset + 3_600_000).toISOString().replace('Z', '+01:00');
        return iso;
    });
const anyTimestamp = fc.oneof(
    { weight: 6, arbitrary: freshTimestamp },
    { weight: 1, arbitrary: fc.constantFrom(new Date(NOW - MAX_AGE_MS - 1).toISOString(), new Date(NOW + MAX_FUTURE_SKEW_MS + 1).toISOString()) },
    { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()) },
    { weight: 1, arbitrary: fc.constantFrom('', 'now', '2026-11-23', '2026-11-23T10:00:00', '2026-02-30T10:00:00Z', '1795428000000', '2026-11-23T10:00:00.1234567890Z') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Nested values of any JSON type, to put where the activity expects something else. */
const junk = fc.jsonValue({ maxDepth: 3 });

/** A field as Teams sends it, `null`, or (when `wrongTypes`) a value of another type. */
function field(proper: fc.Arbitrary<unknown>, wrongTypes = true): fc.Arbitrary<unknown> {
    return wrongTypes
        ? fc.oneof({ weight: 3, arbitrary: proper }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: junk })
        : fc.oneof({ weight: 3, arbitrary: proper }, { weight: 1, arbitrary: fc.constant(null) });
}

/**
 * Command words, built-in and not. `status` is left out: it reads storage, which is not running here
 * (test/functions/mention-status.test.ts drives it against Azurite).
 */
const words = fc.constantFrom('ping', 'PING', 'help', 'Help', 'whoami', 'WhoAmI', 'hello', 'deploy', 'x'.repeat(60));
const names = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom('Relay', 'relay', 'Ann Smith', 'Ünïcödé', '😀 bot', '', ' ', 'null', 'A&amp;B', '&lt;at&gt;', '**x**`') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30_000 }) },
);
const textPiece = fc.oneof(
    { weight: 4, arbitrary: words },
    { weight: 3, arbitrary: names.map((name) => `<at>${name}</at>`) },
    { weight: 1, arbitrary: fc.tuple(fc.string(), names).map(([attributes, name]) => `<at ${attributes}>${name}</at>`) },
    { weight: 1, arbitrary: fc.constantFrom('<at>', '</at>', '<at', '<AT>x</AT>', '<at>unclosed') },
    { weight: 2, arbitrary: fc.constantFrom('<p>', '</p>', '<br>', '<br/>', '<div class="x">', '<a href="https://x">link</a>', '<b>', '<', '>', '<3', '<!-- c -->') },
    { weight: 2, arbitrary: fc.constantFrom('&nbsp;', '&amp;', '&lt;', '&gt;', '&quot;', '&#39;', '&#x1F600;', '&#0;', '&#xD800;', '&#99999999;', '&bogus;', '&', 'lt;') },
    { weight: 2, arbitrary: fc.constantFrom(' ', '\n', '\t', '\u00a0', '\u200b', '\u2028', '\r\n') },
    { weight: 1, arbitrary: fc.constantFrom('😀', '👩‍👩‍👧', '\u0000', '\u001b[31m', '\u202e', '\ud800', '\udc00x', '`', '**bold**') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
/** `piece` repeated `times`, or as often as fits in `maxLength` characters. */
function repeatWithin(piece: string, times: number, maxLength: number): string {
    return piece.repeat(Math.min(times, Math.floor(maxLength / Math.max(1, piece.length))));
}

const mentionText = fc.oneof(
    { weight: 8, arbitrary: fc.array(textPiece, { maxLength: 30 }).map((pieces) => pieces.join('')) },
    { weight: 1, arbitrary: fc.tuple(textPiece, fc.integer({ min: 1, max: 20_000 })).map(([piece, times]) => repeatWithin(piece, times, 300_000)) },
    { weight: 1, arbitrary: fc.tuple(words, fc.string({ unit: 'binary', minLength: 5_000, maxLength: 40_000 })).map(([word, rest]) => `<at>Relay</at> ${word} ${rest}`) },
);

const mentionEntity = fc.record(
    { type: field(fc.constantFrom('mention', 'clientInfo')), mentioned: field(fc.record({ id: field(fc.constantFrom('28:bot', '29:user', '')), name: field(names) }, { requiredKeys: [] })), text: field(fc.string()) },
    { requiredKeys: [] },
);

/**
 * Objects shaped like an outgoing-webhook activity, with any field missing or `null`, unknown
 * fields of any type, and (when `wrongTypes`) known fields of another type.
 */
function activityLike(wrongTypes: boolean) {
    const of = (proper: fc.Arbitrary<unknown>) => field(proper, wrongTypes);
    const account = fc.record({ id: of(fc.string()), name: of(names), aadObjectId: of(fc.uuid()) }, { requiredKeys: [] });
    const idHolder = fc.record({ id: of(fc.string()) }, { requiredKeys: [] });
    return fc.record(
        {
            type: wrongTypes ? fc.oneof({ weight: 4, arbitrary: fc.constant('message') }, { weight: 1, arbitrary: of(fc.string()) }) : fc.constant('message'),
            id: of(fc.string()),
            timestamp: wrongTypes ? of(anyTimestamp) : freshTimestamp,
            text: of(mentionText),
            textFormat: of(fc.constantFrom('plain', 'markdown', 'xml')),
            from: of(account),
            recipient: of(account),
            conversation: of(fc.record({ id: of(fc.string()), conversationType: of(fc.string()), tenantId: of(fc.uuid()) }, { requiredKeys: [] })),
            entities: of(fc.array(fc.oneof(mentionEntity, junk), { maxLength: 4 })),
            channelData: of(
                fc.record({ teamsChannelId: of(fc.string()), teamsTeamId: of(fc.string()), channel: of(idHolder), team: of(idHolder), tenant: of(idHolder), eventType: junk }, { requiredKeys: [] }),
            ),
            summary: junk,
            value: junk,
            locale: junk,
        },
        // Teams always sends a timestamp: a well-typed activity has one; a hostile one may not.
        { requiredKeys: wrongTypes ? [] : ['timestamp'] },
    );
}

const activityShaped = activityLike(true);
const wellTypedActivity = activityLike(false);

function bytesOf(value: unknown): Buffer {
    return Buffer.from(JSON.stringify(value), 'utf8');
}

describe('POST /api/mention, correctly signed', () => {
    it('answers any JSON value with a valid reply or a 400 naming the problem', async () => {
        await fc.assert(
            fc.asyncProperty(fc.jsonValue(), async (value) => {
                expectValidAnswer(await answerSigned(bytesOf(value)));
            }),
            { numRuns: 200 },
        );
    });

    it('answers any activity-shaped object with a valid reply or a 400 naming the problem', async () => {
        await fc.assert(
            fc.asyncProperty(activityShaped, async (activity) => {
                expectValidAnswer(await answerSigned(bytesOf(activity)));
            }),
            { numRuns: 300 },
        );
    });

    it('answers a well-formed message activity with any text with a valid 200 reply', async () => {
        await fc.assert(
            fc.asyncProperty(mentionText, wellTypedActivity, async (text, rest) => {
                const response = await answerSigned(bytesOf({ ...rest, type: 'message', text }));
                expect(response.status).toBe(200);
                expectValidAnswer(response);
            }),
            { numRuns: 200 },
        );
    });

    it('answers 401 exactly when the timestamp lies outside the window, and 400 exactly when there is none to read', async () => {
        await fc.assert(
            fc.asyncProperty(wellTypedActivity, fc.option(anyTimestamp, { nil: undefined }), async (rest, timestamp) => {
                // JSON leaves out a timestamp that is undefined, as a request without one would.
                const response = await answerSigned(bytesOf({ ...rest, type: 'message', timestamp }));
                const verdict = checkFreshness(timestamp, NOW, MAX_AGE_MS);
                if (verdict.ok) {
                    expect(response.status).toBe(200);
                } else if (verdict.reason === 'no_timestamp') {
                    expect(response).toEqual({ status: 400, jsonBody: { error: 'no_timestamp', message: NO_TIMESTAMP_MESSAGE } });
                } else {
                    expect(response).toEqual({ status: 401, jsonBody: UNAUTHORIZED });
                }
            }),
            { numRuns: 300 },
        );
    });

    it('answers a repeated delivery of any activity with the first answer', async () => {
        await fc.assert(
            fc.asyncProperty(wellTypedActivity, fc.string({ minLength: 1, maxLength: 40 }), async (rest, id) => {
                const body = bytesOf({ ...rest, type: 'message', id: `${id}-${Math.random()}` });
                const first = await answerSigned(body);
                expect(await answerSigned(body)).toEqual(first);
            }),
            { numRuns: 100 },
        );
    });

    it('answers any byte body with a valid reply or a 400 naming the problem', async () => {
        const bytes = fc.oneof(
            fc.uint8Array({ maxLength: 2048 }),
            fc.string({ unit: 'binary', maxLength: 512 }).map((text) => Buffer.from(text, 'utf8')),
            fc.jsonValue().map((value) => bytesOf(value).subarray(0, -1)),
            fc.tuple(activityShaped, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([activity, tail]) => Buffer.concat([bytesOf(activity), tail])),
        );
        await fc.assert(
            fc.asyncProperty(bytes, async (body) => {
                expectValidAnswer(await answerSigned(body));
            }),
            { numRuns: 300 },
        );
    });
});

describe('POST /api/mention, not correctly signed', () => {
    const unsigned = fc.oneof(
        fc.constant(undefined),
        fc.string(),
        // What an HTTP header can carry: Latin-1 without line breaks or NUL.
        fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((code) => String.fromCharCode(code)) }),
        fc.base64String({ minLength: 44, maxLength: 44 }).map((mac) => `HMAC ${mac}`),
    );
    const body = fc.oneof(fc.jsonValue().map(bytesOf), activityShaped.map(bytesOf), fc.uint8Array({ maxLength: 1024 }));

    it('answers 401 to any body without a valid signature', async () => {
        await fc.assert(
            fc.asyncProperty(body, unsigned, async (bytes, authorization) => {
                const response = await mention(request(bytes, authorization), context());
                expect(response).toEqual({ status: 401, jsonBody: UNAUTHORIZED });
            }),
            { numRuns: 300 },
        );
    });

    it('answers 401 to any body signed with another key', async () => {
        await fc.assert(
            fc.asyncProperty(body, fc.uint8Array({ minLength: 32, maxLength: 32 }), async (bytes, key) => {
                fc.pre(!TOKEN.equals(key));
                const response = await mention(request(bytes, signTeamsBody(bytes, key)), context());
                expect(response.status).toBe(401);
            }),
            { numRuns: 200 },
        );
    });
});

describe('extractCommand', () => {
    const activityWithText = (text: string, extra: Partial<Activity> = {}): Activity => parseActivity({ type: 'message', ...extra, text });
    const recipient = fc.option(names.map((name) => ({ name })), { nil: undefined });

    it('reads a lower-case command without whitespace and arguments that are never empty, from any text', () => {
        fc.assert(
            fc.property(fc.oneof(mentionText, fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) })), recipient, (text, to) => {
                const line = extractCommand(activityWithText(text, to === undefined ? {} : { recipient: to }));
                expect(line.command).toBe(line.command.toLowerCase());
                expect(line.command).not.toMatch(/\s/u);
                expect(line.args).not.toContain('');
                for (const arg of line.args) {
                    expect(arg).not.toMatch(/\s/u);
                }
                expect(line.text).toBe(line.text.trim());
                expect(line.command === '').toBe(line.text === '');
                expect(line.argText).toBe(line.args.join(' '));
            }),
            { numRuns: 1000 },
        );
    });

    /**
     * Text whose only `<` are markup: `<at>` elements (names may hold `&amp;`, `>` and other
     * entities, but no entity that stands for `<`) and ordinary HTML tags.
     */
    const markupOnlyText = fc
        .array(
            fc.oneof(
                fc.string({ unit: 'binary', maxLength: 12 }).map((text) => text.replace(/</g, '')),
                fc.constantFrom('&amp;', '&nbsp;', '&gt;', '&quot;', 'lt;', '#60;', '&', 'at&gt;', ' '),
                fc.constantFrom('<p>', '</p>', '<br>', '<br />', '<b>', '</b>', '<div class="x">', '</div>', '<a href="https://x">'),
                fc
                    .tuple(fc.constantFrom('', ' id="0"', ' itemid=1'), fc.array(fc.oneof(fc.constantFrom('&amp;', 'lt;', 'at', '&gt;', '&nbsp;', 'Relay', ' ', '<b>', '</b>'), fc.string({ maxLength: 4 }).map((text) => text.replace(/</g, ''))), { maxLength: 6 }))
                    .map(([attributes, parts]) => `<at${attributes}>${parts.join('')}</at>`),
            ),
            { maxLength: 20 },
        )
        .map((pieces) => pieces.join(''))
        .filter((text) => !/&(lt|#0*60|#x0*3c);/i.test(text));

    it('leaves no < in the command text when every < of the input is markup', () => {
        fc.assert(
            fc.property(markupOnlyText, recipient, (text, to) => {
                const line = extractCommand(activityWithText(text, to === undefined ? {} : { recipient: to }));
                expect(line.text).not.toContain('<');
            }),
            { numRuns: 1000 },
        );
    });

    it('reads the command of adversarial text up to the 1 MiB body limit without backtracking over it', () => {
        /** Pieces that made the tag and mention patterns backtrack over the rest of the text when repeated. */
        const adversarial = fc.oneof(
            fc.constantFrom('<at>', '<at ', '<a', '<AT>x', '<at><b>', '<at>&amp;', '<at>Relay</at', '<at>Relay</at> ', '&nbsp;', '<br'),
            fc.array(textPiece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join('')),
        );
        fc.assert(
            fc.property(adversarial, (piece) => {
                const text = repeatWithin(piece, Number.MAX_SAFE_INTEGER, 1024 * 1024);
                // A pattern that backtracks turns this into minutes: the test's timeout catches it.
                expect(typeof extractCommand(activityWithText(text, { recipient: { name: 'Relay' } }))).toBe('object');
            }),
            { numRuns: 15 },
        );
    });

    it('never throws, whatever the text and the entities', () => {
        fc.assert(
            fc.property(mentionText, fc.array(fc.oneof(mentionEntity, junk), { maxLength: 4 }), recipient, (text, entities, to) => {
                const activity = activityWithText(text, { entities, ...(to === undefined ? {} : { recipient: to }) });
                expect(() => extractCommand(activity)).not.toThrow();
            }),
            { numRuns: 500 },
        );
    });
});
