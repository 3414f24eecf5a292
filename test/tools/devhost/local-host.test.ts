// End to end: the in-process local host serving the fixture app against a private Azurite.
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startLocalHost, type LocalHost } from '../../../tools/devhost/index.js';
import { useAzurite } from '../../support/azurite.js';
import { FIXTURE_APP, FIXTURE_MAX_DEQUEUE_COUNT, eventually, recordingLog } from './fixture-app.js';
import { useStarted } from '../../support/use-started.js';

interface Received {
    input: unknown;
    triggerMetadata: Record<string, unknown>;
    functionName: string;
}

const azurite = useAzurite();

function queueService(): QueueServiceClient {
    return QueueServiceClient.fromConnectionString(azurite.connectionString);
}

async function receivedBy(host: LocalHost, count: number): Promise<Received[]> {
    return eventually(`${count} recorded message(s)`, async () => {
        const list = (await (await fetch(`${host.url}/api/received`)).json()) as Received[];
        return list.length >= count ? list : undefined;
    });
}

async function peekAll(queue: QueueClient): Promise<string[]> {
    const peeked = await queue.peekMessages({ numberOfMessages: 32 });
    return peeked.peekedMessageItems.map((item) => item.messageText);
}

describe('local host with messageEncoding none', () => {
    const logged = recordingLog();
    const host = useStarted('the local host', () => startLocalHost({
        cwd: FIXTURE_APP,
        port: 0,
        env: { AzureWebJobsStorage: azurite.connectionString, RECORD_QUEUE: 'Plain-Recorded', FAIL_QUEUE: 'plain-failing' },
        log: logged.log,
    }));

    it('lists every registered function with its URL, queue or schedule', () => {
        const byName = new Map(host.functions.map((fn) => [fn.name, fn]));
        expect(byName.get('echo')).toMatchObject({ kind: 'http', url: `${host.url}/api/echo/{name}` });
        expect(byName.get('health')).toMatchObject({ kind: 'http', methods: ['GET'] });
        expect(byName.get('record')).toMatchObject({ kind: 'queue', queueName: 'plain-recorded', connection: 'AzureWebJobsStorage' });
        expect(byName.get('alwaysFails')).toMatchObject({ kind: 'queue', queueName: 'plain-failing' });
        expect(byName.get('tick')).toMatchObject({ kind: 'timer', schedule: '* * * * * *', runOnStartup: false });
    });

    it('listens on 127.0.0.1 only by default, and says nothing about it', () => {
        expect(host.host).toBe('127.0.0.1');
        expect(host.url).toBe(`http://127.0.0.1:${host.port}`);
        expect(logged.lines.some((line) => line.message.includes('beyond this machine'))).toBe(false);
    });

    it('cannot be reached on any other address of this machine', async () => {
        const others = Object.values(networkInterfaces())
            .flat()
            .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4')
            .map((address) => address?.address ?? '');
        for (const address of others) {
            await expect(fetch(`http://${address}:${host.port}/api/health`)).rejects.toThrow();
        }
        expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
    });

    it('answers the health function once started', async () => {
        const response = await fetch(`${host.url}/api/health`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('passes route parameters, query, headers and body in a real HttpRequest and writes the response back', async () => {
        const response = await fetch(`${host.url}/api/echo/alice?n=1`, {
            method: 'POST',
            headers: { 'x-test': 'header value' },
            body: 'héllo',
        });
        expect(response.status).toBe(201);
        expect(response.headers.get('x-echo')).toBe('yes');
        expect(response.headers.get('content-type')).toBe('application/json');
        const body = (await response.json()) as Record<string, unknown>;
        expect(body).toMatchObject({
            method: 'POST',
            params: { name: 'alice' },
            query: { n: '1' },
            header: 'header value',
            body: 'héllo',
            functionName: 'echo',
        });
        expect(body['url']).toBe(`${host.url}/api/echo/alice?n=1`);
        expect(body['invocationId']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 404 when the segment of a route parameter is missing', async () => {
        expect((await fetch(`${host.url}/api/echo`)).status).toBe(404);
    });

    it('answers 404 for an unknown route', async () => {
        expect((await fetch(`${host.url}/api/nope`)).status).toBe(404);
        expect((await fetch(`${host.url}/health`)).status).toBe(404);
    });

    it('answers 405 with Allow for a method the function does not accept', async () => {
        const response = await fetch(`${host.url}/api/health`, { method: 'DELETE' });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET');
    });

    it('answers 500 with a generic body when a handler throws, and logs the error', async () => {
        const response = await fetch(`${host.url}/api/boom`);
        expect(response.status).toBe(500);
        expect(await response.text()).not.toContain('secret');
        expect(logged.lines.some((line) => line.level === 'error' && line.message.includes('fixture failure'))).toBe(true);
        expect(logged.lines.some((line) => line.message === '[boom] about to fail')).toBe(true);
    });

    it('serves authLevel function without a key and says keys are not enforced', async () => {
        const response = await fetch(`${host.url}/api/keyed`, { method: 'POST' });
        expect(await response.text()).toBe('keyed ok');
        expect(logged.lines.some((line) => line.message.includes('"keyed"') && line.message.includes('not enforced'))).toBe(true);
    });

    it('delivers a plain JSON message parsed, with trigger metadata', async () => {
        const queue = queueService().getQueueClient('plain-recorded');
        const sent = await queue.sendMessage(JSON.stringify({ id: 'job-1', to: 'ops', text: 'hi' }));
        const [first] = await receivedBy(host, 1);
        expect(first?.input).toEqual({ id: 'job-1', to: 'ops', text: 'hi' });
        const metadata = first?.triggerMetadata ?? {};
        expect(metadata).toMatchObject({
            id: sent.messageId,
            queueTrigger: '{"id":"job-1","to":"ops","text":"hi"}',
            dequeueCount: 1,
            insertionTime: sent.insertedOn.toISOString(),
            expirationTime: sent.expiresOn.toISOString(),
        });
        expect(typeof metadata['popReceipt']).toBe('string');
        expect(Date.parse(String(metadata['nextVisibleTime']))).toBeGreaterThan(Date.now());
        await eventually('the message to be deleted', async () => ((await peekAll(queue)).length === 0 ? true : undefined));
    });

    it('delivers non-JSON text as a string', async () => {
        const queue = queueService().getQueueClient('plain-recorded');
        await queue.sendMessage('just words');
        const list = await receivedBy(host, 2);
        expect(list[1]?.input).toBe('just words');
    });

    it(`moves a message whose handler always throws to <queue>-poison after exactly ${FIXTURE_MAX_DEQUEUE_COUNT} attempts`, async () => {
        const poison = queueService().getQueueClient('plain-failing-poison');
        await queueService().getQueueClient('plain-failing').sendMessage('{"doomed":true}');
        const poisoned = await eventually('a poison message', async () => {
            const texts = await peekAll(poison);
            return texts.length > 0 ? texts : undefined;
        });
        expect(poisoned).toEqual(['{"doomed":true}']);
        const attempts = (await (await fetch(`${host.url}/api/attempts`)).json()) as { dequeueCount: number }[];
        expect(attempts.map((attempt) => attempt.dequeueCount)).toEqual([1, 2, 3]);
        expect(await peekAll(queueService().getQueueClient('plain-failing'))).toEqual([]);
    });
});

describe('local host with messageEncoding base64', () => {
    const host = useStarted('the local host', () => startLocalHost({
        cwd: FIXTURE_APP,
        port: 0,
        env: { AzureWebJobsStorage: azurite.connectionString, RECORD_QUEUE: 'b64-recorded', FAIL_QUEUE: 'b64-failing' },
        queues: { messageEncoding: 'base64' },
        log: () => undefined,
    }));

    it('delivers base64-encoded JSON parsed, with the decoded text as queueTrigger', async () => {
        const text = JSON.stringify({ to: 'ops', text: 'encoded' });
        await queueService().getQueueClient('b64-recorded').sendMessage(Buffer.from(text).toString('base64'));
        const [first] = await receivedBy(host, 1);
        expect(first?.input).toEqual({ to: 'ops', text: 'encoded' });
        expect(first?.triggerMetadata['queueTrigger']).toBe(text);
    });

    it('moves a message that is not base64 to <queue>-poison without invoking the function', async () => {
        await queueService().getQueueClient('b64-recorded').sendMessage('{"not":"base64"}');
        const poisoned = await eventually('a poison message', async () => {
            const texts = await peekAll(queueService().getQueueClient('b64-recorded-poison'));
            return texts.length > 0 ? texts : undefined;
        });
        expect(poisoned).toEqual(['{"not":"base64"}']);
        const list = (await (await fetch(`${host.url}/api/received`)).json()) as Received[];
        expect(list).toHaveLength(1);
    });
});

describe('local host with HOST and FUNCTIONS_REQUEST_BODY_SIZE_LIMIT set', () => {
    const logged = recordingLog();
    /** A small limit, so the test need not send megabytes. */
    const LIMIT = 1_024;
    const host = useStarted('the local host', () => startLocalHost({
        cwd: FIXTURE_APP,
        port: 0,
        env: {
            AzureWebJobsStorage: azurite.connectionString,
            RECORD_QUEUE: 'wide-recorded',
            FAIL_QUEUE: 'wide-failing',
            HOST: '0.0.0.0',
            FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(LIMIT),
        },
        log: logged.log,
    }));

    it('listens where HOST says, and warns that function keys are not enforced', async () => {
        expect(host.host).toBe('0.0.0.0');
        expect(host.url).toBe(`http://127.0.0.1:${host.port}`);
        expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
        const warning = logged.lines.find((line) => line.level === 'warn' && line.message.includes('beyond this machine'));
        expect(warning?.message).toMatch(/^Listening on 0\.0\.0\.0, beyond this machine: function keys are not enforced locally/);
    });

    it('refuses a body over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT with 413 before any function runs, as the Functions host does', async () => {
        const over = await fetch(`${host.url}/api/echo/big`, { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
        expect(over.status).toBe(413);
        const within = await fetch(`${host.url}/api/echo/small`, { method: 'POST', body: 'x'.repeat(LIMIT) });
        expect(within.status).toBe(201);
    });

    it('refuses an oversized body sent in chunks, without a declared length', async () => {
        const chunks = new ReadableStream<Uint8Array>({
            start(controller) {
                controller.enqueue(Buffer.alloc(LIMIT, 0x78));
                controller.enqueue(Buffer.alloc(LIMIT, 0x78));
                controller.close();
            },
        });
        const response = await fetch(`${host.url}/api/echo/chunked`, { method: 'POST', body: chunks, duplex: 'half' });
        expect(response.status).toBe(413);
    });
});
