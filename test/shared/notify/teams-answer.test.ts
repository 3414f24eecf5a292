/** Specification of how every Teams answer is classified, row by row of the answers tables of docs/teams-facts.md, for both dialects. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
    classifyTeamsResponse,
    type DeliveryOutcome,
    MAX_RETRY_AFTER_MS,
    parseRetryAfter,
    RECORDED_BODY_MAX_BYTES,
    type TeamsAnswer,
    type WebhookDialect,
} from '../../../shared/notify/teams-answer.js';

/** Wrapper texts as Teams sent them (field reports on MicrosoftDocs/msteams-docs #400, #1736, #1810, #7425, #10178). */
const WRAPPED = {
    throttled:
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-cse-azsc7-2-35,cv=Ab3dE.0,MS-CV=Ab3dE.0..',
    throttledByName:
        'Webhook message delivery failed with error: ApplicationThrottled with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=Xy1.0..',
    tooLarge:
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=622824298674363899,server=DB5PEPF00003FC8,cv=AszFFaeXdEGdFrJhai0eUw.1.0,MS-CV=AszFFaeXdEGdFrJhai0eUw.1.0..',
    badCard:
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400 with ContextId tcid=385194272617051900,server=BL2PEPF000001C8,cv=wUmM9kBhpkiOZnT3ZEwhdg.0..',
    forbidden:
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 403 with ContextId tcid=0,server=msgapi-production-cin-azsc4-1-64,cv=h3ya2/H5Fk6NjffrwlaWTQ.001=2..',
    teamsFault:
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 500 with ContextId tcid=0,server=msgapi-canary-eus-azsc1-0-5,cv=Qw9.0..',
    unreachable: 'Webhook message delivery failed with error: Error contacting Microsoft Teams endpoint',
} as const;

/** Workflows' synchronous schema error (an attachment without `contentUrl`). */
const TRIGGER_SCHEMA_MISMATCH = JSON.stringify({
    error: {
        code: 'TriggerInputSchemaMismatch',
        message: "The input body for trigger 'manual' of type 'Request' did not match its schema definition.",
    },
});

/** One answer and how it is classified. */
interface Row {
    readonly situation: string;
    readonly dialect: WebhookDialect;
    readonly answer: TeamsAnswer;
    readonly outcome: DeliveryOutcome;
}

/** HTTP answers: [situation, dialect, status, body, outcome]. */
const HTTP_ROWS: readonly (readonly [string, WebhookDialect, number, string, DeliveryOutcome])[] = [
    // connector, docs/teams-facts.md#connector-answers
    ['delivered: 200 with body 1', 'connector', 200, '1', 'delivered'],
    ['delivered: body 1 with surrounding whitespace', 'connector', 200, ' 1\r\n', 'delivered'],
    ['Teams fault: a real 503', 'connector', 503, 'Service Unavailable', 'transient'],
    ['MessageCard without summary or text: 400', 'connector', 400, 'Summary or Text is required.', 'permanent'],
    ['malformed JSON: 400', 'connector', 400, 'Bad payload received by generic incoming webhook', 'permanent'],
    ['webhook removed: 410', 'connector', 410, '', 'permanent'],
    // connector, statuses the table implies
    ['a real 429', 'connector', 429, '', 'throttled'],
    ['a real 413', 'connector', 413, '', 'permanent'],
    ['a real 412', 'connector', 412, '', 'transient'],
    ['a real 408', 'connector', 408, '', 'transient'],
    ['a real 404', 'connector', 404, '', 'permanent'],
    ['a real 500', 'connector', 500, '', 'transient'],
    ['a real 502 from a gateway', 'connector', 502, '<html>Bad Gateway</html>', 'transient'],
    ['a 200 with an unrecognised JSON body', 'connector', 200, '{"id":"1712345678901"}', 'permanent'],
    ['a 200 with an empty body', 'connector', 200, '', 'permanent'],
    ['a 503 that names ApplicationThrottled', 'connector', 503, 'ApplicationThrottled', 'throttled'],
    ['a redirect', 'connector', 301, '', 'permanent'],
    // Workflows
    ['accepted: 202 with an empty body', 'workflows', 202, '', 'accepted'],
    ['accepted: 200 with any body', 'workflows', 200, '{"ok":true}', 'accepted'],
    ['Power Platform quota: 429', 'workflows', 429, '{"error":{"code":"TooManyRequests"}}', 'throttled'],
    ['bad signature: 401', 'workflows', 401, '{"error":{"code":"DirectApiAuthorizationRequired"}}', 'permanent'],
    ['a real 500', 'workflows', 500, '', 'transient'],
    ['a real 504', 'workflows', 504, '', 'transient'],
    ['a real 408', 'workflows', 408, '', 'transient'],
    ['schema error: 400 TriggerInputSchemaMismatch', 'workflows', 400, TRIGGER_SCHEMA_MISMATCH, 'permanent'],
];

