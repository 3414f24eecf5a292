/** POST /api/notifications: validates a notification job and enqueues it; answers 202 with its id. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { getConfig } from '../shared/config.js';
import { ClientError, readBodyWithin, toErrorResponse } from '../shared/platform/index.js';

/** Largest body accepted: a queue message holds 64 KiB, and a job's payload must stay under 24 KB anyway. */
const MAX_NOTIFICATION_BODY_BYTES = 64 * 1024;

let queue: QueueClient | undefined;

/**
 * Validates the body as a notification job (nesting depth, schema, card template, target alias or
 * allowed host, then the destination's card rules and the size, as the sender checks them) and
 * enqueues it with an id and `createdAt`. `400` lists every problem, each naming its field.
 */
export async function notifications(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    try {
        const config = getConfig();
        const raw = await readBodyWithin(request, MAX_NOTIFICATION_BODY_BYTES);
        let value: unknown;
        try {
            value = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
            throw new ClientError('bad_json', 'The body is not valid JSON');
        }
        const [{ checkJob }, { enqueueNotification }, { createQueueClient }, { trackEvent }] = await Promise.all([
            import('../shared/notify/index.js'),
            import('../shared/notify/azure.js'),
            import('../shared/platform/azure.js'),
            import('../shared/platform/index.js'),
        ]);
        const checked = await checkJob(value, config);
        if (!checked.ok) {
            return { status: 400, jsonBody: { error: 'invalid_job', problems: checked.problems } };
        }
        if (queue === undefined) {
            queue = createQueueClient(config.storage, config.queues.notifications);
            await queue.createIfNotExists();
        }
        const enqueued = await enqueueNotification(checked.job, { queue, config });
        trackEvent(context, 'enqueued', { jobId: enqueued.id, alias: checked.target.alias });
        return { status: 202, jsonBody: { id: enqueued.id } };
    } catch (thrown) {
        return toErrorResponse(thrown, context);
    }
}

app.http('notifications', { methods: ['POST'], authLevel: 'function', route: 'notifications', handler: notifications });
