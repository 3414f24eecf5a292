/** The exact HTTP answers of the two webhook dialects (docs/teams-facts.md#connector-answers and #workflows-answers). */

/** An HTTP answer as the simulator sends it. */
export interface Answer {
    readonly status: number;
    /** The body text; empty for 202 and 410. */
    readonly body: string;
    readonly contentType?: string;
    /** Further headers (Workflows' `Retry-After`). */
    readonly headers?: Readonly<Record<string, string>>;
}

/** HTTP statuses used by the simulated endpoints. */
export const HTTP_STATUS = {
    ok: 200,
    accepted: 202,
    badRequest: 400,
    notFound: 404,
    methodNotAllowed: 405,
    gone: 410,
    payloadTooLarge: 413,
    tooManyRequests: 429,
    internalServerError: 500,
    serviceUnavailable: 503,
} as const;

/** The Teams-side errors the connector wraps in a 200 (429, 413, 400, 500: docs/teams-facts.md#connector-answers). */
type WrappedTeamsError = 429 | 413 | 400 | 500;

/** Which wording a connector throttling answer uses: sometimes also the word `ApplicationThrottled` (docs/teams-facts.md#connector-answers). */
export type ThrottleWording = 'plain' | 'applicationThrottled';

const TEXT_PLAIN = 'text/plain; charset=utf-8';
const APPLICATION_JSON = 'application/json; charset=utf-8';

/** Delivered: the body is the number `1` (docs/teams-facts.md#connector-answers). */
const CONNECTOR_DELIVERED_BODY = '1';
/** A MessageCard without summary or text (docs/teams-facts.md#connector-answers). */
export const CONNECTOR_SUMMARY_REQUIRED_BODY = 'Summary or Text is required.';
/** A body that is not JSON (docs/teams-facts.md#connector-answers). */
export const CONNECTOR_BAD_PAYLOAD_BODY = 'Bad payload received by generic incoming webhook';
/** The start of every wrapped Teams error (docs/teams-facts.md#connector-answers, throttled row). */
export const CONNECTOR_WRAPPER_PREFIX =
    'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error';
/** A ContextId in the shape field reports show; the values are made up. */
const CONNECTOR_CONTEXT_ID = 'tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0';
const APPLICATION_THROTTLED = 'ApplicationThrottled';

/** Power Automate's error code for a body that does not match the trigger schema (docs/teams-facts.md#workflows-answers). */
export const WORKFLOWS_SCHEMA_MISMATCH_CODE = 'TriggerInputSchemaMismatch';
/** Error code of a throttled Logic Apps / Power Automate trigger call. */
export const WORKFLOWS_THROTTLED_CODE = 'WorkflowRequestsThrottled';

/**
 * The connector's 200 wrapper around a Teams-side error.
 *
 * @example
 * wrappedConnectorError(429).body;
 * // → 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0..'
 */
export function wrappedConnectorError(code: WrappedTeamsError, wording: ThrottleWording = 'plain'): Answer {
    const suffix = wording === 'applicationThrottled' ? ` ${APPLICATION_THROTTLED}` : '';
    return {
        status: HTTP_STATUS.ok,
        body: `${CONNECTOR_WRAPPER_PREFIX} ${code} with ContextId ${CONNECTOR_CONTEXT_ID}..${suffix}`,
        contentType: TEXT_PLAIN,
    };
}

/** Legacy connector: delivered (`200`, body `1`). */
export const connectorDelivered: Answer = { status: HTTP_STATUS.ok, body: CONNECTOR_DELIVERED_BODY, contentType: TEXT_PLAIN };

/** Legacy connector: the connector's own refusal of a body. */
export function connectorRejection(rejection: 'bad-payload' | 'summary-required'): Answer {
    const body = rejection === 'bad-payload' ? CONNECTOR_BAD_PAYLOAD_BODY : CONNECTOR_SUMMARY_REQUIRED_BODY;
    return { status: HTTP_STATUS.badRequest, body, contentType: TEXT_PLAIN };
}

