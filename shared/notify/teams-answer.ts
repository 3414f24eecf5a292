/** Classification of every answer to a POST to a Teams incoming webhook or Workflows URL: delivered, accepted, throttled, transient or permanent. */
import { MS_PER_SECOND } from '../platform/config.js';
import { DEFAULT_THROTTLE_MAX_MS } from './backoff.js';


/** How the target speaks: a legacy Office 365 connector URL or a Power Automate Workflows trigger URL. */
export type WebhookDialect = 'connector' | 'workflows';

/** An HTTP answer as received: its status, its body as text, and its `Retry-After` header as sent, if any. */
export interface HttpAnswer {
    readonly status: number;
    readonly body: string;
    readonly retryAfter?: string;
}

/** The POST got no HTTP answer at all. */
interface TransportFailure {
    readonly failure: 'timeout' | 'reset' | 'network';
    /** The underlying error's message, for the record. */
    readonly detail?: string;
}

/** Whatever a POST to a webhook produced. */
export type TeamsAnswer = HttpAnswer | TransportFailure;

/**
 * What to do with the job: `delivered` → record it (Teams confirmed the post: a connector's `1`);
 * `accepted` → record it as accepted (a Workflows trigger took it: whether the flow then posted is
 * visible only in the flow's run history); `throttled` → defer it and back off the webhook (never
 * poison it); `transient` → retry with exponential back-off; `permanent` → dead-letter at once.
 */
export type DeliveryOutcome = 'delivered' | 'accepted' | 'throttled' | 'transient' | 'permanent';

/** Why an answer got its outcome; stable, for logs, metrics and dead letters. */
type TeamsAnswerReason =
    | 'connector-delivered'
    | 'workflows-accepted'
    | 'relay-delivered'
    | 'relay-without-id'
    | 'http-throttled'
    | 'wrapped-throttled'
    | 'wrapped-client-error'
    | 'wrapped-transient'
    | 'wrapped-unknown-failure'
    | 'unrecognised-success-body'
    | 'http-client-error'
    | 'http-transient'
    | 'http-redirect'
    | 'http-invalid-status'
    | 'transport-timeout'
    | 'transport-reset'
    | 'transport-network';

/** The verdict on one answer. */
export interface TeamsAnswerClassification {
    readonly outcome: DeliveryOutcome;
    readonly reason: TeamsAnswerReason;
    /** The HTTP status, when there was an HTTP answer. */
    readonly status?: number;
    /** The status Teams reported inside a connector's 200 "delivery failed" wrapper, when it named one. */
    readonly wrappedStatus?: number;
    /** The answer's body, cut to {@link RECORDED_BODY_MAX_BYTES} of UTF-8. */
    readonly body?: string;
    /** The transport error's message, cut to {@link RECORDED_BODY_MAX_BYTES}, for a transport failure. */
    readonly detail?: string;
    /**
     * How long the server asked us to wait (`Retry-After` on a 429 or 503), in ms, bounded by
     * {@link MAX_RETRY_AFTER_MS}; absent when it sent none we could read.
     */
    readonly retryAfterMs?: number;
    /** The id of the message a relay flow posted, replied or updated (`relay-delivered`). */
    readonly messageId?: string;
}

/**
 * Longest `Retry-After` honoured: the longest back-off of a throttled webhook (1 h). A larger value
 * (or a date far ahead) is capped, so a hostile or mistaken header cannot stall a webhook for days;
 * the webhook is then probed again after an hour, as a throttled one is.
 */
export const MAX_RETRY_AFTER_MS = DEFAULT_THROTTLE_MAX_MS;

/** Statuses whose `Retry-After` is honoured (RFC 9110 §10.2.3: 503; RFC 6585 §4: 429). */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Longest `Retry-After` value looked at: an IMF-fixdate is 29 characters, the obsolete forms a few more. */
const MAX_RETRY_AFTER_CHARS = 64;

/**
 * Milliseconds to wait from a `Retry-After` value at `now` (RFC 9110 §10.2.3): `delay-seconds` (whole
 * digits) or an HTTP-date. A date in the past means 0; anything above {@link MAX_RETRY_AFTER_MS} is
 * capped to it. `undefined` for a missing or unreadable value (negative or fractional numbers, words,
 * a date that does not parse), which leaves the usual back-off in charge. Pure.
 *
 * @example
 * parseRetryAfter('20', 0); // 20000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27, 0)); // 60000
 * parseRetryAfter('soon', 0); // undefined
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
    const text = value?.trim() ?? '';
    if (text === '' || text.length > MAX_RETRY_AFTER_CHARS) {
        return undefined;
    }
    if (/^\d+$/.test(text)) {
        return Math.min(MAX_RETRY_AFTER_MS, Number(text) * MS_PER_SECOND);
    }
    // An HTTP-date names a weekday or month in letters and a time; a bare number with signs or dots is not one.
    if (!/[a-z]/i.test(text) || !/\d{1,2}:\d{2}/.test(text)) {
        return undefined;
    }
    // HTTP dates are always GMT (RFC 9110 §5.6.7); the asctime form says so by omission.
    const at = Date.parse(/\b(GMT|UTC)\b/i.test(text) ? text : `${text} GMT`);
    if (!Number.isFinite(at) || !Number.isFinite(now)) {
        return undefined;
    }
    return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

/**
 * Most bytes of an answer's body kept in a classification (and so in a dead letter). Teams' wrapper
 * texts are about 200 bytes and Workflows' error JSON under 1 KB; more is noise in a table row.
 *
 * @default 1024
 * @example
 * classifyTeamsResponse({ status: 502, body: html }, 'connector').body?.length; // ≤ 1024
 */
