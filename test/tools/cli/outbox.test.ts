// `teams-relay outbox` against a real Azurite: list (table and JSON, no URL leaks), skip (dead letters, unknown ids, a busy webhook) and the replay round trip.
import { QueueClient } from '@azure/storage-queue';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIST_LIMIT } from '../../../tools/cli/commands/outbox.js';
import { loadConfig } from '../../../shared/config.js';
import { acceptQueueMessage } from '../../../shared/notify/accept.js';
import { LEASE_POLL_MS, SKIP_REASON } from '../../../shared/notify/skip.js';
import { wakeupMessageSchema } from '../../../shared/notify/wakeup.js';
import type { OutboxJob, OutboxStore } from '../../../shared/notify/outbox/index.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { useAzurite } from '../../support/azurite.js';
import { cliStorage, type CliStorage } from './cli-storage.js';
import { expectRefused, runMain, type CliRun, type RunOptions, type ScratchFolder } from './run-main.js';

const OPS_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@tenant/IncomingWebhook/abc/def';
const DEV_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/11111111-1111-1111-1111-111111111111@tenant/IncomingWebhook/abc/def';
/** Parts of a `{url}` target that must never be printed: its path and its signature. */
const SECRET_PATH = 'workflows/5ecret0path';
const SECRET_SIG = 'sig=T0PsECRETsignature';
const URL_TARGET = `https://prod-27.westeurope.logic.azure.com:443/${SECRET_PATH}/triggers/manual/paths/invoke?api-version=2016-06-01&${SECRET_SIG}`;
const OPS_KEY = webhookKey(new URL(OPS_WEBHOOK));
const URL_KEY = webhookKey(new URL(URL_TARGET));
const NOW = Date.parse('2026-11-23T10:00:00.000Z');
const SECOND = 1_000;
/** Matches a control character (C0 or C1) anywhere. */
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

const azurite = useAzurite();
let folder: ScratchFolder;
let queueName: string;
let store: OutboxStore;
let openTable: CliStorage['openTable'];
/** The CLI's clock; `sleep` moves it. */
let now: number;

beforeEach(async () => {
    now = NOW;
    ({ queueName, folder, store, openTable } = await cliStorage(azurite.connectionString, { now: () => now }));
});

afterEach(async () => {
    await folder.remove();
});

const ENV = (): Record<string, string> => ({
    AzureWebJobsStorage: azurite.connectionString,
    NOTIFICATIONS_QUEUE: queueName,
    TEAMS_WEBHOOK_OPS: OPS_WEBHOOK,
    TEAMS_WEBHOOK_DEV: DEV_WEBHOOK,
});

async function outbox(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    return runMain(['outbox', ...args], {
        openTable,
        now: () => now,
        sleep: (ms) => {
            now += ms;
            return Promise.resolve();
        },
        ...options,
        cwd: folder.path,
        env: ENV(),
    });
}

async function deadletters(args: readonly string[]): Promise<CliRun> {
    return runMain(['deadletters', ...args], { openTable, cwd: folder.path, env: ENV() });
}

/** Adds a job to the ops outbox as the accept path does (its state row first). */
async function addOps(jobId: string, order: number, acceptedAt = NOW - 60 * SECOND): Promise<void> {
    const state = await store.readState(OPS_KEY);
    if (state.etag === undefined) {
        await store.writeState({ ...state, alias: 'ops' });
    }
    await store.addJob({ webhookKey: OPS_KEY, jobId, order, job: { id: jobId, to: 'ops', text: `text of ${jobId}`, createdAt: order }, alias: 'ops', acceptedAt });
}

async function addUrlJob(jobId: string): Promise<void> {
    await store.writeState(await store.readState(URL_KEY));
    await store.addJob({ webhookKey: URL_KEY, jobId, order: NOW, job: { id: jobId, to: { url: URL_TARGET }, text: 'hi' }, alias: undefined, acceptedAt: NOW });
}

async function opsHead(): Promise<OutboxJob> {
    const head = await store.headJob(OPS_KEY);
    if (head === undefined) {
        throw new Error('the ops outbox is empty');
    }
    return head;
}

