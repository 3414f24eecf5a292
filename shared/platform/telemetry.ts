/**
 * Telemetry: one structured trace per event, through the invocation context, with stable property
 * names (`event`, `webhookKey`, `alias`, `jobId`, `outcome`, `attempt`, `waitMs`, `status`, `reason`,
 * `durationMs`, `command`), so Kusto can query them; the same event as a custom event and a few metrics
 * through the process's telemetry sink. Never a URL or a secret.
 */
import type { InvocationContext } from '@azure/functions';
import { redactUrls } from './redact.js';
import { telemetrySink } from './app-insights.js';

export { flushTelemetry } from './app-insights.js';
export { redactUrls } from './redact.js';

/**
 * What the sender reports for logs and metrics. Never holds a URL. `delivered`: Teams confirmed the
 * post (a connector's `1`); `flow-accepted`: a Workflows trigger took the job (2xx), and whether the
 * flow then posted it is visible only in the flow's run history.
 */
export interface DeliveryEvent {
    readonly event: 'delivered' | 'flow-accepted' | 'throttled' | 'retrying' | 'dead-lettered' | 'deferred' | 'superseded';
    readonly webhookKey: string;
    readonly jobId?: string;
    readonly alias?: string | undefined;
    readonly attempt?: number;
    readonly status?: number | undefined;
    readonly reason?: string;
    readonly waitMs?: number;
    /** Set when the job went out inside a digest post. */
    readonly digestId?: string;
    /** The Teams connection of a Workflows webhook; on `deferred`, set when the connection's budget is what it waits for. */
    readonly connection?: string;
    /** On a relay flow: what the flow was asked to do (`post`, `reply`, `update`). */
    readonly relayAction?: string;
    /** On `superseded`: the newer job with the same `updateKey` that replaced this one. */
    readonly supersededBy?: string;
}

/** Every message starts with this, then the event name, a space and the JSON properties. */
export const TELEMETRY_PREFIX = 'teams-relay.';

/** The events the app emits. */
export type TelemetryEventName =
    | 'mention'
    | 'enqueued'
    | 'accepted'
    | 'invalid-job'
    | DeliveryEvent['event']
    | 'drained'
    | 'drain-failed'
    | 'bad-wakeup'
    | 'sweep';

/** Property values: scalars only, so every record flattens into one Kusto row. */
export type TelemetryProperties = Readonly<Record<string, string | number | boolean | undefined>>;

/** Events that mean something needs attention: logged as warnings, which sampling never drops (see host.json). */
const WARNING_EVENTS: ReadonlySet<TelemetryEventName> = new Set(['throttled', 'dead-lettered', 'invalid-job', 'bad-wakeup']);
/** Events that mean the app itself failed. */
const ERROR_EVENTS: ReadonlySet<TelemetryEventName> = new Set(['drain-failed']);

/** Metric names, in `customMetrics`. */
export const TELEMETRY_METRICS = {
    /**
     * 1 per sender decision, with `outcome` = the event (`delivered`: Teams confirmed the post;
     * `flow-accepted`: a Workflows flow took the job, see its run history; `deferred`, `throttled`,
     * `retrying`, `dead-lettered`).
     */
    jobs: 'teams-relay.jobs',
    /** `waitMs` of any event that has one, with `event`. */
    wait: 'teams-relay.wait',
    /** `durationMs` of a mention (server time), with `command`. */
    mentionDuration: 'teams-relay.mention.duration',
} as const;

/** The sender's decisions, counted by `teams-relay.jobs`. */
const JOB_OUTCOMES: ReadonlySet<TelemetryEventName> = new Set<DeliveryEvent['event']>(['delivered', 'flow-accepted', 'deferred', 'throttled', 'retrying', 'dead-lettered']);

/**
 * The message for one event: `teams-relay.<event> {"event":"<event>",...}`, undefined properties
 * dropped and every string redacted of URLs. Pure.
 *
 * @example
 * formatTelemetry('delivered', { jobId: 'deploy-4711', attempt: 1 }); // 'teams-relay.delivered {"event":"delivered","jobId":"deploy-4711","attempt":1}'
 */
export function formatTelemetry(event: TelemetryEventName, properties: TelemetryProperties): string {
    return messageOf(event, redactProperties(properties));
}

function messageOf(event: TelemetryEventName, redacted: Readonly<Record<string, string | number | boolean>>): string {
    return `${TELEMETRY_PREFIX}${event} ${JSON.stringify({ event, ...redacted })}`;
}

/** The properties without undefined values and with every string redacted of URLs. Pure. */
function redactProperties(properties: TelemetryProperties): Record<string, string | number | boolean> {
    const record: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(properties)) {
        if (value !== undefined) {
            record[key] = typeof value === 'string' ? redactUrls(value) : value;
        }
    }
    return record;
}

/**
 * Emits one event through the invocation context, at the level its meaning calls for, and queues it as a
 * custom event with its metrics. Queueing never waits on the network: the sink sends on its own timer,
 * or when a function awaits `flushTelemetry()`.
 */
export function trackEvent(context: InvocationContext, event: TelemetryEventName, properties: TelemetryProperties = {}): void {
    const redacted = redactProperties({ invocationId: context.invocationId, ...properties });
    const message = messageOf(event, redacted);
    if (ERROR_EVENTS.has(event)) {
        context.error(message);
    } else if (WARNING_EVENTS.has(event)) {
        context.warn(message);
    } else {
        context.log(message);
    }
    exportEvent(event, redacted);
}

/** Queues the custom event and the metrics one event stands for. */
function exportEvent(event: TelemetryEventName, properties: Readonly<Record<string, string | number | boolean>>): void {
    const sink = telemetrySink();
    sink.event(event, properties);
    const alias = properties.alias;
    if (JOB_OUTCOMES.has(event)) {
        sink.metric(TELEMETRY_METRICS.jobs, 1, { outcome: event, alias });
    }
    const waitMs = properties.waitMs;
    if (typeof waitMs === 'number') {
        sink.metric(TELEMETRY_METRICS.wait, waitMs, { event, alias });
    }
    const durationMs = properties.durationMs;
    if (event === 'mention' && typeof durationMs === 'number') {
        sink.metric(TELEMETRY_METRICS.mentionDuration, durationMs, { command: properties.command });
    }
}

/** Emits a sender's event. */
export function trackDeliveryEvent(context: InvocationContext, event: DeliveryEvent): void {
    const { event: name, ...properties } = event;
    trackEvent(context, name, properties);
}