/** Connector answers that are a 200 wrapping what Teams made of the post: [situation, wrapper, outcome]. */
const WRAPPED_ROWS: readonly (readonly [string, keyof typeof WRAPPED, DeliveryOutcome])[] = [
    // docs/teams-facts.md#connector-answers
    ['throttled: 200 wrapping HTTP error 429', 'throttled', 'throttled'],
    ['throttled: 200 naming ApplicationThrottled', 'throttledByName', 'throttled'],
    ['too large: 200 wrapping HTTP error 413', 'tooLarge', 'permanent'],
    ['bad card or channel gone: 200 wrapping HTTP error 400', 'badCard', 'permanent'],
    ['Teams fault: 200 wrapping HTTP error 500', 'teamsFault', 'transient'],
    // statuses the table implies
    ['a 200 wrapping HTTP error 403', 'forbidden', 'permanent'],
    ['a 200 wrapper without a status: nothing was posted', 'unreachable', 'transient'],
];

const rows: readonly Row[] = [
    ...HTTP_ROWS.map(([situation, dialect, status, body, outcome]): Row => ({ situation, dialect, answer: { status, body }, outcome })),
    ...WRAPPED_ROWS.map(([situation, wrapper, outcome]): Row => ({ situation, dialect: 'connector', answer: { status: 200, body: WRAPPED[wrapper] }, outcome })),
    // transport
    { situation: 'timeout', dialect: 'connector', answer: { failure: 'timeout' }, outcome: 'transient' },
    { situation: 'connection reset', dialect: 'workflows', answer: { failure: 'reset', detail: 'ECONNRESET' }, outcome: 'transient' },
    { situation: 'network failure', dialect: 'connector', answer: { failure: 'network', detail: 'getaddrinfo ENOTFOUND' }, outcome: 'transient' },
];

