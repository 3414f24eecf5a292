/**
 * Telemetry: one structured trace per event, through the invocation context, with stable property
 * names (`event`, `webhookKey`, `alias`, `jobId`, `outcome`, `attempt`, `waitMs`, `status`, `reason`,
 * `durationMs`, `command`), so Kusto can query them. Never a URL or a secret.
 */
import type { InvocationContext } from '@azure/functions';
import type { DeliveryEvent } from '../delivery/sender.js';

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

const URL_PATTERN = /\bhttps?:\/\/([^/\s"'?#]+)[^\s"']*/gi;

/** Replaces every URL in a text with its scheme and host: webhook URLs are bearer secrets. */
export function redactUrls(text: string): string {
    return text.replace(URL_PATTERN, (_url, host: string) => `https://${host}/…`);
}

/**
 * The message for one event: `teams-relay.<event> {"event":"<event>",...}`, undefined properties
 * dropped and every string redacted of URLs. Pure.
 *
 * @example
 * formatTelemetry('delivered', { jobId: 'deploy-4711', attempt: 1 }); // 'teams-relay.delivered {"event":"delivered","jobId":"deploy-4711","attempt":1}'
 */
export function formatTelemetry(event: TelemetryEventName, properties: TelemetryProperties): string {
    const record: Record<string, string | number | boolean> = { event };
    for (const [key, value] of Object.entries(properties)) {
        if (value !== undefined) {
            record[key] = typeof value === 'string' ? redactUrls(value) : value;
        }
    }
    return `${TELEMETRY_PREFIX}${event} ${JSON.stringify(record)}`;
}

/** Emits one event through the invocation context, at the level its meaning calls for. */
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
