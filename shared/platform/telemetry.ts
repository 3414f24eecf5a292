/**
 * Telemetry: one structured trace per event, through the invocation context, with stable property
 * names (`event`, `webhookKey`, `alias`, `jobId`, `outcome`, `attempt`, `waitMs`, `status`, `reason`,
 * `durationMs`, `command`), so Kusto can query them. The Functions host sends every `context.log` line
 * to Application Insights as a trace; nothing here talks to Application Insights. Never a URL or a secret.
 */
import type { InvocationContext } from '@azure/functions';
import { redactUrls } from './redact.js';

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
type TelemetryEventName =
    | 'mention'
    | 'enqueued'
    | 'accepted'
    | 'invalid-job'
    | DeliveryEvent['event']
    | 'drained'
    | 'drain-failed'
    | 'bad-wakeup'
    | 'sweep'
    | 'invocation-failed';

/** Property values: scalars only, so every record flattens into one Kusto row. */
type TelemetryProperties = Readonly<Record<string, string | number | boolean | undefined>>;

/** Events that mean something needs attention: logged as warnings, which sampling never drops (see host.json). */
const WARNING_EVENTS: ReadonlySet<TelemetryEventName> = new Set(['throttled', 'dead-lettered', 'invalid-job', 'bad-wakeup']);
/** Events that mean the app itself failed. */
const ERROR_EVENTS: ReadonlySet<TelemetryEventName> = new Set(['drain-failed', 'invocation-failed']);

/**
 * The message for one event: `teams-relay.<event> {"event":"<event>",...}`, undefined properties
 * dropped and every string redacted of URLs. Pure.
 *
 * @example
 * formatTelemetry('delivered', { jobId: 'deploy-4711', attempt: 1 }); // 'teams-relay.delivered {"event":"delivered","jobId":"deploy-4711","attempt":1}'
 */
export function formatTelemetry(event: TelemetryEventName, properties: TelemetryProperties): string {
    return `${TELEMETRY_PREFIX}${event} ${JSON.stringify({ event, ...redactProperties(properties) })}`;
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
 * Writes one event through the invocation context, at the level its meaning calls for, with the
 * invocation's id. The host ships the line with the invocation's own records, so there is nothing
 * to flush or wait for.
 */
export function trackEvent(context: InvocationContext, event: TelemetryEventName, properties: TelemetryProperties = {}): void {
    const message = formatTelemetry(event, { invocationId: context.invocationId, ...properties });
    if (ERROR_EVENTS.has(event)) {
        context.error(message);
    } else if (WARNING_EVENTS.has(event)) {
        context.warn(message);
    } else {
        context.log(message);
    }
}

/** Emits a sender's event. */
export function trackDeliveryEvent(context: InvocationContext, event: DeliveryEvent): void {
    const { event: name, ...properties } = event;
    trackEvent(context, name, properties);
}