describe('classifyTeamsResponse', () => {
    it.each(rows)('$dialect, $situation → $outcome', ({ answer, dialect, outcome }) => {
        expect(classifyTeamsResponse(answer, dialect).outcome).toBe(outcome);
    });

    it('keeps the status and the body of an HTTP answer', () => {
        expect(classifyTeamsResponse({ status: 200, body: WRAPPED.tooLarge }, 'connector')).toEqual({
            outcome: 'permanent',
            reason: 'wrapped-client-error',
            status: 200,
            wrappedStatus: 413,
            body: WRAPPED.tooLarge,
        });
    });

    it('tells a throttling status from a throttling wrapper', () => {
        expect(classifyTeamsResponse({ status: 429, body: '' }, 'connector').reason).toBe('http-throttled');
        expect(classifyTeamsResponse({ status: 200, body: WRAPPED.throttled }, 'connector').reason).toBe('wrapped-throttled');
    });

    it('names an unrecognised 200 body as such, so an operator can judge the dead letter', () => {
        expect(classifyTeamsResponse({ status: 200, body: '{}' }, 'connector').reason).toBe('unrecognised-success-body');
    });

    it('records a transport failure with its detail and without status or body', () => {
        expect(classifyTeamsResponse({ failure: 'timeout', detail: 'no answer in 10 s' }, 'connector')).toEqual({
            outcome: 'transient',
            reason: 'transport-timeout',
            detail: 'no answer in 10 s',
        });
    });

    it('treats a Workflows 2xx as accepted by the flow, never as delivered, even when the body mentions an error', () => {
        expect(classifyTeamsResponse({ status: 202, body: WRAPPED.throttled }, 'workflows').outcome).toBe('accepted');
    });

    it('treats a status outside 100–599 as transient', () => {
        expect(classifyTeamsResponse({ status: 0, body: '' }, 'connector')).toMatchObject({
            outcome: 'transient',
            reason: 'http-invalid-status',
        });
        expect(classifyTeamsResponse({ status: 700, body: '1' }, 'connector').outcome).toBe('transient');
    });

    it('cuts a long body to 1 KB of UTF-8', () => {
        const page = `<html>${'x'.repeat(10_000)}</html>`;
        const body = classifyTeamsResponse({ status: 502, body: page }, 'connector').body ?? '';
        expect(RECORDED_BODY_MAX_BYTES).toBe(1_024);
        expect(body).toBe(page.slice(0, RECORDED_BODY_MAX_BYTES));
    });

    it('never splits a character when cutting a body', () => {
        const body = classifyTeamsResponse({ status: 500, body: '€'.repeat(1_000) }, 'connector').body ?? '';
        expect(body).toBe('€'.repeat(341));
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(RECORDED_BODY_MAX_BYTES);
    });

    it('finds a wrapper beyond the recorded part of a body', () => {
        const body = `${' '.repeat(5_000)}${WRAPPED.throttled}`;
        expect(classifyTeamsResponse({ status: 200, body }, 'connector').outcome).toBe('throttled');
    });

    describe('properties', () => {
        const outcomes: readonly DeliveryOutcome[] = ['delivered', 'accepted', 'throttled', 'transient', 'permanent'];
        const dialect = fc.constantFrom<WebhookDialect>('connector', 'workflows');
        const body = fc.oneof(
            fc.string({ unit: 'binary', maxLength: 2_000 }),
            fc.constantFrom(...Object.values(WRAPPED), '1', '', TRIGGER_SCHEMA_MISMATCH),
            fc.integer({ min: 100, max: 599 }).map((status) => `${WRAPPED.teamsFault.slice(0, 80)} ${status} with ContextId x`),
        );

        it('classifies any status from 100 to 599 with any body, without throwing', () => {
            fc.assert(
                fc.property(fc.integer({ min: 100, max: 599 }), body, dialect, (status, text, kind) => {
                    const verdict = classifyTeamsResponse({ status, body: text }, kind);
                    return outcomes.includes(verdict.outcome) && verdict.status === status && verdict.reason.length > 0;
                }),
                { numRuns: 1_000 },
            );
        });

        it('classifies any number as a status, without throwing', () => {
            fc.assert(
                fc.property(fc.oneof(fc.integer(), fc.double()), body, dialect, (status, text, kind) => {
                    return outcomes.includes(classifyTeamsResponse({ status, body: text }, kind).outcome);
                }),
                { numRuns: 300 },
            );
        });

        it('never records more than 1 KB of a body', () => {
            fc.assert(
                fc.property(fc.integer({ min: 100, max: 599 }), fc.string({ unit: 'binary', maxLength: 3_000 }), dialect, (status, text, kind) => {
                    const recorded = classifyTeamsResponse({ status, body: text }, kind).body ?? '';
                    return Buffer.byteLength(recorded) <= RECORDED_BODY_MAX_BYTES && text.startsWith(recorded);
                }),
                { numRuns: 300 },
            );
        });

        it('calls a non-2xx answer delivered never', () => {
            fc.assert(
                fc.property(fc.integer({ min: 100, max: 599 }).filter((status) => status < 200 || status >= 300), body, dialect, (status, text, kind) => {
                    return classifyTeamsResponse({ status, body: text }, kind).outcome !== 'delivered';
                }),
                { numRuns: 500 },
            );
        });

        it('calls a 2xx accepted exactly when it comes from Workflows, and nothing else accepted', () => {
            fc.assert(
                fc.property(fc.integer({ min: 100, max: 599 }), body, dialect, (status, text, kind) => {
                    const accepted = classifyTeamsResponse({ status, body: text }, kind).outcome === 'accepted';
                    return accepted === (kind === 'workflows' && status >= 200 && status < 300);
                }),
                { numRuns: 500 },
            );
        });

        it('calls a connector 200 delivered only when its body is 1', () => {
            fc.assert(
                fc.property(body, (text) => {
                    const delivered = classifyTeamsResponse({ status: 200, body: text }, 'connector').outcome === 'delivered';
                    return delivered === (text.trim() === '1');
                }),
                { numRuns: 500 },
            );
        });
    });
});

