/** Properties of the notification job schema and of decoding queue messages: total, field-naming, and lossless for valid jobs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeQueueMessage } from '../../shared/notify/accept.js';
import { MAX_ALIAS_LENGTH, MAX_JOB_ID_LENGTH, validateJob, type NotificationJob } from '../../shared/notify/jobs.js';

/** A problem names its field (`to: ...`, `messageCard.@type: ...`) or the job as a whole (`job: ...`). */
const NAMES_A_FIELD = /^(?:job: |([\w.@[\]-]+): )/;

/** Every field of schema v1 a problem can name (README, "The notification job (schema v1)"). */
const JOB_FIELDS = new Set([
    'id',
    'createdAt',
    'to',
    'to.url',
    'text',
    'card',
    'card.template',
    'card.data',
    'adaptiveCard',
    'adaptiveCard.type',
    'messageCard',
    'messageCard.@type',
    'messageCard.summary',
    'messageCard.text',
    'digest',
    'mentions',
    'mentions.id',
    'mentions.name',
    'updateKey',
    'threadKey',
]);

/** Any value a caller could hand over, exotic objects included. */
const anyValue = fc.anything({
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withObjectString: true,
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    stringUnit: 'binary',
});

/** Objects that look like jobs: the schema's keys with values of any type, and unknown keys. */
const jobShaped = fc.record(
    {
        id: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue()),
        createdAt: fc.oneof(fc.date().map((date) => (Number.isNaN(date.getTime()) ? 'not a date' : date.toISOString())), fc.double(), fc.integer(), fc.jsonValue()),
        to: fc.oneof(fc.string(), fc.record({ url: fc.oneof(fc.webUrl(), fc.string()) }, { requiredKeys: [] }), fc.jsonValue()),
        text: fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue()),
        card: fc.oneof(fc.record({ template: fc.jsonValue(), data: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
        adaptiveCard: fc.oneof(fc.record({ type: fc.oneof(fc.constant('AdaptiveCard'), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
        messageCard: fc.oneof(fc.record({ '@type': fc.oneof(fc.constant('MessageCard'), fc.jsonValue()), summary: fc.jsonValue(), text: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
        digest: fc.jsonValue(),
        mentions: fc.oneof(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.record({ id: fc.jsonValue(), name: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue())), fc.jsonValue()),
        updateKey: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue()),
        threadKey: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue()),
        extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
);

/** A string with no surrounding whitespace and something in it, as the schema keeps it unchanged. */
const trimmedText = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 300 })
    .map((text) => text.trim())
    .filter((text) => text !== '');

const alias = fc.stringMatching(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,${MAX_ALIAS_LENGTH - 1}}$`));
const target = fc.oneof(alias, fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true }).map((url) => ({ url })));

/** A time with milliseconds (3 to 7 fractional digits) and a zone, or epoch milliseconds. */
const createdAt = fc.oneof(
    fc.maxSafeNat(),
    fc
        .tuple(
            fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
            fc.stringMatching(/^\d{0,4}$/),
            fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45)).map(([sign, hours, minutes]) => `${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`)),
        )
        .map(([date, moreDigits, zone]) => `${date.toISOString().slice(0, -1)}${moreDigits}${zone}`),
);

/** Characters a job id may hold: not `/ \\ # ?` (Azure Table keys) and no control character. */
function isIdCharacter(character: string): boolean {
    const code = character.charCodeAt(0);
    return !'/\\#?'.includes(character) && code > 0x1f && !(code >= 0x7f && code <= 0x9f);
}

const jobId = fc
    .string({ unit: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter(isIdCharacter), minLength: 1, maxLength: MAX_JOB_ID_LENGTH })
    .filter((id) => id.length <= MAX_JOB_ID_LENGTH);

const blankable = fc.oneof(fc.constantFrom('', ' ', '\n\t'), fc.string({ unit: 'binary', maxLength: 100 }));

/** Exactly one content field, in every shape the schema allows. */
const content = fc.oneof(
    trimmedText.map((text) => ({ text })),
    fc.record({ template: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })) }, { requiredKeys: ['template'] }).map((card) => ({ card })),
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }).map((rest) => ({ adaptiveCard: { ...rest, type: 'AdaptiveCard' as const } })),
    fc
        .oneof(
            fc.record({ summary: trimmedText, text: blankable }, { requiredKeys: ['summary'] }),
            fc.record({ summary: blankable, text: trimmedText }, { requiredKeys: ['text'] }),
        )
        .chain((fields) => fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((rest) => ({ messageCard: { ...rest, ...fields, '@type': 'MessageCard' as const } }))),
);

/** A valid `updateKey` or `threadKey`: 1-128 characters, no control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a key may not hold
const correlationKey = fc.string({ minLength: 1, maxLength: 128 }).filter((key) => !/[\u0000-\u001f\u007f-\u009f]/.test(key));

/** A valid mention: a UPN or an Entra object id, alone or with a display name. */
const mention = fc.oneof(
    fc.constantFrom('ada@contoso.com', 'bob.smith@fabrikam.onmicrosoft.com'),
    fc.uuid().map((id) => ({ id })),
    fc.record({ id: fc.constant('eve@contoso.com'), name: fc.string({ minLength: 1, maxLength: 40 }).filter((name) => name.trim() === name && name !== '') }),
);

/** A valid notification job: an alias or URL target, one content field, and the optional fields. */
const validJob: fc.Arbitrary<NotificationJob> = fc
    .tuple(fc.record({ id: jobId, createdAt, digest: fc.boolean(), updateKey: correlationKey, threadKey: correlationKey, mentions: fc.array(mention, { maxLength: 5 }) }, { requiredKeys: [] }), target, content)
    .map(([optional, to, body]): NotificationJob => ({ ...optional, to, ...body }))
    // A `__proto__` key is refused (it would vanish when the job is copied): see the test below.
    .filter((job) => !JSON.stringify(job).includes('"__proto__"'));

/** What the trigger hands over: text, or JSON it already parsed. */
const queueMessage = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
    fc.base64String(),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64')),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.jsonValue(),
);

