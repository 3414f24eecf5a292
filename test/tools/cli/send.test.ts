// `teams-relay send` end to end against a real Azurite: flags → validated job → plain JSON on the queue.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { afterEach, describe, expect, it } from 'vitest';
import { useAzurite } from '../../support/azurite.js';
import { expectRefused, runMain, scratchFolder, type CliRun, type RunOptions, type ScratchFolder } from './run-main.js';

const OPS_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@tenant/IncomingWebhook/abc/def';
const PEEK_LIMIT = 32;

const azurite = useAzurite();
let folder: ScratchFolder;
let queueName: string;

afterEach(async () => {
    await folder.remove();
});

/** Runs `send` against a new queue in a scratch folder; `queueName` names the queue. */
async function send(args: readonly string[], env: Readonly<Record<string, string>> = {}, options: RunOptions = {}): Promise<CliRun> {
    queueName = `notify-${randomUUID()}`;
    folder = await scratchFolder();
    return runMain(['send', ...args], {
        ...options,
        cwd: folder.path,
        env: { AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName, TEAMS_WEBHOOK_OPS: OPS_WEBHOOK, ...env },
    });
}

/** The jobs on the queue `send` used, parsed from their plain JSON text. */
async function queuedJobs(): Promise<unknown[]> {
    const queue = new QueueClient(azurite.connectionString, queueName);
    if (!(await queue.exists())) {
        return [];
    }
    const peeked = await queue.peekMessages({ numberOfMessages: PEEK_LIMIT });
    return peeked.peekedMessageItems.map((item) => JSON.parse(item.messageText) as unknown);
}