describe('Retry-After', () => {
    const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

    it('reads delay-seconds as milliseconds', () => {
        expect(parseRetryAfter('20', NOW)).toBe(20_000);
        expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    });

    it('reads an HTTP date, in the IMF-fixdate and the obsolete forms, relative to now', () => {
        expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:45 GMT', NOW)).toBe(45_000);
        expect(parseRetryAfter('Monday, 23-Nov-26 12:01:00 GMT', NOW)).toBe(60_000);
        expect(parseRetryAfter('Mon Nov 23 12:00:30 2026', NOW)).toBe(30_000);
    });

    it('waits nothing for a date in the past', () => {
        expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', NOW)).toBe(0);
    });

    it('caps a huge value, in seconds or as a date, at the named maximum', () => {
        expect(parseRetryAfter('99999999999999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
        expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
    });

    it.each(['-5', '1.5', '+20', '20s', 'soon', '', '   ', 'NaN', 'Infinity', '0x10', '1e3', 'Mon, 99 Foo 2026 99:99:99 GMT', '12:00'])(
        'ignores the unreadable value %j',
        (value) => {
            expect(parseRetryAfter(value, NOW)).toBeUndefined();
        },
    );

    it('never answers outside 0..MAX_RETRY_AFTER_MS, whatever the header', () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), fc.integer().map(String), fc.date({ noInvalidDate: true }).map((date) => date.toUTCString())), (value) => {
                const wait = parseRetryAfter(value, NOW);
                return wait === undefined || (Number.isFinite(wait) && wait >= 0 && wait <= MAX_RETRY_AFTER_MS);
            }),
            { numRuns: 1_000 },
        );
    });

    it('is reported on a 429 and a 503, in both dialects', () => {
        for (const dialect of ['connector', 'workflows'] as const) {
            expect(classifyTeamsResponse({ status: 429, body: '', retryAfter: '20' }, dialect, { now: NOW })).toMatchObject({ outcome: 'throttled', retryAfterMs: 20_000 });
            expect(classifyTeamsResponse({ status: 503, body: '', retryAfter: '7' }, dialect, { now: NOW })).toMatchObject({ outcome: 'transient', retryAfterMs: 7_000 });
        }
    });

    it('is not reported on other statuses, nor when it cannot be read', () => {
        fc.assert(
            fc.property(fc.integer({ min: 100, max: 599 }).filter((status) => status !== 429 && status !== 503), (status) => {
                return classifyTeamsResponse({ status, body: '', retryAfter: '20' }, 'workflows', { now: NOW }).retryAfterMs === undefined;
            }),
        );
        expect(classifyTeamsResponse({ status: 429, body: '', retryAfter: 'later' }, 'workflows', { now: NOW }).retryAfterMs).toBeUndefined();
    });

    it('reads a date only when the answer time is given', () => {
        const answer = { status: 429, body: '', retryAfter: 'Mon, 23 Nov 2026 12:00:45 GMT' };
        expect(classifyTeamsResponse(answer, 'workflows').retryAfterMs).toBeUndefined();
        expect(classifyTeamsResponse(answer, 'workflows', { now: NOW }).retryAfterMs).toBe(45_000);
    });
});
