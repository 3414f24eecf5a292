// Budgets read from the outbox: a head job being retried, read with one head read per webhook, as `budget` and the `status` card show it.
import { describe, expect, it } from 'vitest';
import { readBudgets } from '../../../shared/notify/budget.js';
import { statusCard } from '../../../shared/mention/commands/builtin/status.js';
import { loadConfig } from '../../../shared/config.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const OPS_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@tenant/IncomingWebhook/abc/def';
const DEV_WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/11111111-1111-1111-1111-111111111111@tenant/IncomingWebhook/abc/def';
const URL_TARGET = 'https://prod-27.westeurope.logic.azure.com/workflows/5ecret/triggers/manual/paths/invoke?sig=T0PsECRET';
const OPS_KEY = webhookKey(new URL(OPS_WEBHOOK));
const URL_KEY = webhookKey(new URL(URL_TARGET));
const CONFIG = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', TEAMS_WEBHOOK_OPS: OPS_WEBHOOK, TEAMS_WEBHOOK_DEV: DEV_WEBHOOK });

/** An empty outbox on the fixed clock (in memory: `outbox-contract.test.ts` holds it to the Table store's contract). */
function freshStore(): Promise<OutboxStore> {
    return Promise.resolve(createMemoryOutboxStore({ now: () => NOW }));
}

/** Counts the storage reads readBudgets makes, by method. */
function counting(store: OutboxStore): { store: OutboxStore; calls: Map<string, number> } {
    const calls = new Map<string, number>();
    const count = (name: string): void => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
    };
    return {
        calls,
        store: {
            ...store,
            headJob: (key) => (count('headJob'), store.headJob(key)),
            headJobs: (key, max) => (count('headJobs'), store.headJobs(key, max)),
            countJobs: (key, max) => (count('countJobs'), store.countJobs(key, max)),
            readState: (key) => (count('readState'), store.readState(key)),
            findJobs: (id) => (count('findJobs'), store.findJobs(id)),
        },
    };
}

/** An `ops` outbox whose head failed three times with a 502, and a `{url}` webhook whose head is fresh. */
async function seed(store: OutboxStore): Promise<void> {
    await store.writeState({ ...(await store.readState(OPS_KEY)), alias: 'ops' });
    await store.writeState(await store.readState(URL_KEY));
    for (const [index, jobId] of ['stuck', 'behind-1', 'behind-2'].entries()) {
        await store.addJob({ webhookKey: OPS_KEY, jobId, order: NOW - 600_000 + index, job: { id: jobId, to: 'ops', text: jobId }, alias: 'ops', acceptedAt: NOW - 600_000 });
    }
    const head = await store.headJob(OPS_KEY);
    if (head === undefined) {
        throw new Error('the ops outbox has no head');
    }
    await store.recordAttempt(head, {
        attempts: 3,
        firstAttemptAt: NOW - 300_000,
        notBefore: NOW + 12_000,
        lastStatus: 502,
        lastBody: 'Bad Gateway',
        lastReason: `transient: HTTP 502 posting to ${URL_TARGET}`,
    });
    await store.addJob({ webhookKey: URL_KEY, jobId: 'fresh', order: NOW, job: { id: 'fresh', to: { url: URL_TARGET }, text: 'hi' }, alias: undefined, acceptedAt: NOW });
}

describe('readBudgets: a head job being retried', () => {
    it('reports the failing head of a webhook with its id, attempts, since when, next try and last answer, URL cut to its host', async () => {
        const store = await freshStore();
        await seed(store);
        const report = await readBudgets(store, CONFIG, { now: NOW, guardMs: 50 });
        const ops = report.webhooks.find((webhook) => webhook.alias === 'ops');
        expect(ops).toMatchObject({ backlog: 3 });
        expect(ops?.retryingHead).toEqual({
            jobId: 'stuck',
            attempts: 3,
            lastReason: 'transient: HTTP 502 posting to https://prod-27.westeurope.logic.azure.com/…',
            lastStatus: 502,
            firstAttemptAt: NOW - 300_000,
            notBefore: NOW + 12_000,
        });
        expect(report.webhooks.find((webhook) => webhook.webhookKey === URL_KEY)?.retryingHead).toBeUndefined();
        expect(report.webhooks.find((webhook) => webhook.alias === 'dev')?.retryingHead).toBeUndefined();
        expect(JSON.stringify(report)).not.toContain('5ecret');
    });

    it('reads one head per webhook and nothing else per job', async () => {
        const store = await freshStore();
        await seed(store);
        const { store: counted, calls } = counting(store);
        const report = await readBudgets(counted, CONFIG, { now: NOW, guardMs: 50 });
        expect(report.webhooks).toHaveLength(3);
        expect(calls.get('headJob')).toBe(3);
        expect(calls.get('countJobs')).toBe(3);
        expect(calls.get('headJobs')).toBeUndefined();
        expect(calls.get('findJobs')).toBeUndefined();
    });

    it('shows it on the status card, and a fresh head not at all', async () => {
        const store = await freshStore();
        await seed(store);
        const json = JSON.stringify(statusCard(await readBudgets(store, CONFIG, { now: NOW, guardMs: 50 })));
        expect(json).toContain('"ops · retrying a job"');
        expect(json).toContain('{"title":"Retrying","value":"stuck: 3 attempts since 11:55 UTC, next try in 12 s"}');
        expect(json).toContain('{"title":"Last error","value":"HTTP 502: transient: HTTP 502 posting to https://prod-27.westeurope.logic.azure.com/…"}');
        expect(json.match(/"title":"Retrying"/g)).toHaveLength(1);
        expect(json).not.toContain('5ecret');
    });
});