export const RECORDED_BODY_MAX_BYTES = 1_024 as const;

/** HTTP statuses with a fixed meaning here (RFC 9110; 429 from RFC 6585). */
const HTTP = {
    requestTimeout: 408,
    preconditionFailed: 412,
    tooManyRequests: 429,
} as const;

/** First status of each HTTP status class, and the range of three-digit statuses (RFC 9110 §15). */
const STATUS_CLASS = { informational: 100, success: 200, redirect: 300, clientError: 400, serverError: 500, end: 600 } as const;

/** The connector's body for a delivered message (Teams docs, incoming webhooks: the response is `1`). */
const CONNECTOR_DELIVERED_BODY = '1' as const;

/**
 * The connector's 200-wrapped failures start with this phrase, e.g. "Webhook message delivery failed
 * with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=...";
 * also seen without a status: "... failed with error: Error contacting Microsoft Teams endpoint"
 * (field reports on MicrosoftDocs/msteams-docs #400, #1736, #1810, #7425).
 */
const WRAPPER_PREFIX = 'Webhook message delivery failed' as const;

/** The status inside a wrapper: "... returned HTTP error 413 with ContextId ...". */
const WRAPPED_STATUS = /\bHTTP error (\d{3})\b/;

/** Marker of throttling that Teams sometimes puts in the wrapper besides, or instead of, 429. */
const THROTTLED_MARKER = 'ApplicationThrottled' as const;

const TRANSPORT_REASONS = {
    timeout: 'transport-timeout',
    reset: 'transport-reset',
    network: 'transport-network',
} as const satisfies Record<TransportFailure['failure'], TeamsAnswerReason>;

/** A UTF-16 code unit never takes more than 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const UTF8_MAX_BYTES_PER_UTF16_UNIT = 3;

/** Options of {@link classifyTeamsResponse}. */
interface ClassifyOptions {
    /** When the answer came (epoch ms), to read a `Retry-After` date; without it only `delay-seconds` is read. */
    readonly now?: number;
}

/**
 * Classifies one answer to a webhook POST. Pure and total: any input yields a classification.
 *
 * Rules (docs/teams-facts.md#connector-answers and #workflows-answers; README "Delivery guarantees" 4 and 5):
 * - transport failures (timeout, reset, network) → transient;
 * - status 429 → throttled, both dialects;
 * - Workflows 2xx, whatever the body → accepted (202 with an empty body is normal; the flow took the
 *   request, and what it did next is in its run history, not in this answer);
 * - connector 2xx: body `1` (trimmed) → delivered; a wrapped `HTTP error 429` or the word
 *   `ApplicationThrottled` → throttled; the "delivery failed" wrapper → by the wrapped status (400,
 *   413 and other 4xx → permanent; 408, 412, 5xx → transient; no status named → transient, since
 *   the text says nothing was posted); any other body → permanent, see below;
 * - any other status, both dialects: a throttling signal in the body → throttled (a throttled job is
 *   never dead-lettered); 408, 412 and 5xx → transient; other 4xx → permanent; 3xx → permanent
 *   (redirects are not followed for webhook posts: a moved webhook needs a new URL); 1xx, or a
 *   status that is not an integer in 100–599 → transient.
 *
 * An unrecognised connector 2xx body (the rare JSON bodies that did deliver, docs/teams-facts.md#connector-answers) is **permanent**: the
 * message may have been shown, so retrying could post it twice, while calling it delivered could
 * lose it silently. A dead letter keeps the job and the body for an operator to judge and replay,
 * which keeps both "nothing lost" and "no duplicates".
 *
 * A 429 or 503 carrying a readable `Retry-After` reports it as `retryAfterMs` (see {@link parseRetryAfter}).
 *
 * @example
 * classifyTeamsResponse({ status: 200, body: '1' }, 'connector').outcome; // 'delivered'
 * classifyTeamsResponse({ status: 202, body: '' }, 'workflows').outcome; // 'accepted'
 * classifyTeamsResponse({ status: 429, body: '', retryAfter: '20' }, 'workflows').retryAfterMs; // 20000
 * classifyTeamsResponse({ failure: 'timeout' }, 'connector').outcome; // 'transient'
 */
