/** The delivery engine wired to real storage and HTTP, once per process. Loaded lazily by the queue and timer functions. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { QueueClient } from '@azure/storage-queue';
import { type DeliveryEvent, wakeupQueueName } from '../platform/index.js';
import { teamsConnectionOf } from './limit-profiles.js';
import type { OutboxJob, OutboxStore } from './outbox/index.js';
import { createTableOutboxStore } from './outbox/table-store.js';
import { createQueueClient, createTableClient, DEAD_LETTER_TABLE_NAME, OUTBOX_TABLE_NAME } from '../platform/azure.js';
import { resolveSendTarget } from './accept.js';
import { postToWebhook } from './post.js';
import type { SenderDeps } from './sender.js';
import type { NotifyConfig } from './settings.js';
import { webhookKey } from './webhook-target.js';
import { visibilityTimeoutSeconds, type WakeupMessage } from './wakeup.js';

/** The engine's parts for this process. */
export interface DeliveryRuntime {
    readonly config: NotifyConfig;
    readonly store: OutboxStore;
    readonly wakeupQueue: QueueClient;
    /** Sender dependencies; `log` goes to the given sink. */
    senderDeps(log: (event: DeliveryEvent) => void): SenderDeps;
}

/** Identifies this process; each sender in it adds its own suffix (see `senderDeps`). */
const PROCESS_OWNER = `${hostname()}-${process.pid}`;

/** Sends a wake-up message that becomes visible at `at`. */
export async function sendWakeup(queue: QueueClient, webhook: string, at: number, now: number): Promise<void> {
    const message: WakeupMessage = { webhook, wakeAt: at };
    await queue.sendMessage(JSON.stringify(message), { visibilityTimeout: visibilityTimeoutSeconds(at, now), messageTimeToLive: -1 });
}

/** Builds the runtime for a configuration (tests build their own). */
export async function createDeliveryRuntime(config: NotifyConfig): Promise<DeliveryRuntime> {
    const store = createTableOutboxStore({
        outbox: createTableClient(config.storage, OUTBOX_TABLE_NAME),
        deadLetters: createTableClient(config.storage, DEAD_LETTER_TABLE_NAME),
    });
    await store.ensureTables();
    const wakeupQueue = createQueueClient(config.storage, wakeupQueueName(config.queues.notifications));
    await wakeupQueue.createIfNotExists();
    const resolveTarget = (job: OutboxJob): URL => resolveSendTarget(job, config);
    return {
        config,
        store,
        wakeupQueue,
        senderDeps: (log) => ({
            store,
            post: postToWebhook,
            scheduleWakeup: (webhook, at, now) => sendWakeup(wakeupQueue, webhook, at, now),
            resolveTarget,
            now: Date.now,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            random: Math.random,
            // One lease owner per invocation, not per process: a host runs many invocations at once, and
            // a lease shared by all of them would let two senders in one process post the same head job.
            owner: `${PROCESS_OWNER}-${randomUUID().slice(0, 8)}`,
            settings: config.delivery,
            log,
            teamsConnection: (url) => teamsConnectionOf(url, config.targets.connections),
            relayFlow: (url) => config.targets.relayFlows.has(webhookKey(url)),
        }),
    };
}

let runtime: { readonly config: NotifyConfig; readonly created: Promise<DeliveryRuntime> } | undefined;

/**
 * The process-wide runtime for `config` (the process's, `getConfig()` of `shared/config.ts`), created
 * on first use and again only when the configuration is another one.
 */
export function deliveryRuntime(config: NotifyConfig): Promise<DeliveryRuntime> {
    if (runtime?.config !== config) {
        const created: Promise<DeliveryRuntime> = createDeliveryRuntime(config).catch((thrown: unknown) => {
            if (runtime?.created === created) {
                runtime = undefined;
            }
            throw thrown;
        });
        runtime = { config, created };
    }
    return runtime.created;
}
