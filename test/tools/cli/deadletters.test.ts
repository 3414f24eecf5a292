// `teams-relay deadletters` against a real Azurite: list (table and JSON, no URL leaks), replay, purge.
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter, NewDeadLetter, OutboxStore } from '../../../shared/notify/outbox/index.js';
import { useAzurite } from '../../support/azurite.js';
import { cliStorage, type CliStorage } from './cli-storage.js';
import { expectRefused, runMain, type CliRun, type RunOptions, type ScratchFolder } from './run-main.js';

const OPS_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@tenant/IncomingWebhook/abc/def';
/** Parts of a `{url}` target that must never be printed: its path and its signature. */
const SECRET_PATH = 'workflows/5ecret0path';
const SECRET_SIG = 'sig=T0PsECRETsignature';
const URL_TARGET = `https://prod-27.westeurope.logic.azure.com:443/${SECRET_PATH}/triggers/manual/paths/invoke?api-version=2016-06-01&${SECRET_SIG}`;
const PEEK_LIMIT = 32;
const DEAD_LETTERED_AT = Date.parse('2026-11-23T10:00:00.000Z');

const azurite = useAzurite();
let folder: ScratchFolder;
/** Names of this test's queue and tables, so tests never see each other's data. */
let queueName: string;
let store: OutboxStore;
let openTable: CliStorage['openTable'];

beforeEach(async () => {
    ({ queueName, folder, store, openTable } = await cliStorage(azurite.connectionString));
});

afterEach(async () => {
    await folder.remove();
});

function queue(name: string = queueName): QueueClient {
    return new QueueClient(azurite.connectionString, name);
}

function poisonQueue(): QueueClient {
    return queue(`${queueName}-poison`);
}

async function deadletters(args: readonly string[], options: RunOptions = {}, env: Readonly<Record<string, string>> = { ALLOW_URL_TARGETS: 'true' }): Promise<CliRun> {
    return runMain(['deadletters', ...args], {
        openTable,
        prompt: () => Promise.resolve(undefined),
        ...options,
        cwd: folder.path,
        env: { AzureWebJobsStorage: azurite.connectionString, NOTIFICATIONS_QUEUE: queueName, TEAMS_WEBHOOK_OPS: OPS_WEBHOOK, ...env },
    });
}

function deliveryDeadLetter(overrides: Partial<NewDeadLetter> = {}): NewDeadLetter {
    return {
        source: 'delivery',
        jobId: 'deploy-4711',
        webhookKey: '0123456789abcdef0123456789abcdef',
        alias: 'ops',
        job: { id: 'deploy-4711', createdAt: 1795428000000, to: 'ops', text: 'Deployed **api** v2.3' },
        message: undefined,
        reason: 'Teams refused the message: bad payload',
        lastStatus: 400,
        lastBody: 'Bad payload received by generic incoming webhook.',
        attempts: 1,
        firstAttemptAt: DEAD_LETTERED_AT - 1_000,
        deadLetteredAt: DEAD_LETTERED_AT,
        ...overrides,
    };
}

function urlDeadLetter(): NewDeadLetter {
    return deliveryDeadLetter({
        jobId: 'url-job',
        alias: undefined,
        job: { id: 'url-job', createdAt: 1795428000001, to: { url: URL_TARGET }, text: 'hi' },
        lastStatus: 410,
        lastBody: `Gone: ${URL_TARGET}`,
        deadLetteredAt: DEAD_LETTERED_AT + 1,
    });
}

function validationDeadLetter(text: string): NewDeadLetter {
    return {
        source: 'validation',
        jobId: 'late-alias',
        webhookKey: undefined,
        alias: undefined,
        job: undefined,
        message: text,
        reason: 'Invalid job: to: unknown alias "dev" (configured: ops; set TEAMS_WEBHOOK_DEV)',
        lastStatus: undefined,
        lastBody: undefined,
        attempts: 0,
        firstAttemptAt: undefined,
        deadLetteredAt: DEAD_LETTERED_AT + 2,
    };
}

/** Puts a message in the poison queue as the trigger's host does, and answers its id. */
async function poison(text: string): Promise<string> {
    await poisonQueue().createIfNotExists();
    return (await poisonQueue().sendMessage(text)).messageId;
}

async function queueTexts(client: QueueClient): Promise<string[]> {
    if (!(await client.exists())) {
        return [];
    }
    const peeked = await client.peekMessages({ numberOfMessages: PEEK_LIMIT });
    return peeked.peekedMessageItems.map((item) => item.messageText);
}