describe('teams-relay send', () => {
    it('enqueues a text job for an alias and prints its id', async () => {
        const result = await send(['--to', 'ops', '--text', 'Deployed **api** v2.3']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(await queuedJobs()).toEqual([{ id: result.stdout, createdAt: expect.any(Number) as unknown, to: 'ops', text: 'Deployed **api** v2.3' }]);
    });

    it('prints the id, createdAt, message id and queue as JSON with --json', async () => {
        const result = await send(['--to', 'ops', '--text', 'hi', '--id', 'deploy-4711', '--json']);
        expect(JSON.parse(result.stdout)).toEqual({
            id: 'deploy-4711',
            createdAt: expect.any(Number) as unknown,
            messageId: expect.any(String) as unknown,
            queue: queueName,
        });
    });

    it('sends to a URL target when --to starts with http and ALLOW_URL_TARGETS is on', async () => {
        await send(['--to', OPS_WEBHOOK, '--text', 'hi'], { ALLOW_URL_TARGETS: 'true' });
        expect(await queuedJobs()).toMatchObject([{ to: { url: OPS_WEBHOOK } }]);
    });

    it('refuses a URL target while ALLOW_URL_TARGETS is off, naming the setting, and enqueues nothing', async () => {
        const result = await send(['--to', OPS_WEBHOOK, '--text', 'hi']);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain('ALLOW_URL_TARGETS=true');
        expect(result.stderr).not.toContain(OPS_WEBHOOK);
        expect(await queuedJobs()).toEqual([]);
    });

    it('keeps --id and --created-at as given', async () => {
        await send(['--to', 'ops', '--text', 'hi', '--id', 'deploy-4711', '--created-at', '2026-11-23T10:00:00.000Z']);
        expect(await queuedJobs()).toMatchObject([{ id: 'deploy-4711', createdAt: '2026-11-23T10:00:00.000Z' }]);
    });

    it('reads --created-at digits as epoch milliseconds', async () => {
        await send(['--to', 'ops', '--text', 'hi', '--created-at', '1795428000000']);
        expect(await queuedJobs()).toMatchObject([{ createdAt: 1795428000000 }]);
    });

    it('enqueues a card template with inline --data', async () => {
        await send(['--to', 'ops', '--card', 'deployment', '--data', '{"service":"api","version":"2.3"}']);
        expect(await queuedJobs()).toMatchObject([{ card: { template: 'deployment', data: { service: 'api', version: '2.3' } } }]);
    });

    it('reads --data @file relative to the working directory', async () => {
        folder = await scratchFolder();
        await writeFile(join(folder.path, 'deploy.json'), '{"service":"api"}');
        queueName = `notify-${randomUUID()}`;
        await runMain(['send', '--to', 'ops', '--card', 'deployment', '--data', '@deploy.json'], {
            cwd: folder.path,
            env: { AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName },
        });
        expect(await queuedJobs()).toMatchObject([{ card: { template: 'deployment', data: { service: 'api' } } }]);
    });

    it('enqueues an Adaptive Card from a file', async () => {
        folder = await scratchFolder();
        const card = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Hello' }] };
        await writeFile(join(folder.path, 'card.json'), JSON.stringify(card));
        queueName = `notify-${randomUUID()}`;
        await runMain(['send', '--to', 'ops', '--adaptive-card', 'card.json'], {
            cwd: folder.path,
            env: { AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName },
        });
        expect(await queuedJobs()).toMatchObject([{ adaptiveCard: card }]);
    });

    it('takes storage and the queue name from local.settings.json', async () => {
        queueName = `notify-${randomUUID()}`;
        folder = await scratchFolder({ AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName });
        const result = await runMain(['send', '--to', 'ops', '--text', 'hi'], { cwd: folder.path });
        expect(await queuedJobs()).toMatchObject([{ id: result.stdout }]);
    });

    it('prints every problem of an invalid job, one per line, and exits 2', async () => {
        const result = await send(['--to', 'not an alias', '--text', '   ', '--id', 'a/b']);
        expect(result.code).toBe(2);
        expect(result.stderr.split('\n')).toEqual([
            'teams-relay send: invalid notification job:',
            expect.stringMatching(/^ {2}- id: /) as unknown,
            expect.stringMatching(/^ {2}- to: /) as unknown,
            expect.stringMatching(/^ {2}- text: /) as unknown,
        ]);
    });

    it('enqueues nothing for an invalid job', async () => {
        await send(['--to', 'ops', '--text', '']);
        expect(await queuedJobs()).toEqual([]);
    });

    it('warns when the alias is not configured in this environment', async () => {
        const result = await send(['--to', 'dev', '--text', 'hi']);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('warning: alias "dev" is not configured here (TEAMS_WEBHOOK_DEV); the app needs it to deliver');
    });

    it.each([
        ['naming the setting when the configuration is invalid', ['--to', 'ops', '--text', 'hi'], { NOTIFICATIONS_QUEUE: 'Not_A_Queue' }, 'NOTIFICATIONS_QUEUE must be a valid queue name'],
        ['when two content flags are given', ['--to', 'ops', '--text', 'hi', '--card', 'deployment'], {}, '--text and --card cannot be combined'],
        ['when --data is not JSON', ['--to', 'ops', '--card', 'deployment', '--data', '{service: api}'], {}, '--data is not valid JSON'],
        ['when --data comes without --card', ['--to', 'ops', '--text', 'hi', '--data', '{}'], {}, '--data goes with --card only'],
        ['when --to is missing', ['--text', 'hi'], {}, '--to is required'],
    ])('exits 2 %s', async (_, args, env, message) => {
        expectRefused(await send(args, env), message);
    });

    it('exits 1 when storage cannot be reached', async () => {
        const unreachable = azurite.connectionString.replace(/QueueEndpoint=[^;]+/, 'QueueEndpoint=http://127.0.0.1:9/devstoreaccount1');
        const openQueue = (_storage: unknown, name: string) => new QueueClient(unreachable, name, { retryOptions: { maxTries: 1 } });
        const result = await send(['--to', 'ops', '--text', 'hi'], {}, { openQueue });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^teams-relay send: /);
    });
});
