/** How a simulated webhook judges one request: content checks, fixed windows, the flow's connection, size and rendering. */
import {
    connectorDelivered,
    connectorRejection,
    retryAfterValue,
    wrappedConnectorError,
    workflowsAccepted,
    workflowsSchemaMismatch,
    workflowsThrottled,
    type Answer,
    type ThrottleWording,
} from './answers.js';
import { BLOCK_TRIGGER_MIN_WINDOW_MS } from './limits.js';
import { WORKFLOWS_CARD_NOT_DISPLAYED, findRenderProblem, findWorkflowsRenderProblem, parseConnectorPayload, parseWorkflowsPayload } from './payloads.js';
import type { FlowPost, Outcome } from './records.js';
import type { RelayRecord } from './relay.js';
import type { FixedWindowCounter, SlidingWindowLog } from './windows.js';

const MS_PER_SECOND = 1_000;

/** The per-simulator rules a webhook judges by. */
export interface EndpointPolicy {
    /** Largest body Teams accepts, in bytes. */
    readonly maxBytes: number;
    /** Whether a throttled request still counts in every window. */
    readonly countThrottled: boolean;
    /** How long a webhook stays throttled after exceeding a window of ≥ 30 s; 0 = not at all. */
    readonly blockAfterThrottleMs: number;
    /** The wording of the next connector throttling answer. */
    readonly throttleWording: () => ThrottleWording;
}

/** The rate state of one webhook (one path). */
export interface WebhookRateState {
    readonly counter: FixedWindowCounter;
    /** Clock time until which every request is throttled (the extended block). */
    blockedUntil: number;
}

/** A request body as read from the socket. */
export interface ReceivedBody {
    readonly text: string;
    readonly byteLength: number;
    /** The body was longer than the simulator reads; `text` holds only its start. The server refuses it (413) before any judge sees it. */
    readonly truncated: boolean;
}

/** The simulator's decision on one request. */
export interface Verdict {
    readonly answer: Answer;
    readonly outcome: Outcome;
    readonly rendered?: boolean;
    /** Workflows, accepted requests, and relay flows' connector calls: whether the call fitted its connection's budget. */
    readonly flowPost?: FlowPost;
    readonly reason?: string;
    readonly json?: unknown;
    /** Relay flows: the action and the message id answered (or not found). */
    readonly relay?: RelayRecord;
}

/** Why a request was throttled, and from when the webhook would take one again. */
interface Refusal {
    readonly reason: string;
    readonly retryAt: number;
}

/**
 * Passes a request through the extended block and the fixed windows; returns why it is throttled,
 * or `undefined` once it has been counted.
 */
function admit(state: WebhookRateState, now: number, policy: EndpointPolicy): Refusal | undefined {
    if (now < state.blockedUntil) {
        if (policy.countThrottled) state.counter.add(now);
        return { reason: `blocked until ${state.blockedUntil}`, retryAt: Math.max(state.blockedUntil, state.counter.reopensAt(now)) };
    }
    const exceeded = state.counter.exceeded(now);
    if (exceeded === undefined) {
        state.counter.add(now);
        return undefined;
    }
    if (policy.countThrottled) state.counter.add(now);
    const { windowMs, max } = exceeded.limit;
    if (policy.blockAfterThrottleMs > 0 && windowMs >= BLOCK_TRIGGER_MIN_WINDOW_MS) {
        state.blockedUntil = now + policy.blockAfterThrottleMs;
    }
    return { reason: `over ${max} per ${windowMs} ms`, retryAt: Math.max(state.blockedUntil, state.counter.reopensAt(now)) };
}

/** Whole seconds from `now` until `retryAt`, at least 1: the `Retry-After` of a throttled trigger. */
function secondsUntil(retryAt: number, now: number): number {
    return Math.max(1, Math.ceil((retryAt - now) / MS_PER_SECOND));
}

function withJson(verdict: Verdict, json: unknown): Verdict {
    return json === undefined ? verdict : { ...verdict, json };
}

/**
 * Counts a request whose content passed in the webhook's windows: the `throttled` verdict, answered
 * as the dialect answers a throttled request, when they refuse it; `undefined` once it is counted.
 */
function throttledVerdict(state: WebhookRateState, now: number, policy: EndpointPolicy, json: unknown, answer: (refusal: Refusal) => Answer): Verdict | undefined {
    const refusal = admit(state, now, policy);
    return refusal === undefined ? undefined : withJson({ answer: answer(refusal), outcome: 'throttled', reason: refusal.reason }, json);
}

