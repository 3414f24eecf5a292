// `teams-relay budget` against a real Azurite: seeded outbox state and jobs → the report, as JSON and for people.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BudgetReport } from '../../../shared/notify/budget.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { useAzurite } from '../../support/azurite.js';
import { cliStorage, type CliStorage } from './cli-storage.js';
import { runMain, type CliRun, type ScratchFolder } from './run-main.js';

const OPS_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@tenant/IncomingWebhook/abc/def';
const OPS_KEY = webhookKey(new URL(OPS_WEBHOOK));
/** A webhook reached by `{url}` only: it has state but no alias. */
const URL_ONLY_KEY = webhookKey(new URL('https://prod-27.westeurope.logic.azure.com/workflows/secret/triggers/manual/paths/invoke?sig=s3cret'));
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const azurite = useAzurite();
let folder: ScratchFolder;
let store: OutboxStore;
let openTable: CliStorage['openTable'];
/** The CLI's clock; the store prunes sends against the real one, so it stays close to it. */
let now: number;

beforeEach(async () => {
    now = Date.now();
    ({ folder, store, openTable } = await cliStorage(azurite.connectionString));
});

afterEach(async () => {
    await folder.remove();
});

async function budget(args: readonly string[] = [], env: Record<string, string> = {}): Promise<CliRun> {
    return runMain(['budget', ...args], {
        openTable,
        now: () => now,
        cwd: folder.path,
        env: { AzureWebJobsStorage: azurite.connectionString, TEAMS_WEBHOOK_OPS: OPS_WEBHOOK, ...env },
    });
}

/** The lines about one webhook or connection: from its heading to the blank line after it. */
function sectionOf(stdout: string, heading: string): string[] {
    const lines = stdout.split('\n');
    const start = lines.indexOf(heading);
    expect(start, `a section headed "${heading}"`).toBeGreaterThanOrEqual(0);
    const end = lines.indexOf('', start);
    return lines.slice(start, end === -1 ? undefined : end);
}

/** Sends 0.5 s, 10 s, 20 s, 10 min, 30 min, 90 min and 20 h ago: 1, 3, 5, 6 and 7 in the five windows. */
const SENDS_AGO = [20 * HOUR, 90 * MINUTE, 30 * MINUTE, 10 * MINUTE, 20 * SECOND, 10 * SECOND, SECOND / 2];

async function seedOps(): Promise<void> {
    const state = await store.readState(OPS_KEY);
    const written = await store.writeState({
        ...state,
        alias: 'ops',
        sends: SENDS_AGO.map((ago) => now - ago),
        consecutiveThrottles: 2,
        blockedUntil: now + 38 * SECOND,
        wakeAt: now + 12 * SECOND,
        delivered: 40,
        throttled: 3,
        deadLettered: 1,
    });
    expect(written).toBeDefined();
    for (const [index, jobId] of ['a', 'b', 'c'].entries()) {
        await store.addJob({ webhookKey: OPS_KEY, jobId, order: now + index, job: { id: jobId, to: 'ops', text: 'hi' }, alias: 'ops', acceptedAt: now });
    }
}