/** Three ops jobs added out of order; the head (`a-first`) failed twice with a 502. */
async function seedOps(): Promise<void> {
    await addOps('c-third', NOW - 10 * SECOND);
    await addOps('a-first', NOW - 30 * SECOND);
    await addOps('b-second', NOW - 20 * SECOND);
    await store.recordAttempt(await opsHead(), {
        attempts: 2,
        firstAttemptAt: NOW - 25 * SECOND,
        notBefore: NOW + 8 * SECOND,
        lastStatus: 502,
        lastBody: 'Bad Gateway',
        lastReason: `transient: HTTP 502 from ${URL_TARGET}`,
    });
}

async function queueTexts(client: QueueClient): Promise<string[]> {
    if (!(await client.exists())) {
        return [];
    }
    return (await client.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((item) => item.messageText);
}

interface ListedJson {
    readonly at: number;
    readonly webhooks: {
        readonly alias: string | null;
        readonly webhookKey: string;
        readonly waiting: number;
        readonly jobs: Record<string, unknown>[];
    }[];
}

describe('teams-relay outbox list', () => {
    it('lists an alias’s waiting jobs in send order, with order, acceptance, attempts, not-before and the last error', async () => {
        await seedOps();
        const result = await outbox(['list', 'ops']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout.split('\n')).toEqual([
            'ops: 3 jobs waiting, in send order',
            '#  JOB ID    ORDER (createdAt)     ACCEPTED              ATTEMPTS  NOT BEFORE',
            '1  a-first   2026-11-23 09:59:30Z  2026-11-23 09:59:00Z  2         2026-11-23 10:00:08Z',
            '    last error: HTTP 502: transient: HTTP 502 from https://prod-27.westeurope.logic.azure.com/… (failing since 2026-11-23 09:59:35Z)',
            '2  b-second  2026-11-23 09:59:40Z  2026-11-23 09:59:00Z  0         -',
            '3  c-third   2026-11-23 09:59:50Z  2026-11-23 09:59:00Z  0         -',
        ]);
    });

    /** The keys `--json` lists for an ops job accepted a minute ago and never tried; null where they do not apply. */
    const NEVER_TRIED_OPS_JOB = {
        target: 'ops',
        acceptedAt: NOW - 60 * SECOND,
        attempts: 0,
        firstAttemptAt: null,
        notBefore: null,
        lastStatus: null,
        lastReason: null,
        updateKey: null,
        threadKey: null,
        mentions: [],
    };

    it('prints stable JSON with --json: every key present, null where it does not apply', async () => {
        await seedOps();
        const result = await outbox(['list', 'ops', '--json']);
        expect(result.code).toBe(0);
        const listed = JSON.parse(result.stdout) as ListedJson;
        expect(listed.at).toBe(NOW);
        expect(listed.webhooks).toHaveLength(1);
        expect(listed.webhooks[0]).toMatchObject({ alias: 'ops', webhookKey: OPS_KEY, waiting: 3 });
        expect(listed.webhooks[0]?.jobs).toEqual([
            {
                ...NEVER_TRIED_OPS_JOB,
                position: 1,
                jobId: 'a-first',
                order: NOW - 30 * SECOND,
                attempts: 2,
                firstAttemptAt: NOW - 25 * SECOND,
                notBefore: NOW + 8 * SECOND,
                lastStatus: 502,
                lastReason: 'transient: HTTP 502 from https://prod-27.westeurope.logic.azure.com/…',
            },
            { ...NEVER_TRIED_OPS_JOB, position: 2, jobId: 'b-second', order: NOW - 20 * SECOND },
            expect.objectContaining({ position: 3, jobId: 'c-third' }) as unknown,
        ]);
    });

    it('shows a job’s update key, thread key and mentions, as accepted, under it and in --json', async () => {
        const job = {
            id: 'alert-7',
            to: 'ops',
            createdAt: NOW - 5 * SECOND,
            text: 'Disk full',
            updateKey: 'alertmanager:{}:{alertname="DiskFull"}',
            threadKey: 'db-incidents',
            mentions: ['ada@contoso.com', { id: '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10', name: 'Bob\u001b[2J <b>' }],
        };
        expect(await acceptQueueMessage(job, { messageId: 'm-keys', dequeuedAt: NOW }, store, loadConfig(ENV()))).toMatchObject({ kind: 'accepted' });
        await addOps('plain', NOW);
        const human = await outbox(['list', 'ops']);
        expect(human.stdout.split('\n')).toEqual([
            'ops: 2 jobs waiting, in send order',
            '#  JOB ID   ORDER (createdAt)     ACCEPTED              ATTEMPTS  NOT BEFORE',
            '1  alert-7  2026-11-23 09:59:55Z  2026-11-23 10:00:00Z  0         -',
            '    update key: alertmanager:{}:{alertname="DiskFull"}',
            '    thread key: db-incidents',
            '    mentions: ada (ada@contoso.com), Bob [2J b (7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10)',
            '2  plain    2026-11-23 10:00:00Z  2026-11-23 09:59:00Z  0         -',
        ]);
        const listed = JSON.parse((await outbox(['list', 'ops', '--json'])).stdout) as ListedJson;
        expect(listed.webhooks[0]?.jobs[0]).toMatchObject({
            jobId: job.id,
            updateKey: job.updateKey,
            threadKey: job.threadKey,
            mentions: [
                { id: 'ada@contoso.com', name: 'ada' },
                { id: '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10', name: 'Bob [2J b' },
            ],
        });
        expect(listed.webhooks[0]?.jobs[1]).toMatchObject({ jobId: 'plain', updateKey: null, threadKey: null, mentions: [] });
    });

    it('lists every webhook with --all, a {url} webhook by its host, and never prints a URL', async () => {
        await seedOps();
        await addUrlJob('url-job');
        const human = await outbox(['list', '--all']);
        expect(human.code).toBe(0);
        expect(human.stdout).toContain('ops: 3 jobs waiting, in send order');
        expect(human.stdout).toContain(`webhook ${URL_KEY.slice(0, 8)} (prod-27.westeurope.logic.azure.com): 1 job waiting, in send order`);
        expect(human.stdout).not.toContain('dev');
        const json = await outbox(['list', '--all', '--json']);
        const listed = JSON.parse(json.stdout) as ListedJson;
        expect(listed.webhooks.map((webhook) => [webhook.alias, webhook.waiting])).toEqual([
            ['ops', 3],
            ['dev', 0],
            [null, 1],
        ]);
        expect(listed.webhooks[2]?.jobs[0]).toMatchObject({ jobId: 'url-job', target: 'prod-27.westeurope.logic.azure.com' });
        for (const output of [human.stdout, json.stdout]) {
            expect(output).not.toContain(SECRET_PATH);
            expect(output).not.toContain(SECRET_SIG);
        }
    });

    it('says when nothing waits', async () => {
        expect((await outbox(['list', 'ops'])).stdout).toBe('ops: no jobs waiting.');
        expect((await outbox(['list', '--all'])).stdout).toBe('No jobs waiting in any outbox.');
    });

    it(`lists the first ${LIST_LIMIT} jobs of a longer outbox and says how many wait`, async () => {
        const count = LIST_LIMIT + 2;
        await addOps('job-0000', NOW);
        for (let start = 1; start < count; start += 50) {
            await Promise.all(
                Array.from({ length: Math.min(50, count - start) }, (_, index) => {
                    const n = start + index;
                    return store.addJob({ webhookKey: OPS_KEY, jobId: `job-${String(n).padStart(4, '0')}`, order: NOW + n, job: { id: `job-${n}`, to: 'ops', text: 'x' }, alias: 'ops', acceptedAt: NOW });
                }),
            );
        }
        const human = await outbox(['list', 'ops']);
        expect(human.stdout.split('\n')[0]).toBe(`ops: ${count} jobs waiting, in send order (the first ${LIST_LIMIT} shown)`);
        const listed = JSON.parse((await outbox(['list', 'ops', '--json'])).stdout) as ListedJson;
        expect(listed.webhooks[0]?.waiting).toBe(count);
        expect(listed.webhooks[0]?.jobs).toHaveLength(LIST_LIMIT);
        expect(listed.webhooks[0]?.jobs.at(-1)).toMatchObject({ jobId: `job-${String(LIST_LIMIT - 1).padStart(4, '0')}` });
    });

    it('refuses an unknown alias, naming the configured ones (exit 2)', async () => {
        expectRefused(await outbox(['list', 'qa']), 'unknown alias "qa" (configured: ops, dev)');
    });

    it.each([
        [['list'], 'give the alias to list, or --all'],
        [['list', 'ops', 'dev'], 'list takes one alias'],
        [['list', 'ops', '--all'], '--all lists every webhook: give it without an alias'],
        [['skip', 'a', '--json'], '--json goes with "outbox list" only'],
        [['skip'], 'give the ids of the jobs to skip'],
        [[], 'an action is required: use list, skip'],
        [['purge'], 'unknown action "purge"'],
        [['list', '--limit', '3'], "Unknown option '--limit'"],
    ])('exits 2 on %j', async (args, message) => {
        expectRefused(await outbox(args), message);
    });
});

describe('teams-relay outbox skip', () => {
    it('moves the named jobs to the dead letters with their last answer, says how to bring them back, and wakes the webhook', async () => {
        await seedOps();
        const result = await outbox(['skip', 'a-first', 'c-third']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        const letters = await store.listDeadLetters();
        expect(letters.map((letter) => letter.jobId).sort()).toEqual(['a-first', 'c-third']);
        const first = letters.find((letter) => letter.jobId === 'a-first');
        expect(first).toMatchObject({ source: 'delivery', alias: 'ops', attempts: 2, lastStatus: 502, lastBody: 'Bad Gateway', firstAttemptAt: NOW - 25 * SECOND });
        expect(first?.reason.startsWith(`${SKIP_REASON}; last error: transient: HTTP 502`)).toBe(true);
        expect(letters.find((letter) => letter.jobId === 'c-third')?.reason).toBe(SKIP_REASON);
        const ids = letters.map((letter) => letter.id);
        expect(result.stdout.split('\n')).toEqual([
            `skipped a-first (ops): dead letter ${first?.id ?? ''}`,
            `skipped c-third (ops): dead letter ${letters.find((letter) => letter.jobId === 'c-third')?.id ?? ''}`,
            expect.stringMatching(/^To send them after all: teams-relay deadletters replay \S+ \S+$/) as unknown,
        ]);
        expect(ids.every((id) => result.stdout.includes(id))).toBe(true);
        expect((await store.headJobs(OPS_KEY, 10)).map((job) => job.jobId)).toEqual(['b-second']);
        expect((await store.readState(OPS_KEY)).deadLettered).toBe(2);
        const wakeups = (await queueTexts(new QueueClient(azurite.connectionString, `${queueName}-wakeup`))).map((text) => wakeupMessageSchema.parse(JSON.parse(text)));
        expect(wakeups).toEqual([{ webhook: OPS_KEY, wakeAt: NOW }]);
    });

    it('reports unknown ids by name and exits 1, and still skips the known ones', async () => {
        await seedOps();
        const result = await outbox(['skip', 'nope', 'b-second', 'never\u001b[2J']);
        expect(result.code).toBe(1);
        expect(result.stderr.split('\n')).toEqual([
            'nope: not skipped: no job waits under this id (teams-relay outbox list --all)',
            'never\\u001b[2J: not skipped: no job waits under this id (teams-relay outbox list --all)',
        ]);
        expect(result.stdout).toContain('skipped b-second (ops)');
        expect((await store.listDeadLetters()).map((letter) => letter.jobId)).toEqual(['b-second']);
    });

    it('brings a skipped job back with deadletters replay: same id and createdAt, in its place in the outbox', async () => {
        await seedOps();
        const before = (await store.findJobs('b-second'))[0];
        const skipped = await outbox(['skip', 'b-second']);
        expect(skipped.code).toBe(0);
        const [letter] = await store.listDeadLetters();
        expect((await outbox(['list', 'ops'])).stdout).not.toContain('b-second');
        const replayed = await deadletters(['replay', letter?.id ?? '']);
        expect(replayed).toMatchObject({ code: 0, stderr: '' });
        const [message] = await queueTexts(new QueueClient(azurite.connectionString, queueName));
        expect(JSON.parse(message ?? '')).toEqual(before?.job);
        const config = loadConfig(ENV());
        expect(await acceptQueueMessage(message, { messageId: 'replayed-1', dequeuedAt: NOW + SECOND }, store, config)).toMatchObject({ kind: 'accepted', jobId: 'b-second', added: 'added' });
        expect((await store.headJobs(OPS_KEY, 10)).map((job) => [job.jobId, job.order])).toEqual([
            ['a-first', NOW - 30 * SECOND],
            ['b-second', NOW - 20 * SECOND],
            ['c-third', NOW - 10 * SECOND],
        ]);
        expect(await store.listDeadLetters()).toEqual([]);
    });

    it('waits for a sender holding the webhook, then gives up without changing anything (exit 1)', async () => {
        await seedOps();
        const state = await store.readState(OPS_KEY);
        await store.writeState({ ...state, leaseOwner: 'sender-1', leaseUntil: NOW + 10 * 60 * SECOND });
        const result = await outbox(['skip', 'a-first']);
        expect(result.code).toBe(1);
        expect(result.stderr.split('\n')).toEqual([
            'Waiting for the sender of ops to let go…',
            'a-first: not skipped: a sender kept ops busy; nothing was changed, try again',
        ]);
        // The wait is a drain's length plus the app's lease, on the CLI's clock.
        expect(now - NOW).toBeGreaterThanOrEqual(60 * SECOND);
        expect(now - NOW).toBeLessThan(60 * SECOND + 2 * LEASE_POLL_MS);
        expect(await store.listDeadLetters()).toEqual([]);
        expect((await opsHead()).jobId).toBe('a-first');
    });

    it('skips once the sender lets go while it waits', async () => {
        await seedOps();
        const state = await store.readState(OPS_KEY);
        const held = await store.writeState({ ...state, leaseOwner: 'sender-1', leaseUntil: NOW + 30 * SECOND });
        let released = false;
        const result = await outbox(['skip', 'a-first'], {
            sleep: async (ms) => {
                now += ms;
                if (!released && held !== undefined) {
                    released = true;
                    await store.writeState({ ...held, leaseOwner: undefined, leaseUntil: 0 });
                }
            },
        });
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('skipped a-first (ops)');
        expect((await store.readState(OPS_KEY)).leaseOwner).toBeUndefined();
    });

    it('answers any operands with a report per id, never a crash, and prints no control character', async () => {
        await addOps('kept', NOW);
        await fc.assert(
            fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { minLength: 1, maxLength: 4 }), async (ids) => {
                const operands = ids.filter((id) => id !== 'kept');
                fc.pre(operands.length > 0);
                const result = await outbox(['skip', '--', ...operands]);
                expect(result.code).toBe(1);
                expect(result.stderr.split('\n')).toHaveLength(new Set(operands).size);
                expect([...result.stdout.split('\n'), ...result.stderr.split('\n')].filter((line) => CONTROL_CHARACTER.test(line))).toEqual([]);
            }),
            { numRuns: 25 },
        );
        await fc.assert(
            fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), async (alias) => {
                fc.pre(!['ops', 'dev'].includes(alias.toLowerCase()) && !alias.startsWith('-'));
                const result = await outbox(['list', alias]);
                expect(result.code).toBe(2);
                expect(result.stderr).toContain('unknown alias');
                expect(result.stderr.split('\n').filter((line) => CONTROL_CHARACTER.test(line))).toEqual([]);
            }),
            { numRuns: 25 },
        );
        expect((await opsHead()).jobId).toBe('kept');
    });
});