/**
 * Judges a legacy connector request. The connector's own checks (JSON, shape, MessageCard summary)
 * come first and cost no budget; then Teams counts the request in its windows, and only a counted
 * request can be refused as too large (wrapped 413) or unrenderable (wrapped 400).
 *
 * @example
 * judgeConnectorRequest({ text: '{"text":"hi"}', byteLength: 13, truncated: false }, state, now, policy);
 * // → { answer: { status: 200, body: '1', … }, outcome: 'delivered', rendered: true, json: { text: 'hi' } }
 */
export function judgeConnectorRequest(body: ReceivedBody, state: WebhookRateState, now: number, policy: EndpointPolicy): Verdict {
    const payload = parseConnectorPayload(body.text);
    if (!payload.ok) {
        return withJson({ answer: connectorRejection(payload.rejection), outcome: 'rejected', reason: payload.rejection }, payload.json);
    }
    const throttled = throttledVerdict(state, now, policy, payload.json, () => wrappedConnectorError(429, policy.throttleWording()));
    if (throttled !== undefined) return throttled;
    if (body.byteLength > policy.maxBytes) {
        const reason = `${body.byteLength} bytes over ${policy.maxBytes}`;
        return withJson({ answer: wrappedConnectorError(413), outcome: 'rejected', reason }, payload.json);
    }
    const problem = findRenderProblem(payload.json, payload.format);
    if (problem !== undefined) {
        return withJson({ answer: wrappedConnectorError(400), outcome: 'rejected', reason: problem }, payload.json);
    }
    return withJson({ answer: connectorDelivered, outcome: 'delivered', rendered: true }, payload.json);
}

/**
 * Judges a Workflows request. A schema mismatch is the only synchronous content error (400 JSON,
 * no budget spent); then the trigger's windows apply (429 JSON with `Retry-After`, the seconds until
 * the webhook takes a request again). Everything else is accepted with 202, and the flow then posts
 * the card as Flow bot through its owner's Teams connection: a post over the connection's budget is
 * recorded as `flowPost: 'throttled'` (throttled inside the flow), and what Teams cannot show (card
 * version above 1.4, non-Adaptive content, `Action.Submit`, over `maxBytes`) as `rendered: false`.
 * Neither changes the answer: the sender sees only the 202.
 *
 * @example
 * judgeWorkflowsRequest(body, state, connection, now, policy);
 * // → { answer: { status: 202, body: '' }, outcome: 'delivered', flowPost: 'posted', rendered: true, json }
 */
export function judgeWorkflowsRequest(
    body: ReceivedBody,
    state: WebhookRateState,
    connection: SlidingWindowLog,
    now: number,
    policy: EndpointPolicy,
): Verdict {
    const payload = parseWorkflowsPayload(body.text);
    if (!payload.ok) {
        return withJson({ answer: workflowsSchemaMismatch(payload.problem), outcome: 'rejected', reason: payload.problem }, payload.json);
    }
    const throttled = throttledVerdict(state, now, policy, payload.json, ({ retryAt }) =>
        workflowsThrottled(retryAfterValue(secondsUntil(retryAt, now), now, 'seconds')),
    );
    if (throttled !== undefined) return throttled;
    const overBudget = connection.exceeded(now);
    if (overBudget !== undefined) {
        const { max, windowMs } = overBudget.limit;
        const reason = `throttled inside the flow: its connection is over ${max} per ${windowMs} ms`;
        return { answer: workflowsAccepted, outcome: 'delivered', flowPost: 'throttled', rendered: false, reason, json: payload.json };
    }
    connection.add(now);
    const renderProblem = findWorkflowsRenderProblem(payload.json);
    const problem =
        body.byteLength > policy.maxBytes
            ? `the flow's post is too large: ${body.byteLength} bytes over ${policy.maxBytes}`
            : renderProblem === undefined
              ? undefined
              : `shown as "${WORKFLOWS_CARD_NOT_DISPLAYED}": ${renderProblem}`;
    if (problem !== undefined) {
        return { answer: workflowsAccepted, outcome: 'delivered', flowPost: 'posted', rendered: false, reason: problem, json: payload.json };
    }
    return { answer: workflowsAccepted, outcome: 'delivered', flowPost: 'posted', rendered: true, json: payload.json };
}
