/** What the simulator records about each request, and the counts per webhook and per Teams connection. */
import type { FaultKind } from './faults.js';
import type { RelayRecord } from './relay.js';

/** Which kind of endpoint a request was sent to: an incoming webhook, or a relay flow of our own. */
export type Dialect = 'connector' | 'workflows' | 'relay';

/**
 * - `delivered`: Teams took the message (connector `1`), or the Workflows trigger accepted it (`202`);
 *   for Workflows, whether the flow then posted it is {@link FlowPost}.
 * - `throttled`: refused by a fixed window or the extended block.
 * - `rejected`: refused for its content or because the webhook was removed.
 * - `fault`: an injected fault decided the answer.
 */
export type Outcome = 'delivered' | 'throttled' | 'rejected' | 'fault';

/**
 * What the flow behind an accepted Workflows request did with its post:
 * - `posted`: the post fitted its Teams connection's budget (Teams may still not show it, see `rendered`);
 * - `throttled`: the post was over the connection's budget, throttled inside the flow where the sender
 *   cannot see it (the trigger had already answered 202).
 */
export type FlowPost = 'posted' | 'throttled';

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
    /** Workflows: the flow id, the `<id>` segment of the trigger path. */
    readonly flowId?: string;
    /** Workflows: the Teams connection (the flow owner's sign-in) the flow posts with. */
    readonly connection?: string;
    /**
     * Workflows, accepted requests: what the flow did with its post. Relay flows: whether the
     * connector call fitted the budget (`posted`) or was throttled (`throttled`, answered 429).
     */
    readonly flowPost?: FlowPost;
    /** Relay flows: the action and the message id answered (or not found). */
    readonly relay?: RelayRecord;
    /** For delivered requests: whether Teams showed the message (a post throttled inside the flow was not shown). */
    readonly rendered?: boolean;
    /** The injected fault, if any; a `hang` with `delayMs` keeps the normal outcome, only its answer is late. */
    readonly fault?: FaultKind;
    /** Why the request was rejected, throttled or not rendered. */
    readonly reason?: string;
}

/**
 * Counts for one webhook (or all): per outcome, and for Workflows what happened behind the 202:
 * `throttledInFlow` posts were over the connection's budget, `notRendered` posts went through but
 * Teams could not show them (card version above 1.4, `Action.Submit`, too large, ...).
 */
export type OutcomeStats = Readonly<Record<Outcome | 'total' | 'throttledInFlow' | 'notRendered', number>>;

/**
 * Counts records per outcome and inside the flow.
 *
 * @example
 * countOutcomes(sim.received('ops'));
 * // → { delivered: 4, throttled: 1, rejected: 0, fault: 0, total: 5, throttledInFlow: 0, notRendered: 0 }
 */
export function countOutcomes(records: readonly ReceivedRequest[]): OutcomeStats {
    const counts = { delivered: 0, throttled: 0, rejected: 0, fault: 0, total: records.length, throttledInFlow: 0, notRendered: 0 };
    for (const record of records) {
        counts[record.outcome] += 1;
        if (record.flowPost === 'throttled') counts.throttledInFlow += 1;
        if (record.flowPost === 'posted' && record.rendered === false) counts.notRendered += 1;
    }
    return counts;
}

/** Counts for one Teams connection, over every flow that posts with it. */
export interface ConnectionStats {
    /** Names of the webhooks (flows) that posted with this connection, by first arrival. */
    readonly flows: readonly string[];
    /** Requests the flows' triggers accepted (202). */
    readonly accepted: number;
    /** Flow-bot posts that fitted the connection's budget. */
    readonly posted: number;
    /** Posts over the budget, throttled inside the flow. */
    readonly throttledInFlow: number;
    /** Posts that went through but that Teams could not show. */
    readonly notRendered: number;
}

/**
 * Counts the accepted Workflows requests of one connection.
 *
 * @example
 * countConnection(sim.received().filter((record) => record.connection === 'default'));
 * // → { flows: ['ops', 'alerts'], accepted: 30, posted: 25, throttledInFlow: 5, notRendered: 0 }
 */
export function countConnection(records: readonly ReceivedRequest[]): ConnectionStats {
    const flows: string[] = [];
    let accepted = 0;
    let posted = 0;
    let throttledInFlow = 0;
    let notRendered = 0;
    for (const record of records) {
        if (record.flowPost === undefined) continue;
        if (!flows.includes(record.webhook)) flows.push(record.webhook);
        accepted += 1;
        if (record.flowPost === 'throttled') throttledInFlow += 1;
        else posted += 1;
        if (record.flowPost === 'posted' && record.rendered === false) notRendered += 1;
    }
    return { flows, accepted, posted, throttledInFlow, notRendered };
}

/** One webhook in a {@link SimulatorReport}: its counts, its dialect and, for Workflows, its connection (as of its latest request). */
type WebhookReport = OutcomeStats & { readonly dialect: Dialect; readonly connection?: string };

/** Version of the {@link SimulatorReport} shape; it changes only when a field changes meaning or goes away. */
export const REPORT_VERSION = 1;

/**
 * Everything the simulator counted, in a stable JSON shape (`GET /simulator/stats` answers it):
 * keyed by webhook name and by connection name, with the totals over all webhooks.
 */
export interface SimulatorReport {
    readonly version: typeof REPORT_VERSION;
    readonly webhooks: Readonly<Record<string, WebhookReport>>;
    readonly connections: Readonly<Record<string, ConnectionStats>>;
    readonly totals: OutcomeStats;
}

function appendTo(groups: Map<string, ReceivedRequest[]>, key: string, record: ReceivedRequest): void {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [record]);
    else group.push(record);
}

/**
 * Builds the report over a list of records.
 *
 * @example
 * buildReport(sim.received()).connections['default']?.throttledInFlow; // → 0 when the app kept the budget
 */
export function buildReport(records: readonly ReceivedRequest[]): SimulatorReport {
    const byWebhook = new Map<string, ReceivedRequest[]>();
    const byConnection = new Map<string, ReceivedRequest[]>();
    for (const record of records) {
        appendTo(byWebhook, record.webhook, record);
        if (record.connection !== undefined) appendTo(byConnection, record.connection, record);
    }
    const webhooks = [...byWebhook].map(([name, own]): [string, WebhookReport] => {
        const latest = own.at(-1);
        const connection = latest?.connection;
        const dialect = latest?.dialect ?? 'workflows';
        return [name, { ...countOutcomes(own), dialect, ...(connection === undefined ? {} : { connection }) }];
    });
    const connections = [...byConnection].map(([name, own]): [string, ConnectionStats] => [name, countConnection(own)]);
    return {
        version: REPORT_VERSION,
        webhooks: Object.fromEntries(webhooks),
        connections: Object.fromEntries(connections),
        totals: countOutcomes(records),
    };
}
