/** What the simulator records about each request, and the per-outcome counts. */
import type { FaultKind } from './faults.js';

/** Which kind of incoming webhook a request was sent to. */
export type Dialect = 'connector' | 'workflows';

/**
 * - `delivered`: Teams took the message (connector `1`, Workflows `202`), rendered or not.
 * - `throttled`: refused by a fixed window or the extended block.
 * - `rejected`: refused for its content or because the webhook was removed.
 * - `fault`: an injected fault decided the answer.
 */
export type Outcome = 'delivered' | 'throttled' | 'rejected' | 'fault';

/** Every outcome, in a stable order. */
export const OUTCOMES = ['delivered', 'throttled', 'rejected', 'fault'] as const satisfies readonly Outcome[];

/** One request as the simulator saw and answered it. */
export interface ReceivedRequest {
    /** The webhook's name (as given to `connectorUrl`/`workflowsUrl`), or the path for other URLs. */
    readonly webhook: string;
    /** The request path, without the query string. */
    readonly path: string;
    readonly dialect: Dialect;
    /** Arrival time on the simulator's clock (ms). */
    readonly at: number;
    readonly bodyText: string;
    /** The body parsed as JSON, when it parsed. */
    readonly json?: unknown;
    /** The HTTP status sent; 0 when no answer was sent (`reset`, `hang` without delay). */
    readonly status: number;
    /** The body sent. */
    readonly answer: string;
    readonly outcome: Outcome;
    /** For delivered requests: whether Teams could show the message. */
    readonly rendered?: boolean;
    /** The injected fault, if any; a `hang` with `delayMs` keeps the normal outcome, only its answer is late. */
    readonly fault?: FaultKind;
    /** Why the request was rejected, throttled or not rendered. */
    readonly reason?: string;
}

/** Counts per outcome for one webhook. */
export type OutcomeStats = Readonly<Record<Outcome | 'total', number>>;

/**
 * Counts records per outcome.
 *
 * @example
 * countOutcomes(sim.received('ops')); // → { delivered: 4, throttled: 1, rejected: 0, fault: 0, total: 5 }
 */
export function countOutcomes(records: readonly ReceivedRequest[]): OutcomeStats {
    const counts = { delivered: 0, throttled: 0, rejected: 0, fault: 0, total: records.length };
    for (const record of records) counts[record.outcome] += 1;
    return counts;
}
