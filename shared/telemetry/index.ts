/** Structured delivery logs with stable property names, through the invocation context. Never a URL or a secret. */
import type { InvocationContext } from '@azure/functions';
import type { DeliveryEvent } from '../delivery/sender.js';

/** Logs a delivery event as one line with a stable JSON shape: failures as warnings, the rest as information. */
export function logDeliveryEvent(context: InvocationContext, event: DeliveryEvent): void {
    const line = `teams-relay ${event.event} ${JSON.stringify(event)}`;
    if (event.event === 'dead-lettered' || event.event === 'throttled') {
        context.warn(line);
    } else {
        context.log(line);
    }
}
