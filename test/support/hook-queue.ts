/** The set-up of a producer endpoint test: a private Azurite, the app's settings pointing at it, and the queue its jobs land on. */
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { resetConfig } from '../../shared/config.js';
import { startAzurite, type TestAzurite } from './azurite.js';

/** Reads what a test's handler put on the queue. */
export interface HookQueue {
    /** The notifications queue. */
    readonly queue: () => QueueClient;
    /** The jobs on the queue, parsed (up to 32). */
    readonly queuedJobs: () => Promise<Record<string, unknown>[]>;
}

/**
 * Starts Azurite for the test file, sets `env` plus storage and `NOTIFICATIONS_QUEUE` in
 * `process.env` (restored afterwards), and empties the queue before each test.
 *
 * @example
 * const hooks = useHookQueue('hooks-github-test', { GITHUB_WEBHOOK_SECRET: 'x', TEAMS_WEBHOOK_OPS: '...' });
 */
export function useHookQueue(queueName: string, env: Readonly<Record<string, string>>): HookQueue {
    const savedEnv = { ...process.env };
    let azurite: TestAzurite | undefined;
    let queue: QueueClient | undefined;

    beforeAll(async () => {
        azurite = await startAzurite();
        Object.assign(process.env, env, { AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName });
        resetConfig();
        queue = new QueueClient(azurite.connectionString, queueName);
    });

    afterAll(async () => {
        process.env = { ...savedEnv };
        resetConfig();
        await azurite?.stop();
    });

    beforeEach(async () => {
        if (queue !== undefined && (await queue.exists())) {
            await queue.clearMessages();
        }
    });

    const current = (): QueueClient => {
        if (queue === undefined) {
            throw new Error('The hook queue is set up in beforeAll');
        }
        return queue;
    };
    return {
        queue: current,
        async queuedJobs() {
            const { receivedMessageItems } = await current().receiveMessages({ numberOfMessages: 32 });
            return receivedMessageItems.map((item) => JSON.parse(item.messageText) as Record<string, unknown>);
        },
    };
}