describe('validateJob', () => {
    it('answers any value with a job or a non-empty list of problems, each naming a field', () => {
        fc.assert(
            fc.property(fc.oneof(anyValue, fc.jsonValue(), jobShaped), (value) => {
                const result = validateJob(value);
                if (!result.ok) {
                    expect(result.problems.length).toBeGreaterThan(0);
                    for (const problem of result.problems) {
                        const named = NAMES_A_FIELD.exec(problem);
                        expect(named, problem).not.toBeNull();
                        // A list's entries are named by index (`mentions.3.name`): the field is the same whatever the index.
                        const field = named?.[1]?.replace(/\.\d+(?=\.|$)/g, '');
                        if (field !== undefined) {
                            expect(JOB_FIELDS, problem).toContain(field);
                        }
                    }
                }
            }),
            { numRuns: 1000 },
        );
    });

    it('accepts every valid job', () => {
        fc.assert(
            fc.property(validJob, (job) => {
                const result = validateJob(job);
                expect(result.ok ? [] : result.problems).toEqual([]);
            }),
            { numRuns: 500 },
        );
    });

    it('keeps a valid job as it is, filling in only the card data default', () => {
        fc.assert(
            fc.property(validJob, (job) => {
                const result = validateJob(job);
                const expected = job.card === undefined ? job : { ...job, card: { data: {}, ...job.card } };
                expect(result).toEqual({ ok: true, job: expected });
            }),
            { numRuns: 300 },
        );
    });

    it('gives the same job after a trip through the queue as plain JSON, base64 JSON, or parsed JSON', () => {
        fc.assert(
            fc.property(validJob, (job) => {
                const direct = validateJob(JSON.parse(JSON.stringify(job)));
                expect(direct.ok).toBe(true);
                const json = JSON.stringify(job);
                for (const message of [json, Buffer.from(json, 'utf8').toString('base64'), JSON.parse(json) as unknown]) {
                    const decoded = decodeQueueMessage(message);
                    expect(decoded.ok).toBe(true);
                    if (!decoded.ok) return;
                    expect(validateJob(decoded.value)).toEqual(direct);
                }
            }),
            { numRuns: 300 },
        );
    });
});

describe('validateJob and __proto__ keys', () => {
    it('refuses a job holding a __proto__ key anywhere, naming where, instead of dropping the key', () => {
        fc.assert(
            fc.property(validJob, fc.jsonValue({ maxDepth: 2 }), (job, value) => {
                const rest = Object.fromEntries(Object.entries(job).filter(([key]) => !['text', 'adaptiveCard', 'messageCard'].includes(key)));
                const parsed = JSON.parse(JSON.stringify({ ...rest, card: { template: 'message', data: { title: 'x' } } }).replace('"title":"x"', () => `"__proto__":${JSON.stringify(value)}`)) as unknown;
                const result = validateJob(parsed);
                expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/^card\.data: the key "__proto__" at card\.data\.__proto__ cannot be kept/)]);
            }),
            { numRuns: 100 },
        );
    });

    it('refuses a __proto__ key of the job itself as an unknown key', () => {
        expect(validateJob(JSON.parse('{"to":"ops","text":"hi","__proto__":{}}'))).toEqual({ ok: false, problems: ['job: Unrecognized key: "__proto__"'] });
    });

    it('names a __proto__ key inside a card by its content field and its path', () => {
        expect(validateJob(JSON.parse('{"to":"ops","adaptiveCard":{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"x","__proto__":{}}]}}'))).toEqual({
            ok: false,
            problems: ['adaptiveCard: the key "__proto__" at adaptiveCard.body[0].__proto__ cannot be kept (JavaScript reads it as an object\'s prototype); rename it'],
        });
    });
});

describe('decodeQueueMessage', () => {
    it('decodes any message to a JSON value or a problem naming the message, without throwing', () => {
        fc.assert(
            fc.property(queueMessage, (message) => {
                const decoded = decodeQueueMessage(message);
                if (decoded.ok) {
                    expect(() => JSON.stringify(decoded.value)).not.toThrow();
                } else {
                    expect(decoded.problem).toMatch(/^message: /);
                }
                expect(typeof decoded.text).toBe('string');
            }),
            { numRuns: 1000 },
        );
    });

    /**
     * Only for text that cannot be read as base64 itself: a bare `null`, `true` or `1234` is also
     * valid base64, and the trigger hands such messages over parsed anyway.
     */
    it('decodes any JSON object, array or string and its base64 to the same value', () => {
        const structured = fc.jsonValue().filter((value) => (typeof value === 'object' && value !== null) || typeof value === 'string');
        fc.assert(
            fc.property(structured, (value) => {
                const json = JSON.stringify(value);
                const plain = decodeQueueMessage(json);
                const base64 = decodeQueueMessage(Buffer.from(json, 'utf8').toString('base64'));
                expect(plain).toMatchObject({ ok: true });
                expect(base64).toMatchObject({ ok: true });
                if (plain.ok && base64.ok) {
                    expect(base64.value).toEqual(plain.value);
                }
            }),
            { numRuns: 500 },
        );
    });
});