describe('teams-relay budget', () => {
    it('reports the sends in each window and the backlog of a configured alias with --json', async () => {
        await seedOps();
        const result = await budget(['--json']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        const report = JSON.parse(result.stdout) as BudgetReport;
        expect(report.at).toBe(now);
        expect(report.webhooks).toHaveLength(1);
        expect(report.webhooks[0]).toMatchObject({
            alias: 'ops',
            webhookKey: OPS_KEY,
            dialect: 'connector',
            backlog: 3,
            consecutiveThrottles: 2,
            blockedUntil: now + 38 * SECOND,
            nextSlot: now + 38 * SECOND,
            wakeAt: now + 12 * SECOND,
            delivered: 40,
            throttled: 3,
            deadLettered: 1,
        });
        expect(report.webhooks[0]?.windows.map((window) => [window.used, window.max])).toEqual([
            [1, 4],
            [3, 60],
            [5, 100],
            [6, 150],
            [7, 1800],
        ]);
    });

    it('prints each webhook for people: windows, back-off, next slot, wake-up, lifetime counters', async () => {
        await seedOps();
        const result = await budget();
        expect(result.code).toBe(0);
        const lines = sectionOf(result.stdout, 'ops  connector (retired by Microsoft)');
        expect(lines.slice(0, 7)).toEqual([
            'ops  connector (retired by Microsoft)',
            '  backlog      3 jobs',
            '  sent         1 s 1/4  30 s 3/60  1 h 5/100  2 h 6/150  24 h 7/1800',
            expect.stringMatching(/^ {2}back-off {5}2 throttled in a row, blocked until \S+( \S+)? UTC \(in 38 s\)$/) as unknown,
            '  next slot    in 38 s',
            expect.stringMatching(/^ {2}wake-up {6}in 12 s \(.+ UTC\)$/) as unknown,
            '  lifetime     40 delivered, 3 throttled, 1 dead-lettered',
        ]);
        expect(result.stdout.split('\n').at(-1)).toBe('0 dead letters.');
    });

    it('shows a configured alias without state as idle, with budget free now', async () => {
        const result = await budget();
        expect(result.stdout).toContain('  sent         1 s 0/4  30 s 0/60  1 h 0/100  2 h 0/150  24 h 0/1800');
        expect(result.stdout).toContain('  next slot    now');
        expect(result.stdout).toContain('  back-off     none');
        expect(result.stdout).toContain('  wake-up      none');
    });

    it('adds webhooks reached by {url} that have state, named by their key, never by URL', async () => {
        const state = await store.readState(URL_ONLY_KEY);
        await store.writeState({ ...state, sends: [now - MINUTE] });
        const result = await budget();
        expect(result.stdout).toContain(`webhook ${URL_ONLY_KEY.slice(0, 8)} ({url} target)  dialect unknown`);
        expect(result.stdout).not.toContain('s3cret');
        const report = JSON.parse((await budget(['--json'])).stdout) as { webhooks: { alias: unknown; webhookKey: string }[] };
        expect(report.webhooks.find((webhook) => webhook.webhookKey === URL_ONLY_KEY)).toMatchObject({ alias: null });
    });

    it('ends with the number of dead letters', async () => {
        await store.deadLetter({
            source: 'validation',
            jobId: undefined,
            webhookKey: undefined,
            alias: undefined,
            job: undefined,
            message: 'not json',
            reason: 'Invalid job: message: not JSON (plain or base64-encoded)',
            lastStatus: undefined,
            lastBody: undefined,
            attempts: 0,
            firstAttemptAt: undefined,
            deadLetteredAt: now,
        });
        const result = await budget();
        expect(result.stdout.split('\n').at(-1)).toBe('1 dead letter: teams-relay deadletters list');
        expect(JSON.parse((await budget(['--json'])).stdout)).toMatchObject({ deadLetters: 1 });
    });

    it('shows a head job being retried: id, attempts, since when, next try and last error, URL cut to its host', async () => {
        await seedOps();
        const head = await store.headJob(OPS_KEY);
        expect(head?.jobId).toBe('a');
        if (head !== undefined) {
            await store.recordAttempt(head, {
                attempts: 4,
                firstAttemptAt: now - 5 * MINUTE,
                notBefore: now + 20 * SECOND,
                lastStatus: 503,
                lastBody: 'Service Unavailable',
                lastReason: 'transient: HTTP 503 from https://contoso.webhook.office.com/webhookb2/s3cret\n\u001b[31mred',
            });
        }
        const report = JSON.parse((await budget(['--json'])).stdout) as BudgetReport;
        expect(report.webhooks[0]?.retryingHead).toEqual({
            jobId: 'a',
            attempts: 4,
            lastReason: 'transient: HTTP 503 from https://contoso.webhook.office.com/…\n\u001b[31mred',
            lastStatus: 503,
            firstAttemptAt: now - 5 * MINUTE,
            notBefore: now + 20 * SECOND,
        });
        const lines = sectionOf((await budget()).stdout, 'ops  connector (retired by Microsoft)');
        expect(lines.slice(7, 9)).toEqual([
            expect.stringMatching(/^ {2}retrying {5}job a, 4 attempts since \S+( \S+)? UTC, next try in 20 s$/) as unknown,
            '  last error   HTTP 503: transient: HTTP 503 from https://contoso.webhook.office.com/… [31mred',
        ]);
        expect(lines.join('\n')).not.toContain('s3cret');
        expect(lines.join('\n')).not.toContain('\u001b');
    });

    it('says nothing about retries while the head job has not failed, and gives null in --json', async () => {
        await seedOps();
        expect((await budget()).stdout).not.toContain('retrying');
        const report = JSON.parse((await budget(['--json'])).stdout) as Record<string, unknown> & { webhooks: Record<string, unknown>[] };
        expect(report.webhooks[0]).toHaveProperty('retryingHead', null);
    });

    it('warns first that a connector URL is retired, naming its key and linking the move to Workflows', async () => {
        const first = (await budget()).stdout.split('\n')[0] ?? '';
        expect(first).toMatch(/^Warning: TEAMS_WEBHOOK_OPS is an Office 365 connector URL: Microsoft retired Office 365 connectors/);
        expect(first).toContain('https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-');
        expect(first).not.toContain('webhookb2');
        expect((JSON.parse((await budget(['--json'])).stdout) as BudgetReport).notices).toHaveLength(1);
    });

    it('counts a Workflows webhook’s jobs as accepted by the flow and shows the Teams connection it shares', async () => {
        const flow = 'https://prod-27.westeurope.logic.azure.com/workflows/flow/triggers/manual/paths/invoke?sig=s3cret';
        const key = webhookKey(new URL(flow));
        const state = await store.readState(key);
        await store.writeState({ ...state, alias: 'deploys', sends: [now - 10 * SECOND], accepted: 12 });
        const connection = await store.readConnection('ada');
        await store.writeConnection({ ...connection, sends: [now - 10 * SECOND, now - 2 * MINUTE], blockedUntil: now + 20 * SECOND });
        const env = { TEAMS_WEBHOOK_DEPLOYS: flow, TEAMS_CONNECTION_DEPLOYS: 'ada' };
        const stdout = (await budget([], env)).stdout;
        expect(sectionOf(stdout, 'deploys  workflows')).toEqual(
            expect.arrayContaining([
                '  connection   ada (its Flow bot budget is shared, below)',
                '  lifetime     12 accepted by the flow (see its run history), 0 throttled, 0 dead-lettered',
                '  next slot    in 20 s',
            ]),
        );
        expect(sectionOf(stdout, 'Teams connection ada  Flow bot budget')).toEqual([
            'Teams connection ada  Flow bot budget',
            '  shared by    deploys',
            '  sent         60 s 1/100  5 min 2/25',
            expect.stringMatching(/^ {2}held {9}by Retry-After until \S+( \S+)? UTC \(in 20 s\)$/) as unknown,
            '  next slot    in 20 s',
            '  in turn      0 webhooks taking turns',
        ]);
        expect(stdout).not.toContain('s3cret');
        const report = JSON.parse((await budget(['--json'], env)).stdout) as BudgetReport;
        expect(report.webhooks.find((webhook) => webhook.alias === 'deploys')).toMatchObject({ accepted: 12, delivered: 0, connection: 'ada' });
        expect(report.connections).toEqual([expect.objectContaining({ connection: 'ada', aliases: ['deploys'], blockedUntil: now + 20 * SECOND })]);
    });

    it('exits 2 on a positional argument', async () => {
        const result = await budget(['ops']);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("Unexpected argument 'ops'");
    });
});
