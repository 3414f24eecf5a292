/** Producing notification jobs: validate, assign an id and `createdAt`, and put them on the queue as plain JSON. */
import { randomUUID } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import { checkCardData } from '../cards/index.js';
import type { StorageSetting } from '../platform/config.js';
import { ClientError } from '../platform/index.js';
import { URL_TARGETS_OFF } from './accept.js';
import { createdAtMs, stampCreatedAt, validateJob, type NotificationJob } from './jobs.js';
import { DEFAULT_ALLOW_URL_TARGETS, type NotifyConfig } from './settings.js';
import { createQueueClient } from '../platform/azure.js';

/** Time to live that makes a queue message never expire (Azure Queue Storage, Put Message: `-1`). */
export const NEVER_EXPIRES = -1;

/**
 * Largest queue message Azure Storage accepts, in bytes (Azure Queue Storage, Put Message: 64 KiB).
 * The app's `host.json` reads messages as plain text (`messageEncoding: "none"`), so this is the JSON itself.
 */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/** Storage's error code for a queue that does not exist yet (Queue service error codes). */
const QUEUE_NOT_FOUND = 'QueueNotFound';

/** Opens a client for a queue in the configured storage account. */
export type QueueOpener = (storage: StorageSetting, queueName: string) => QueueClient;

/** Where {@link enqueueNotification} sends: a queue client, or the app's configuration (its notifications queue). */
export type EnqueueOptions =
    | {
          /** The queue to send to, used as is. */
          readonly queue: QueueClient;
          /** Configuration saying whether `{url}` targets are allowed. @default `{url}` targets off, as `ALLOW_URL_TARGETS` is by default */
          readonly config?: Pick<NotifyConfig, 'targets'>;
      }
    | {
          /** Configuration naming the storage and the notifications queue (the process's: `getConfig()` of `shared/config.ts`). */
          readonly config: Pick<NotifyConfig, 'storage' | 'queues' | 'targets'>;
          /** How to open the queue client. @default createQueueClient from `shared/platform/storage.ts` */
          readonly openQueue?: QueueOpener;
      };

/** What {@link enqueueNotification} put on the queue. */
export interface EnqueuedNotification {
    /** The job id: the producer's, or a new UUID. */
    readonly id: string;
    /** The job's `createdAt` in epoch ms: the producer's, or a fresh stamp. */
    readonly createdAt: number;
    /** The queue message id Azure Storage assigned. */
    readonly messageId: string;
}

/** Whether the options allow `{url}` targets. */
function allowsUrlTargets(options: EnqueueOptions): boolean {
    return options.config?.targets.allowUrlTargets ?? DEFAULT_ALLOW_URL_TARGETS;
}

function queueFrom(options: EnqueueOptions): QueueClient {
    if ('queue' in options) {
        return options.queue;
    }
    const open = options.openQueue ?? createQueueClient;
    return open(options.config.storage, options.config.queues.notifications);
}

function invalidJob(problems: readonly string[]): ClientError {
    return new ClientError('invalid_job', `Invalid notification job:\n  - ${problems.join('\n  - ')}`);
}

function isQueueNotFound(error: unknown): boolean {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === QUEUE_NOT_FOUND;
}

/**
 * Validates a notification job (a `card` against its template's data schema too) and puts it on
 * the notifications queue as plain JSON text that never expires. Assigns `id` (a UUID) and
 * `createdAt` (strictly increasing per process) when absent; creates the queue on first use if it
 * does not exist yet.
 *
 * @throws {ClientError} `invalid_job` listing every problem, each naming its field (`card.data.<path>`
 * for template data), or refusing a `{url}` target while `ALLOW_URL_TARGETS` is off (the
 * configuration given; without one, `{url}` targets are off); nothing is sent.
 * @throws {ClientError} `job_too_large` (413) when the JSON exceeds {@link MAX_QUEUE_MESSAGE_BYTES}.
 * @example
 * const { id } = await enqueueNotification({ to: 'ops', text: 'Deployed **api** v2.3' }, { config: getConfig() });
 * await enqueueNotification({ id: 'deploy-4711', to: 'ops', text: 'hi' }, { queue: queueClient });
 */
export async function enqueueNotification(job: NotificationJob, options: EnqueueOptions): Promise<EnqueuedNotification> {
    const validation = validateJob(job);
    if (!validation.ok) {
        throw invalidJob(validation.problems);
    }
    const valid = validation.job;
    // The app refuses {url} targets unless ALLOW_URL_TARGETS is on; say so now rather than in a dead letter.
    if (typeof valid.to !== 'string' && !allowsUrlTargets(options)) {
        throw invalidJob([URL_TARGETS_OFF]);
    }
    const cardProblems = valid.card === undefined ? [] : checkCardData(valid.card.template, valid.card.data);
    if (cardProblems.length > 0) {
        throw invalidJob(cardProblems);
    }
    const id = valid.id ?? randomUUID();
    const createdAt = createdAtMs(valid) ?? stampCreatedAt();
    const text = JSON.stringify({ ...valid, id, createdAt: valid.createdAt ?? createdAt });
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_QUEUE_MESSAGE_BYTES) {
        throw new ClientError(
            'job_too_large',
            `The job is ${bytes} bytes of JSON; a queue message holds at most ${MAX_QUEUE_MESSAGE_BYTES}`,
            413,
        );
    }
    const queue = queueFrom(options);
    const send = () => queue.sendMessage(text, { messageTimeToLive: NEVER_EXPIRES });
    let sent: Awaited<ReturnType<typeof send>>;
    try {
        sent = await send();
    } catch (error) {
        if (!isQueueNotFound(error)) {
            throw error;
        }
        await queue.createIfNotExists();
        sent = await send();
    }
    return { id, createdAt, messageId: sent.messageId };
}