interface ListedJson {
    readonly source: string;
    readonly id: string;
    readonly target: string | null;
    readonly jobId: string | null;
    readonly dequeueCount: number | null;
    readonly text: string | null;
}

describe('teams-relay deadletters list', () => {
    it('shows every dead letter with its reason, last answer and attempts, then the poison messages', async () => {
        const letter = await store.deadLetter(deliveryDeadLetter());
        const messageId = await poison('{"to":"ops","text":"boom","id":"poisoned-1"}');
        const result = await deadletters(['list']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toContain(`1 dead letter, 1 poison message (in ${queueName}-poison)`);
        expect(result.stdout).toMatch(new RegExp(`^${letter.id} +delivery +2026-11-23 10:00:00Z +ops +deploy-4711 +1$`, 'm'));
        expect(result.stdout).toContain('    reason: Teams refused the message: bad payload');
        expect(result.stdout).toContain('    last answer: HTTP 400: Bad payload received by generic incoming webhook.');
        expect(result.stdout).toMatch(new RegExp(`^${messageId} +poison +\\S+ \\S+ +ops +poisoned-1 +-$`, 'm'));
        expect(result.stdout).toContain('    dequeue count: 0');
    });

    it('prints a JSON array with --json, dead letters first, oldest first', async () => {
        const first = await store.deadLetter(deliveryDeadLetter());
        const second = await store.deadLetter(validationDeadLetter('{"id":"late-alias","to":"dev","text":"hi"}'));
        const messageId = await poison(Buffer.from('{"to":"ops","text":"boom"}').toString('base64'));
        const result = await deadletters(['list', '--json']);
        expect(result.code).toBe(0);
        const listed = JSON.parse(result.stdout) as ListedJson[];
        expect(listed.map((item) => [item.source, item.id])).toEqual([
            ['delivery', first.id],
            ['validation', second.id],
            ['poison', messageId],
        ]);
        expect(listed[1]).toMatchObject({ target: 'dev', jobId: 'late-alias', text: '{"id":"late-alias","to":"dev","text":"hi"}' });
        expect(listed[2]).toMatchObject({ target: 'ops', dequeueCount: 0, text: '{"to":"ops","text":"boom"}' });
        expect(listed[0]).toMatchObject({ updateKey: null, threadKey: null, mentions: [] });
        expect(Object.keys(listed[0] ?? {})).toEqual(Object.keys(listed[2] ?? {}));
    });

    it('shows the update key, thread key and mentions of a dead job and of a job-shaped poison message', async () => {
        const job = {
            id: 'alert-7',
            to: 'ops',
            text: 'Disk full',
            updateKey: 'azure-monitor:/subscriptions/1/alerts/2',
            threadKey: 'db-incidents',
            mentions: ['ada@contoso.com', { id: '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10', name: 'Bob' }],
        };
        const letter = await store.deadLetter(deliveryDeadLetter({ jobId: 'alert-7', job }));
        await poison(JSON.stringify({ to: 'ops', text: 'boom', updateKey: 'pr-415', mentions: [42, { id: 'grace@contoso.com' }] }));
        const human = await deadletters(['list']);
        const lines = human.stdout.split('\n');
        const row = lines.findIndex((line) => line.startsWith(letter.id));
        expect(lines.slice(row + 1, row + 5)).toEqual([
            '    reason: Teams refused the message: bad payload',
            '    update key: azure-monitor:/subscriptions/1/alerts/2',
            '    thread key: db-incidents',
            '    mentions: ada (ada@contoso.com), Bob (7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10)',
        ]);
        expect(human.stdout).toContain('    update key: pr-415');
        expect(human.stdout).toContain('    mentions: grace (grace@contoso.com)');
        const listed = JSON.parse((await deadletters(['list', '--json'])).stdout) as ListedJson[];
        expect(listed[0]).toMatchObject({
            updateKey: 'azure-monitor:/subscriptions/1/alerts/2',
            threadKey: 'db-incidents',
            mentions: [
                { id: 'ada@contoso.com', name: 'ada' },
                { id: '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10', name: 'Bob' },
            ],
        });
        expect(listed[1]).toMatchObject({ source: 'poison', updateKey: 'pr-415', threadKey: null, mentions: [{ id: 'grace@contoso.com', name: 'grace' }] });
    });

    it('never prints a webhook URL: a {url} target shows its host only', async () => {
        await store.deadLetter(urlDeadLetter());
        await store.deadLetter(validationDeadLetter(JSON.stringify({ to: { url: URL_TARGET }, text: 'hi' })));
        await poison(JSON.stringify({ to: { url: URL_TARGET }, text: 'hi' }));
        for (const args of [['list'], ['list', '--json']]) {
            const result = await deadletters(args);
            expect(result.code).toBe(0);
            const output = `${result.stdout}\n${result.stderr}`;
            expect(output).toContain('prod-27.westeurope.logic.azure.com');
            expect(output).not.toContain(SECRET_PATH);
            expect(output).not.toContain(SECRET_SIG);
        }
    });

    it('leaves the poison messages in the queue, unread', async () => {
        await poison('not json');
        await deadletters(['list']);
        const peeked = await poisonQueue().peekMessages();
        expect(peeked.peekedMessageItems).toMatchObject([{ messageText: 'not json', dequeueCount: 0 }]);
    });

    it('lists more poison messages than one peek returns, and leaves them all visible', async () => {
        const count = PEEK_LIMIT + 3;
        await poisonQueue().createIfNotExists();
        for (let index = 0; index < count; index++) {
            await poisonQueue().sendMessage(`{"n":${index}}`);
        }
        const result = await deadletters(['list', '--json']);
        const listed = JSON.parse(result.stdout) as ListedJson[];
        expect(new Set(listed.map((item) => item.id)).size).toBe(count);
        expect(listed.every((item) => item.dequeueCount === 0)).toBe(true);
        expect((await poisonQueue().peekMessages({ numberOfMessages: PEEK_LIMIT })).peekedMessageItems).toHaveLength(PEEK_LIMIT);
    });

    it('says so when there is nothing', async () => {
        const result = await deadletters(['list']);
        expect(result).toMatchObject({ code: 0, stdout: `No dead letters, and no messages in ${queueName}-poison.` });
    });
});

describe('teams-relay deadletters replay', () => {
    it('puts the job back on the notifications queue with its id and createdAt, then deletes the dead letter', async () => {
        const letter = await store.deadLetter(deliveryDeadLetter());
        const result = await deadletters(['replay', letter.id]);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toBe(`replayed ${letter.id} (delivery): job deploy-4711 → ${queueName}`);
        const texts = await queueTexts(queue());
        expect(texts.map((text) => JSON.parse(text) as unknown)).toEqual([
            { id: 'deploy-4711', createdAt: 1795428000000, to: 'ops', text: 'Deployed **api** v2.3' },
        ]);
        expect(await store.getDeadLetter(letter.id)).toBeUndefined();
    });

    it('re-sends a validation dead letter as its raw text', async () => {
        const raw = '{"id":"late-alias","to":"dev","text":"hi"}';
        const letter = await store.deadLetter(validationDeadLetter(raw));
        const result = await deadletters(['replay', letter.id]);
        expect(result.code).toBe(0);
        expect(await queueTexts(queue())).toEqual([raw]);
        expect(await store.listDeadLetters()).toEqual([]);
    });

    it('moves a poison message back to the notifications queue', async () => {
        const text = Buffer.from('{"to":"ops","text":"boom"}').toString('base64');
        const messageId = await poison(text);
        const result = await deadletters(['replay', messageId]);
        expect(result).toMatchObject({ code: 0, stdout: `replayed ${messageId} (poison): moved from ${queueName}-poison → ${queueName}` });
        expect(await queueTexts(queue())).toEqual([text]);
        expect(await queueTexts(poisonQueue())).toEqual([]);
    });

    it('leaves the poison messages it was not asked for visible', async () => {
        const wanted = await poison('{"n":1}');
        await poison('{"n":2}');
        await deadletters(['replay', wanted]);
        expect(await queueTexts(poisonQueue())).toEqual(['{"n":2}']);
    });

    it('replays everything with --all, one line each', async () => {
        const letters: DeadLetter[] = [await store.deadLetter(deliveryDeadLetter()), await store.deadLetter(urlDeadLetter())];
        await poison('{"to":"ops","text":"boom"}');
        const result = await deadletters(['replay', '--all']);
        expect(result.code).toBe(0);
        expect(result.stdout.split('\n')).toHaveLength(letters.length + 1);
        expect(await queueTexts(queue())).toHaveLength(letters.length + 1);
        expect(await store.listDeadLetters()).toEqual([]);
        expect(await queueTexts(poisonQueue())).toEqual([]);
    });

    it('keeps a {url} dead letter and names ALLOW_URL_TARGETS when the setting is off, never the URL', async () => {
        const letter = await store.deadLetter(urlDeadLetter());
        const result = await deadletters(['replay', letter.id], {}, {});
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`${letter.id}: not replayed: `);
        expect(result.stderr).toContain('ALLOW_URL_TARGETS=true');
        expect(result.stderr).not.toContain(URL_TARGET);
        expect(await store.listDeadLetters()).toHaveLength(1);
        expect(await queueTexts(queue())).toEqual([]);
    });

    it('says so when --all finds nothing to replay', async () => {
        const result = await deadletters(['replay', '--all']);
        expect(result).toMatchObject({ code: 0, stdout: `Nothing to replay: no dead letters, and no messages in ${queueName}-poison.` });
    });

    it('exits 1 naming an id that is neither a dead letter nor a poison message, and replays the others', async () => {
        const letter = await store.deadLetter(deliveryDeadLetter());
        const result = await deadletters(['replay', letter.id, 'no-such-id']);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`no-such-id: not replayed: no dead letter and no message in ${queueName}-poison has this id`);
        expect(await queueTexts(queue())).toHaveLength(1);
    });

    it('keeps the dead letter and exits 1 when the notifications queue cannot be reached', async () => {
        const letter = await store.deadLetter(deliveryDeadLetter());
        const unreachable = azurite.connectionString.replace(/QueueEndpoint=[^;]+/, 'QueueEndpoint=http://127.0.0.1:9/devstoreaccount1');
        const openQueue = (_storage: unknown, name: string) =>
            name === queueName ? new QueueClient(unreachable, name, { retryOptions: { maxTries: 1 } }) : queue(name);
        const result = await deadletters(['replay', letter.id], { openQueue });
        expect(result.code).toBe(1);
        expect(await store.getDeadLetter(letter.id)).toMatchObject({ id: letter.id });
    });

    it.each([
        ['without ids or --all', ['replay'], 'give the ids to replay, or --all'],
        ['when ids and --all are combined', ['replay', 'x', '--all'], '--all replays everything: give it without ids'],
    ])('exits 2 %s', async (_, args, message) => {
        expectRefused(await deadletters(args), message);
    });
});