/** A removed webhook: `410` with an empty body (docs/teams-facts.md#connector-answers; Workflows document no such answer, the same one is used). */
export const webhookGone: Answer = { status: HTTP_STATUS.gone, body: '' };

/** A real `503` from the front end (docs/teams-facts.md#connector-answers, "Teams fault" row). */
export const connectorUnavailable: Answer = {
    status: HTTP_STATUS.serviceUnavailable,
    body: 'Service Unavailable',
    contentType: TEXT_PLAIN,
};

/** Workflows: accepted (`202`, empty body). */
export const workflowsAccepted: Answer = { status: HTTP_STATUS.accepted, body: '' };

/**
 * A Power Automate style JSON error: `{"error":{"code":...,"message":...}}`.
 *
 * @example
 * workflowsError(400, 'TriggerInputSchemaMismatch', "Required property 'contentUrl' not found.");
 */
export function workflowsError(status: number, code: string, message: string): Answer {
    return { status, body: JSON.stringify({ error: { code, message } }), contentType: APPLICATION_JSON };
}

/** Workflows: the synchronous schema error (docs/teams-facts.md#workflows-answers). */
export function workflowsSchemaMismatch(problem: string): Answer {
    return workflowsError(
        HTTP_STATUS.badRequest,
        WORKFLOWS_SCHEMA_MISMATCH_CODE,
        `The input body for trigger 'manual' of type 'Request' did not match its schema definition. ${problem}`,
    );
}

/** How a `Retry-After` value is written: delay seconds or an HTTP date (RFC 9110 §10.2.3). */
export type RetryAfterFormat = 'seconds' | 'http-date';

const MS_PER_SECOND = 1_000;

/**
 * A `Retry-After` value that asks for at least `seconds` from `now` (epoch ms). The HTTP-date form has
 * whole seconds, so it names the first whole second at or after `now + seconds`.
 *
 * @example
 * retryAfterValue(20, Date.UTC(2026, 0, 1), 'seconds'); // → '20'
 * retryAfterValue(20, Date.UTC(2026, 0, 1), 'http-date'); // → 'Thu, 01 Jan 2026 00:00:20 GMT'
 */
export function retryAfterValue(seconds: number, now: number, format: RetryAfterFormat): string {
    if (format === 'seconds') return String(seconds);
    return new Date(Math.ceil(now / MS_PER_SECOND) * MS_PER_SECOND + seconds * MS_PER_SECOND).toUTCString();
}

/** The same answer with a `Retry-After` header, or unchanged when `retryAfter` is undefined. */
export function withRetryAfter(answer: Answer, retryAfter: string | undefined): Answer {
    if (retryAfter === undefined) return answer;
    return { ...answer, headers: { ...answer.headers, 'retry-after': retryAfter } };
}

/**
 * Workflows: the trigger is throttled, a real `429` with a JSON error body and, as Power Automate
 * sends it, `Retry-After` (docs/teams-facts.md, Workflows answers).
 *
 * @example
 * workflowsThrottled('20').headers; // → { 'retry-after': '20' }
 */
export function workflowsThrottled(retryAfter: string | undefined): Answer {
    const answer = workflowsError(
        HTTP_STATUS.tooManyRequests,
        WORKFLOWS_THROTTLED_CODE,
        'The number of requests for this workflow exceeded the limit. Wait and retry.',
    );
    return withRetryAfter(answer, retryAfter);
}

/** Workflows answers for the injectable faults that the connector wraps in a 200. */
export const workflowsFaultAnswers = {
    500: workflowsError(HTTP_STATUS.internalServerError, 'InternalServerError', 'The server encountered an internal error.'),
    413: workflowsError(HTTP_STATUS.payloadTooLarge, 'RequestEntityTooLarge', 'The request content is too large.'),
    400: workflowsError(HTTP_STATUS.badRequest, WORKFLOWS_SCHEMA_MISMATCH_CODE, 'The input body did not match its schema definition.'),
    503: workflowsError(HTTP_STATUS.serviceUnavailable, 'ServiceUnavailable', 'The service is temporarily unavailable.'),
} as const satisfies Record<number, Answer>;
