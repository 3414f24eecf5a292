// Polls one storage queue for a queue-triggered function: batches, back-off, lease renewal, retries, poison.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { QueueOptions } from './host-json.js';
import { InFlightInvocations, createInvocationContext } from './invocation.js';
import type { HostLog } from './log.js';
import { decodeMessageText, toQueueTriggerMetadata, toTriggerInput } from './queue-message.js';
import type { QueueFunction } from './triggers.js';

/** Shortest wait between polls (WebJobs SDK `QueuePollingIntervals.Minimum`, 100 ms). */
export const MIN_POLLING_INTERVAL_MS = 100;
/**
 * How long a dequeued message stays invisible while its handler runs; renewed at half-time. Ten minutes,
 * the host's own lease for queue messages (WebJobs SDK `QueueProcessor`, visibility timeout 10 min).
 */
const DEFAULT_MESSAGE_LEASE_MS = 10 * 60_000;
export { POISON_QUEUE_SUFFIX } from '../../shared/platform/index.js';

/**
 * The wait before the next poll: the minimum after a poll that found messages, otherwise double the last
 * wait up to `maxMs` (the host's exponential back-off on an empty queue).
 * @example nextPollDelay(100, false, 60_000) // 200
 */
export function nextPollDelay(previousMs: number, foundMessages: boolean, maxMs: number): number {
    if (foundMessages) return Math.min(MIN_POLLING_INTERVAL_MS, maxMs);
    return Math.min(Math.max(previousMs * 2, MIN_POLLING_INTERVAL_MS), maxMs);
}

/** What happens to a message whose handler threw (WebJobs SDK `QueueProcessor.CompleteProcessingMessageAsync`). */
export function failureOutcome(dequeueCount: number, maxDequeueCount: number): 'poison' | 'retry' {
    return dequeueCount >= maxDequeueCount ? 'poison' : 'retry';
}

/** Options of one queue listener. */
interface QueueListenerOptions {
    readonly fn: QueueFunction;
    readonly queue: QueueClient;
    readonly poisonQueue: QueueClient;
    readonly settings: QueueOptions;
    /** Invocations of the whole host, awaited on stop. */
    readonly inFlight: InFlightInvocations;
    readonly log: HostLog;
    /** @default DEFAULT_MESSAGE_LEASE_MS */
    readonly leaseMs?: number;
}

/** A running queue listener. */
export interface QueueListener {
    /** Stops polling (a running poll completes); invocations already started keep running. */
    stop(): Promise<void>;
}

function describe(error: unknown): string {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function toSeconds(ms: number): number {
    return Math.ceil(ms / 1000);
}

/** Starts polling `options.queue` and invoking the function for each message. */
export function startQueueListener(options: QueueListenerOptions): QueueListener {
    const { fn, queue, poisonQueue, settings, log } = options;
    const leaseMs = options.leaseMs ?? DEFAULT_MESSAGE_LEASE_MS;
    const mine = new InFlightInvocations();
    let stopped = false;
    let signalStop: () => void = () => undefined;
    const stopSignal = new Promise<void>((resolve) => {
        signalStop = resolve;
    });
    let poisonQueueReady: Promise<unknown> | undefined;

    /** Waits `ms`, or less when the listener stops meanwhile. */
    async function sleep(ms: number): Promise<void> {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
            new Promise<void>((resolve) => {
                timer = setTimeout(resolve, ms);
            }),
            stopSignal,
        ]);
        clearTimeout(timer);
    }

    async function moveToPoison(message: DequeuedMessageItem, popReceipt: string, why: string): Promise<void> {
        const poisonName = poisonQueue.name;
        log('warn', `${why} Moving message ${message.messageId} to queue '${poisonName}'.`);
        poisonQueueReady ??= poisonQueue.createIfNotExists();
        await poisonQueueReady;
        await poisonQueue.sendMessage(message.messageText);
        await queue.deleteMessage(message.messageId, popReceipt);
    }

    async function process(message: DequeuedMessageItem): Promise<void> {
        let popReceipt = message.popReceipt;
        const decoded = decodeMessageText(message.messageText, settings.messageEncoding);
        if (!decoded.ok) {
            await moveToPoison(message, popReceipt, `Message ${message.messageId} on '${fn.queueName}' cannot be decoded: ${decoded.reason}.`);
            return;
        }
        if (message.dequeueCount > settings.maxDequeueCount) {
            await moveToPoison(message, popReceipt, `Message has reached MaxDequeueCount of ${settings.maxDequeueCount}.`);
            return;
        }
        let renewing: Promise<void> = Promise.resolve();
        const renewal = setInterval(() => {
            renewing = renewing.then(async () => {
                try {
                    const renewed = await queue.updateMessage(message.messageId, popReceipt, undefined, toSeconds(leaseMs));
                    if (renewed.popReceipt !== undefined) popReceipt = renewed.popReceipt;
                } catch (error) {
                    log('warn', `Could not extend the visibility of message ${message.messageId}: ${describe(error)}`);
                }
            });
        }, leaseMs / 2);
        const context = createInvocationContext(
            fn.registration,
            toQueueTriggerMetadata(message, decoded.text),
            log,
        );
        const started = Date.now();
        log('info', `Executing 'Functions.${fn.name}' (Reason='New queue message detected on '${fn.queueName}'.', Id=${context.invocationId})`);
        let failure: unknown;
        let failed = false;
        try {
            await fn.handler(toTriggerInput(decoded.text), context);
        } catch (error) {
            failed = true;
            failure = error;
        } finally {
            clearInterval(renewal);
            await renewing;
        }
        const duration = Date.now() - started;
        if (!failed) {
            log('info', `Executed 'Functions.${fn.name}' (Succeeded, Id=${context.invocationId}, Duration=${duration}ms)`);
            await queue.deleteMessage(message.messageId, popReceipt);
            return;
        }
        log('error', `Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}, Duration=${duration}ms): ${describe(failure)}`);
        if (failureOutcome(message.dequeueCount, settings.maxDequeueCount) === 'poison') {
            await moveToPoison(message, popReceipt, `Message has reached MaxDequeueCount of ${settings.maxDequeueCount}.`);
        } else {
            await queue.updateMessage(message.messageId, popReceipt, undefined, toSeconds(settings.visibilityTimeoutMs));
        }
    }

    async function poll(): Promise<void> {
        let delay = MIN_POLLING_INTERVAL_MS;
        while (!stopped) {
            if (mine.size > settings.newBatchThreshold) {
                await Promise.race([mine.whenOneFinishes(), stopSignal]);
                continue;
            }
            let messages: DequeuedMessageItem[] = [];
            try {
                const response = await queue.receiveMessages({
                    numberOfMessages: settings.batchSize,
                    visibilityTimeout: toSeconds(leaseMs),
                });
                messages = response.receivedMessageItems;
            } catch (error) {
                log('warn', `Polling queue '${fn.queueName}' for function '${fn.name}' failed: ${describe(error)}`);
            }
            for (const message of messages) {
                const work = process(message).catch((error: unknown) => {
                    log('error', `Settling message ${message.messageId} on '${fn.queueName}' failed: ${describe(error)}`);
                });
                void options.inFlight.track(mine.track(work));
            }
            delay = nextPollDelay(delay, messages.length > 0, settings.maxPollingIntervalMs);
            if (messages.length === 0) await sleep(delay);
        }
    }

    const polling = poll();
    return {
        async stop(): Promise<void> {
            stopped = true;
            signalStop();
            await polling;
        },
    };
}