export function classifyTeamsResponse(answer: TeamsAnswer, dialect: WebhookDialect, options: ClassifyOptions = {}): TeamsAnswerClassification {
    if ('failure' in answer) {
        return classifyTransportFailure(answer);
    }
    const verdict = classifyHttpAnswer(answer, dialect);
    if (!RETRY_AFTER_STATUSES.has(answer.status)) {
        return verdict;
    }
    const retryAfterMs = parseRetryAfter(answer.retryAfter, options.now ?? Number.NaN);
    return retryAfterMs === undefined ? verdict : { ...verdict, retryAfterMs };
}

function classifyHttpAnswer(answer: HttpAnswer, dialect: WebhookDialect): TeamsAnswerClassification {
    const { status } = answer;
    const body = truncateUtf8(answer.body, RECORDED_BODY_MAX_BYTES);
    const wrapped = wrappedStatus(answer.body);
    const wrappedFields = wrapped === undefined ? {} : { wrappedStatus: wrapped };
    const throttleSignal = wrapped === HTTP.tooManyRequests || answer.body.includes(THROTTLED_MARKER);

    if (!Number.isInteger(status) || status < STATUS_CLASS.informational || status >= STATUS_CLASS.end) {
        return { outcome: 'transient', reason: 'http-invalid-status', status, body };
    }
    if (status === HTTP.tooManyRequests) {
        return { outcome: 'throttled', reason: 'http-throttled', status, body, ...wrappedFields };
    }
    if (isSuccess(status)) {
        if (dialect === 'workflows') {
            return { outcome: 'accepted', reason: 'workflows-accepted', status, body };
        }
        if (answer.body.trim() === CONNECTOR_DELIVERED_BODY) {
            return { outcome: 'delivered', reason: 'connector-delivered', status, body };
        }
        if (throttleSignal) {
            return { outcome: 'throttled', reason: 'wrapped-throttled', status, body, ...wrappedFields };
        }
        if (wrapped !== undefined) {
            const outcome = failureOutcome(wrapped);
            const reason = outcome === 'permanent' ? 'wrapped-client-error' : 'wrapped-transient';
            return { outcome, reason, status, body, wrappedStatus: wrapped };
        }
        if (answer.body.includes(WRAPPER_PREFIX)) {
            return { outcome: 'transient', reason: 'wrapped-unknown-failure', status, body };
        }
        return { outcome: 'permanent', reason: 'unrecognised-success-body', status, body };
    }
    if (throttleSignal) {
        return { outcome: 'throttled', reason: 'wrapped-throttled', status, body, ...wrappedFields };
    }
    const outcome = failureOutcome(status);
    const reason = status >= STATUS_CLASS.redirect && status < STATUS_CLASS.clientError
        ? 'http-redirect'
        : status < STATUS_CLASS.success
            ? 'http-invalid-status'
            : outcome === 'permanent' ? 'http-client-error' : 'http-transient';
    return { outcome, reason, status, body, ...wrappedFields };
}

function classifyTransportFailure(failure: TransportFailure): TeamsAnswerClassification {
    const reason = TRANSPORT_REASONS[failure.failure];
    return failure.detail === undefined
        ? { outcome: 'transient', reason }
        : { outcome: 'transient', reason, detail: truncateUtf8(failure.detail, RECORDED_BODY_MAX_BYTES) };
}

/**
 * Outcome of a status that reports a failure, real or wrapped. 2xx only arrives here wrapped, and a
 * wrapper naming a success is not a delivery we can confirm (see the unrecognised-body rule).
 */
function failureOutcome(status: number): DeliveryOutcome {
    if (status === HTTP.tooManyRequests) {
        return 'throttled';
    }
    if (status === HTTP.requestTimeout || status === HTTP.preconditionFailed || status >= STATUS_CLASS.serverError) {
        return 'transient';
    }
    if (status >= STATUS_CLASS.success) {
        return 'permanent';
    }
    return 'transient';
}

function isSuccess(status: number): boolean {
    return status >= STATUS_CLASS.success && status < STATUS_CLASS.redirect;
}

function wrappedStatus(body: string): number | undefined {
    const digits = WRAPPED_STATUS.exec(body)?.[1];
    return digits === undefined ? undefined : Number(digits);
}

/** `text` cut to at most `maxBytes` of UTF-8, never splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
    if (text.length * UTF8_MAX_BYTES_PER_UTF16_UNIT <= maxBytes) {
        return text;
    }
    const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
    return text.slice(0, read);
}
