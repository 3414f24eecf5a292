// enqueueNotification against a real Azurite: plain JSON messages, ids, createdAt order, refusals.
import { randomUUID } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ClientError } from '../../../shared/platform/errors.js';
import type { NotificationJob } from '../../../shared/notify/jobs.js';
import { enqueueNotification, MAX_QUEUE_MESSAGE_BYTES } from '../../../shared/notify/producer.js';
import { useAzurite } from '../../support/azurite.js';

/** Messages a queue holds, parsed; Azure peeks at most 32 at a time. */
const PEEK_LIMIT = 32;

const azurite = useAzurite();

/** A new, empty queue for one test. */
async function freshQueue(): Promise<QueueClient> {
    const queue = new QueueClient(azurite.connectionString, `jobs-${randomUUID()}`);
    await queue.create();
    return queue;
}

async function messageTexts(queue: QueueClient): Promise<string[]> {
    const peeked = await queue.peekMessages({ numberOfMessages: PEEK_LIMIT });
    return peeked.peekedMessageItems.map((item) => item.messageText);
}

describe('enqueueNotification', () => {
    it('puts the job on the queue as plain JSON with an id and createdAt', async () => {
        const queue = await freshQueue();
        const sent = await enqueueNotification({ to: 'ops', text: 'Deployed **api** v2.3' }, { queue });
        const [text] = await messageTexts(queue);
        expect(JSON.parse(text ?? '')).toEqual({ id: sent.id, createdAt: sent.createdAt, to: 'ops', text: 'Deployed **api** v2.3' });
    });

    it('assigns a UUID when the job has no id', async () => {
        const sent = await enqueueNotification({ to: 'ops', text: 'hi' }, { queue: await freshQueue() });
        expect(sent.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it("keeps the producer's id", async () => {
        const sent = await enqueueNotification({ id: 'deploy-4711', to: 'ops', text: 'hi' }, { queue: await freshQueue() });
        expect(sent.id).toBe('deploy-4711');
    });

    it("keeps the producer's createdAt as given and returns it in epoch ms", async () => {
        const queue = await freshQueue();
        const sent = await enqueueNotification({ to: 'ops', text: 'hi', createdAt: '2026-11-23T10:00:00.000Z' }, { queue });
        const [text] = await messageTexts(queue);
        expect(sent.createdAt).toBe(Date.parse('2026-11-23T10:00:00.000Z'));
        expect(JSON.parse(text ?? '')).toMatchObject({ createdAt: '2026-11-23T10:00:00.000Z' });
    });

    it('returns the queue message id', async () => {
        const queue = await freshQueue();
        const sent = await enqueueNotification({ to: 'ops', text: 'hi' }, { queue });
        const peeked = await queue.peekMessages();
        expect(peeked.peekedMessageItems[0]?.messageId).toBe(sent.messageId);
    });

    it('stamps strictly increasing createdAt for jobs sent in the same millisecond, in call order', async () => {
        const queue = await freshQueue();
        vi.useFakeTimers({ toFake: ['Date'] });
        const frozenAt = Date.now();
        const sending = ['first', 'second', 'third'].map((text) => enqueueNotification({ to: 'ops', text }, { queue }));
        vi.useRealTimers();
        const stamps = (await Promise.all(sending)).map((sent) => sent.createdAt);
        expect(stamps[0]).toBeGreaterThanOrEqual(frozenAt);
        expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
        expect(new Set(stamps).size).toBe(stamps.length);
    });

    it('sends messages that never expire', async () => {
        const queue = await freshQueue();
        await enqueueNotification({ to: 'ops', text: 'hi' }, { queue });
        const peeked = await queue.peekMessages();
        expect(peeked.peekedMessageItems[0]?.expiresOn.getUTCFullYear()).toBe(9999);
    });

    it('creates the configured notifications queue on first use', async () => {
        const queueName = `notify-${randomUUID()}`;
        const config = loadConfig({ AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName });
        const sent = await enqueueNotification({ to: 'ops', text: 'hi' }, { config });
        const [text] = await messageTexts(new QueueClient(azurite.connectionString, queueName));
        expect(JSON.parse(text ?? '')).toMatchObject({ id: sent.id });
    });

    it('rejects an invalid job with a ClientError naming every field at fault', async () => {
        const job = { to: 'not an alias', text: '', id: 'a/b' } as NotificationJob;
        const failure = await enqueueNotification(job, { queue: await freshQueue() }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ClientError);
        expect(failure).toMatchObject({ code: 'invalid_job', message: expect.stringMatching(/^ {2}- id: .+\n {2}- to: .+\n {2}- text: .+$/m) as unknown });
    });

    it('enqueues nothing for an invalid job', async () => {
        const queue = await freshQueue();
        await enqueueNotification({ to: 'ops' }, { queue }).catch(() => undefined);
        expect(await messageTexts(queue)).toEqual([]);
    });

    it('refuses a {url} target while ALLOW_URL_TARGETS is off, naming the setting, and enqueues nothing', async () => {
        const queue = await freshQueue();
        const job = { to: { url: 'https://prod-07.westeurope.logic.azure.com/workflows/x?sig=SECRET' }, text: 'hi' };
        const failure = await enqueueNotification(job, { queue, config: loadConfig({}) }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ClientError);
        expect(failure).toMatchObject({ code: 'invalid_job', message: expect.stringContaining('set ALLOW_URL_TARGETS=true') as unknown });
        expect((failure as Error).message).not.toContain('SECRET');
        expect(await messageTexts(queue)).toEqual([]);
    });

    it('enqueues a {url} target when the configuration allows them', async () => {
        const queue = await freshQueue();
        const url = 'https://prod-07.westeurope.logic.azure.com/workflows/x?sig=s';
        await enqueueNotification({ to: { url }, text: 'hi' }, { queue, config: loadConfig({ ALLOW_URL_TARGETS: 'true' }) });
        expect(JSON.parse((await messageTexts(queue))[0] ?? '{}')).toMatchObject({ to: { url } });
    });

    it('rejects a job larger than a queue message can hold, naming the limit', async () => {
        const job = { to: 'ops', text: 'x'.repeat(MAX_QUEUE_MESSAGE_BYTES) };
        await expect(enqueueNotification(job, { queue: await freshQueue() })).rejects.toMatchObject({
            code: 'job_too_large',
            message: expect.stringContaining(String(MAX_QUEUE_MESSAGE_BYTES)) as unknown,
        });
    });
});