describe('budgets of Workflows webhooks and their Teams connection', () => {
    const ALPHA = 'https://prod-27.westeurope.logic.azure.com:443/workflows/alpha/triggers/manual/paths/invoke?sig=AlphaSecret';
    const BETA = 'https://contoso.environment.api.powerplatform.com:443/powerautomate/automations/direct/cu/2/workflows/beta/triggers/manual/paths/invoke?sig=BetaSecret';
    const FLOWS = loadConfig({ TEAMS_WEBHOOK_ALPHA: ALPHA, TEAMS_WEBHOOK_BETA: BETA, TEAMS_WEBHOOK_OPS: OPS_WEBHOOK });

    async function seeded(): Promise<OutboxStore> {
        const store = await freshStore();
        const alphaKey = webhookKey(new URL(ALPHA));
        await store.writeState({ ...(await store.readState(alphaKey)), alias: 'alpha', sends: [NOW - 1_000], accepted: 7 });
        const connection = await store.readConnection('default');
        // 25 posts in the last 5 minutes: the connection is full until the oldest leaves the window.
        const sends = Array.from({ length: 25 }, (_unused, index) => NOW - 200_000 + index);
        await store.writeConnection({ ...connection, sends, claims: [{ webhookKey: alphaKey, round: 3, expiresAt: NOW + 200_000 }] });
        return store;
    }

    it('counts accepted jobs apart from delivered ones, and holds a Workflows webhook to its connection’s next slot', async () => {
        const report = await readBudgets(await seeded(), FLOWS, { now: NOW, guardMs: 50 });
        const alpha = report.webhooks.find((webhook) => webhook.alias === 'alpha');
        expect(alpha).toMatchObject({ dialect: 'workflows', connection: 'default', accepted: 7, delivered: 0 });
        expect(alpha?.nextSlot).toBe(NOW + 100_000 + 50);
        expect(report.webhooks.find((webhook) => webhook.alias === 'ops')).toMatchObject({ dialect: 'connector', connection: undefined });
    });

    it('reports the connection: its windows, who shares it, who takes turns, its next slot', async () => {
        const report = await readBudgets(await seeded(), FLOWS, { now: NOW, guardMs: 50 });
        expect(report.connections).toEqual([
            {
                connection: 'default',
                windows: [
                    { windowMs: 60_000, max: 100, used: 0, remaining: 100 },
                    { windowMs: 300_000, max: 25, used: 25, remaining: 0 },
                ],
                blockedUntil: 0,
                nextSlot: NOW + 100_000 + 50,
                aliases: ['alpha', 'beta'],
                sharing: 1,
            },
        ]);
        expect(report.notices).toEqual([expect.stringContaining('TEAMS_WEBHOOK_OPS is an Office 365 connector URL')]);
    });

    it('shows a limited scope only its own aliases’ connections and warnings', async () => {
        const report = await readBudgets(await seeded(), FLOWS, { now: NOW, guardMs: 50, aliases: ['alpha'] });
        expect(report.connections?.map((connection) => [connection.connection, connection.aliases])).toEqual([['default', ['alpha']]]);
        expect(report.notices).toEqual([]);
        const opsOnly = await readBudgets(await seeded(), FLOWS, { now: NOW, guardMs: 50, aliases: ['ops'] });
        expect(opsOnly.connections).toEqual([]);
        expect(opsOnly.notices).toHaveLength(1);
    });

    it('lists a connection a Workflows alias uses before anything was stored', async () => {
        const report = await readBudgets(await freshStore(), loadConfig({ TEAMS_WEBHOOK_ALPHA: ALPHA, TEAMS_CONNECTION_ALPHA: 'ada' }), { now: NOW, guardMs: 50 });
        expect(report.connections?.map((connection) => [connection.connection, connection.aliases, connection.nextSlot])).toEqual([['ada', ['alpha'], NOW]]);
        expect(report.notices).toEqual([]);
    });

    it('says it all on the status card: the retirement warning, accepted by the flow, and the connection’s bars', async () => {
        const json = JSON.stringify(statusCard(await readBudgets(await seeded(), FLOWS, { now: NOW, guardMs: 50 })));
        const shown = [
            // The retirement warning, with where to read about it.
            'TEAMS_WEBHOOK_OPS is an Office 365 connector URL: Microsoft retired Office 365 connectors',
            'https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-',
            '"connector (retired by Microsoft)"',
            // Accepted by the flow, and the connection the flow shares, with its bar.
            '{"title":"Accepted","value":"7 by the flow (see its run history), 0 dead-lettered"}',
            '{"title":"Connection","value":"default (shared Flow bot budget, below)"}',
            '"Teams connection default"',
            '"5 min 25/25"',
        ];
        for (const text of shown) {
            expect(json).toContain(text);
        }
        expect(json).not.toMatch(/AlphaSecret|BetaSecret|webhookb2/);
    });
});
