/** Queue trigger on the notifications queue: accepts each job into its webhook's outbox, then drains that webhook. */
import { app, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config.js';
import { DEFAULT_NOTIFICATIONS_QUEUE } from '../shared/platform/config.js';
import { ensureErrorType } from '../shared/platform/index.js';

/** Resolved when the module loads, as the Functions host reads app settings then. */
export const NOTIFICATIONS_QUEUE_NAME = process.env.NOTIFICATIONS_QUEUE?.trim() || DEFAULT_NOTIFICATIONS_QUEUE;

/**
 * Handles one notification job message. The message completes only once its job is in the outbox
 * (or dead-lettered with its validation errors); a failure before that throws, so the message comes
 * back. A failure while draining is logged but does not fail the message: the job is safe, and a
 * wake-up or the sweep sends it.
 */
async function deliver(message: unknown, context: InvocationContext): Promise<void> {
    const [{ deliveryRuntime, sendWakeup }, { acceptQueueMessage, drainWebhook }, { trackDeliveryEvent, trackEvent }] = await Promise.all([
        import('../shared/notify/azure.js'),
        import('../shared/notify/index.js'),
        import('../shared/platform/index.js'),
    ]);
    const runtime = await deliveryRuntime(getConfig());
    const messageId = typeof context.triggerMetadata?.id === 'string' ? context.triggerMetadata.id : context.invocationId;
    const result = await acceptQueueMessage(message, { messageId, dequeuedAt: Date.now() }, runtime.store, runtime.config);
    if (result.kind === 'dead-lettered') {
        trackEvent(context, 'invalid-job', { messageId, reason: result.reason });
        return;
    }
    trackEvent(context, 'accepted', { webhookKey: result.webhookKey, jobId: result.jobId, outcome: result.added });
    try {
        await drainWebhook(result.webhookKey, runtime.senderDeps((event) => {
            trackDeliveryEvent(context, event);
        }));
    } catch (thrown) {
        const error = ensureErrorType(thrown);
        trackEvent(context, 'drain-failed', { webhookKey: result.webhookKey, reason: error.message });
        const now = Date.now();
        await sendWakeup(runtime.wakeupQueue, result.webhookKey, now + 5_000, now).catch(() => undefined);
    }
}

app.storageQueue('deliver', {
    queueName: NOTIFICATIONS_QUEUE_NAME,
    connection: 'AzureWebJobsStorage',
    handler: deliver,
});