describe('teams-relay deadletters purge', () => {
    it('deletes every dead letter and poison message with --yes', async () => {
        await store.deadLetter(deliveryDeadLetter());
        await store.deadLetter(urlDeadLetter());
        await poison('{"n":1}');
        const result = await deadletters(['purge', '--yes']);
        expect(result).toMatchObject({ code: 0, stdout: 'Deleted 2 dead letters and 1 poison message.' });
        expect(await store.listDeadLetters()).toEqual([]);
        expect(await queueTexts(poisonQueue())).toEqual([]);
    });

    it('asks on the terminal and deletes when "purge" is typed', async () => {
        await store.deadLetter(deliveryDeadLetter());
        const questions: string[] = [];
        const result = await deadletters(['purge'], {
            prompt: (question) => {
                questions.push(question);
                return Promise.resolve('purge');
            },
        });
        expect(questions).toEqual(['Type "purge" to delete 1 dead letter: ']);
        expect(result.code).toBe(0);
        expect(await store.listDeadLetters()).toEqual([]);
    });

    it('deletes nothing when the answer is not "purge", and exits 1', async () => {
        await store.deadLetter(deliveryDeadLetter());
        const result = await deadletters(['purge'], { prompt: () => Promise.resolve('no') });
        expect(result).toMatchObject({ code: 1, stderr: 'Not confirmed: nothing was deleted.' });
        expect(await store.listDeadLetters()).toHaveLength(1);
    });

    it('exits 2 without --yes when there is no terminal to ask on, deleting nothing', async () => {
        await store.deadLetter(deliveryDeadLetter());
        expectRefused(await deadletters(['purge']), 'not purging 1 dead letter without confirmation: there is no terminal to ask on; pass --yes');
        expect(await store.listDeadLetters()).toHaveLength(1);
    });
});

describe('teams-relay deadletters usage', () => {
    it.each([
        ['without an action', [], 'an action is required: use list, replay, purge'],
        ['on a flag of another action', ['list', '--yes'], '--yes goes with "deadletters purge" only'],
    ])('exits 2 %s', async (_, args, message) => {
        expectRefused(await deadletters(args), message);
    });

    it('exits 1 when storage cannot be reached', async () => {
        const unreachable = azurite.connectionString.replace(/TableEndpoint=[^;]+/, 'TableEndpoint=http://127.0.0.1:9/devstoreaccount1');
        const result = await deadletters(['list'], {
            openTable: (_storage, name) => TableClient.fromConnectionString(unreachable, name, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } }),
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^teams-relay deadletters: /);
    });
});
