/** How a simulated webhook judges one request: content checks, fixed windows, size and rendering. */
import {
    connectorDelivered,
    connectorRejection,
    wrappedConnectorError,
    workflowsAccepted,
    workflowsFaultAnswers,
    workflowsSchemaMismatch,
    workflowsThrottled,
    type Answer,
    type ThrottleWording,
} from './answers.js';
import { BLOCK_TRIGGER_MIN_WINDOW_MS } from './limits.js';
import { findRenderProblem, findWorkflowsRenderProblem, parseConnectorPayload, parseWorkflowsPayload } from './payloads.js';
import type { Outcome } from './records.js';
import type { FixedWindowCounter } from './windows.js';

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
    /** The body was longer than the simulator reads; `text` holds only its start. */
    readonly truncated: boolean;
}

/** The simulator's decision on one request. */
export interface Verdict {
    readonly answer: Answer;
    readonly outcome: Outcome;
    readonly rendered?: boolean;
    readonly reason?: string;
    readonly json?: unknown;
}

/**
 * Passes a request through the extended block and the fixed windows; returns why it is throttled,
 * or `undefined` once it has been counted.
 */
function admit(state: WebhookRateState, now: number, policy: EndpointPolicy): string | undefined {
    if (now < state.blockedUntil) {
        if (policy.countThrottled) state.counter.add(now);
        return `blocked until ${state.blockedUntil}`;
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
    return `over ${max} per ${windowMs} ms`;
}

function withJson(verdict: Verdict, json: unknown): Verdict {
    return json === undefined ? verdict : { ...verdict, json };
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
export function judgeConnectorRequest(
    body: ReceivedBody,
    state: WebhookRateState,
    now: number,
    policy: EndpointPolicy,
): Verdict {
    if (body.truncated) return { answer: wrappedConnectorError(413), outcome: 'rejected', reason: 'body too large to read' };
    const payload = parseConnectorPayload(body.text);
    if (!payload.ok) {
        return withJson({ answer: connectorRejection(payload.rejection), outcome: 'rejected', reason: payload.rejection }, payload.json);
    }
    const throttled = admit(state, now, policy);
    if (throttled !== undefined) {
        return withJson({ answer: wrappedConnectorError(429, policy.throttleWording()), outcome: 'throttled', reason: throttled }, payload.json);
    }
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
 * no budget spent); then the windows apply (429 JSON). Everything else is accepted with 202, and
 * what Teams cannot show (card version above 1.4, non-Adaptive content, `Action.Submit`, over
 * `maxBytes`) is recorded as `rendered: false`, invisible to the sender (docs/teams-facts.md#workflows-answers).
 *
 * @example
 * judgeWorkflowsRequest(body, state, now, policy); // → { answer: { status: 202, body: '' }, outcome: 'delivered', rendered: true, json }
 */
export function judgeWorkflowsRequest(
    body: ReceivedBody,
    state: WebhookRateState,
    now: number,
    policy: EndpointPolicy,
): Verdict {
    if (body.truncated) return { answer: workflowsFaultAnswers[413], outcome: 'rejected', reason: 'body too large to read' };
    const payload = parseWorkflowsPayload(body.text);
    if (!payload.ok) {
        return withJson({ answer: workflowsSchemaMismatch(payload.problem), outcome: 'rejected', reason: payload.problem }, payload.json);
    }
    const throttled = admit(state, now, policy);
    if (throttled !== undefined) return { answer: workflowsThrottled, outcome: 'throttled', reason: throttled, json: payload.json };
    const problem =
        body.byteLength > policy.maxBytes ? `${body.byteLength} bytes over ${policy.maxBytes}` : findWorkflowsRenderProblem(payload.json);
    if (problem !== undefined) {
        return { answer: workflowsAccepted, outcome: 'delivered', rendered: false, reason: problem, json: payload.json };
    }
    return { answer: workflowsAccepted, outcome: 'delivered', rendered: true, json: payload.json };
}
