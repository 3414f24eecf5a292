/** Queue trigger on the wake-up queue: drains a webhook when its next slot has come. */
import { app, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config.js';
import { wakeupQueueName } from '../shared/platform/index.js';
import { NOTIFICATIONS_QUEUE_NAME } from './deliver.js';

/** The wake-up queue beside the notifications queue. */
export const WAKEUP_QUEUE_NAME = wakeupQueueName(NOTIFICATIONS_QUEUE_NAME);

/** Drains the webhook a wake-up names. A malformed wake-up is logged and dropped: it carries no job. */
async function wake(message: unknown, context: InvocationContext): Promise<void> {
    const [{ deliveryRuntime }, { drainWebhook, wakeupMessageSchema }, { trackDeliveryEvent, trackEvent }] = await Promise.all([
        import('../shared/notify/azure.js'),
        import('../shared/notify/index.js'),
        import('../shared/platform/index.js'),
    ]);
    const parsed = wakeupMessageSchema.safeParse(typeof message === 'string' ? safeJson(message) : message);
    if (!parsed.success) {
        trackEvent(context, 'bad-wakeup', { reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') });
        return;
    }
    const runtime = await deliveryRuntime(getConfig());
    const result = await drainWebhook(parsed.data.webhook, runtime.senderDeps((event) => {
        trackDeliveryEvent(context, event);
    }));
    trackEvent(context, 'drained', { webhookKey: parsed.data.webhook, outcome: result.kind, sent: result.sent });
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

app.storageQueue('wake', {
    queueName: WAKEUP_QUEUE_NAME,
    connection: 'AzureWebJobsStorage',
    handler: wake,
});
