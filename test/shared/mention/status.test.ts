// The `status` card: facts per webhook, a bar per rate window coloured by how full it is, and the dead letters.
import { describe, expect, it } from 'vitest';
import { toWebhookBudget, type WebhookBudget } from '../../../shared/notify/budget.js';
import { statusCard, windowFillStyle } from '../../../shared/mention/commands/builtin/status.js';
import { emptyWebhookState, untriedJob, type OutboxJob } from '../../../shared/notify/outbox/index.js';
import { cardActionTypes, toTeamsReply } from '../../../shared/mention/reply.js';

const NOW = Date.UTC(2026, 10, 23, 12);

/** Every object in `node` whose `type` is `type`, depth first. */
function nodesOfType(node: unknown, type: string): Record<string, unknown>[] {
    if (Array.isArray(node)) {
        return node.flatMap((item) => nodesOfType(item, type));
    }
    if (typeof node !== 'object' || node === null) {
        return [];
    }
    const record = node as Record<string, unknown>;
    return [...(record['type'] === type ? [record] : []), ...Object.values(record).flatMap((value) => nodesOfType(value, type))];
}

/** The bar drawn beside the TextBlock `label`: each part's weight and style. */
function barNextTo(card: object, label: string): { width: unknown; style: unknown }[] {
    const row = nodesOfType(card, 'ColumnSet').find((set) => nodesOfType(set, 'TextBlock').some((block) => block['text'] === label));
    expect(row, `a row labelled "${label}"`).toBeDefined();
    const [bar] = nodesOfType(row, 'ColumnSet').filter((set) => set !== row);
    return nodesOfType(bar, 'Column').map((column) => ({ width: column['width'], style: nodesOfType(column, 'Container')[0]?.['style'] }));
}

function budgetOf(sends: readonly number[], overrides: Partial<WebhookBudget> = {}): WebhookBudget {
    return { ...toWebhookBudget({ ...emptyWebhookState('c'.repeat(32)), sends: [...sends] }, 0, 'ops', 'connector', { now: NOW, guardMs: 50 }), ...overrides };
}

/** A head job of the `ops` webhook, fresh unless `overrides` say it failed. */
function headJob(overrides: Partial<OutboxJob> = {}): OutboxJob {
    const job = { webhookKey: 'c'.repeat(32), jobId: 'deploy-4711', order: NOW - 600_000, job: { id: 'deploy-4711', to: 'ops', text: 'Deployed' }, alias: 'ops', acceptedAt: NOW - 600_000 };
    return { ...untriedJob(job), etag: 'W/"1"', ...overrides };
}

function budgetWithHead(head: OutboxJob | undefined): WebhookBudget {
    return toWebhookBudget(emptyWebhookState('c'.repeat(32)), 4, 'ops', 'connector', { now: NOW, guardMs: 50 }, head);
}

describe('status card: a head job being retried', () => {
    const failing = headJob({
        attempts: 3,
        firstAttemptAt: NOW - 300_000,
        notBefore: NOW + 12_000,
        lastStatus: 502,
        lastReason: 'transient: HTTP 502 from https://contoso.webhook.office.com/webhookb2/s3cret-path',
    });

    it('shows its id, attempts, since when, next try and last error with the status', () => {
        const json = JSON.stringify(statusCard({ at: NOW, webhooks: [budgetWithHead(failing)], deadLetters: 0 }));
        expect(json).toContain('"ops · retrying a job"');
        expect(json).toContain('{"title":"Retrying","value":"deploy-4711: 3 attempts since 11:55 UTC, next try in 12 s"}');
        expect(json).toContain('{"title":"Last error","value":"HTTP 502: transient: HTTP 502 from https://contoso.webhook.office.com/…"}');
    });

    it('never shows the URL in a last error, only its host', () => {
        const json = JSON.stringify(statusCard({ at: NOW, webhooks: [budgetWithHead(failing)], deadLetters: 0 }));
        expect(json).not.toContain('s3cret');
        expect(budgetWithHead(failing).retryingHead?.lastReason).not.toContain('s3cret');
    });

    it('shows a last error without a status, and a failed head with no attempt time', () => {
        const head = headJob({ lastReason: 'digest refused: HTTP 413', firstAttemptAt: undefined });
        const json = JSON.stringify(statusCard({ at: NOW, webhooks: [budgetWithHead(head)], deadLetters: 0 }));
        expect(json).toContain('{"title":"Retrying","value":"deploy-4711: 0 attempts, next try now"}');
        expect(json).toContain('{"title":"Last error","value":"digest refused: HTTP 413"}');
    });

    it('cuts a long last error to one line of 200 characters, never inside a character', () => {
        const head = headJob({ attempts: 1, lastReason: `line one\nline two ${'😀'.repeat(300)}` });
        const card = statusCard({ at: NOW, webhooks: [budgetWithHead(head)], deadLetters: 0 });
        const fact = nodesOfType(card, 'FactSet')
            .flatMap((set) => set['facts'] as { title: string; value: string }[])
            .find((candidate) => candidate.title === 'Last error');
        expect(fact?.value.startsWith('line one line two 😀')).toBe(true);
        expect(Array.from(fact?.value ?? '')).toHaveLength(201);
        expect(fact?.value.endsWith('😀…')).toBe(true);
        expect(() => toTeamsReply({ card })).not.toThrow();
    });

    it('says nothing about retries when the head is fresh or the outbox is empty', () => {
        for (const head of [headJob(), undefined]) {
            const json = JSON.stringify(statusCard({ at: NOW, webhooks: [budgetWithHead(head)], deadLetters: 0 }));
            expect(json).not.toContain('Retrying');
            expect(json).not.toContain('retrying a job');
            expect(budgetWithHead(head).retryingHead).toBeUndefined();
        }
    });

    it('says throttled rather than retrying when Teams holds the webhook back', () => {
        const budget = { ...budgetWithHead(failing), blockedUntil: NOW + 30_000, consecutiveThrottles: 1 };
        const json = JSON.stringify(statusCard({ at: NOW, webhooks: [budget], deadLetters: 0 }));
        expect(json).toContain('"ops · throttled by Teams"');
        expect(json).toContain('"title":"Retrying"');
    });
});

describe('status card', () => {
    it('shows the backlog, each window against its limit, back-off and dead letters', () => {
        const state = { ...emptyWebhookState('a'.repeat(32)), sends: [NOW - 500, NOW - 400, NOW - 20_000], blockedUntil: NOW + 60_000, consecutiveThrottles: 2, delivered: 7, deadLettered: 1 };
        const budget = toWebhookBudget(state, 12, 'ops', 'connector', { now: NOW, guardMs: 50 });
        const card = statusCard({ at: NOW, webhooks: [budget], deadLetters: 1 });
        const json = JSON.stringify(card);
        expect(json).toContain('"ops · throttled by Teams"');
        expect(json).toContain('{"title":"Backlog","value":"12 jobs"}');
        expect(json).toContain('"text":"1 s 2/4"');
        expect(json).toContain('"text":"30 s 3/60"');
        expect(json).toContain('{"title":"Back-off","value":"throttled 2× in a row: held back for 60 s, until 12:01 UTC"}');
        expect(json).toContain('1 dead letter(s)');
        expect(() => toTeamsReply({ card })).not.toThrow();
    });

    it('says when no webhook is configured', () => {
        expect(JSON.stringify(statusCard({ at: NOW, webhooks: [], deadLetters: 0 }))).toContain('No webhook is configured yet');
    });

    it('gives the next free slot from the send log', () => {
        const sends = [NOW - 100, NOW - 100, NOW - 100, NOW - 100];
        const budget = toWebhookBudget({ ...emptyWebhookState('b'.repeat(32)), sends }, 1, 'ops', 'connector', { now: NOW, guardMs: 50 });
        expect(budget.nextSlot).toBe(NOW - 100 + 1_050);
        expect(budget.windows[0]).toMatchObject({ used: 4, remaining: 0 });
        expect(JSON.stringify(statusCard({ at: NOW, webhooks: [budget], deadLetters: 0 }))).toContain('{"title":"Next slot","value":"in 1 s"}');
    });

    it('draws each window as a bar of two columns weighted by sends used and sends left', () => {
        const card = statusCard({ at: NOW, webhooks: [budgetOf([NOW - 100, NOW - 200, NOW - 20_000])], deadLetters: 0 });
        expect(barNextTo(card, '1 s 2/4')).toEqual([
            { width: 2, style: 'good' },
            { width: 2, style: 'emphasis' },
        ]);
        expect(barNextTo(card, '30 s 3/60')).toEqual([
            { width: 3, style: 'good' },
            { width: 57, style: 'emphasis' },
        ]);
    });

    it('draws an unused window as an empty bar and a full one as a filled bar', () => {
        const card = statusCard({ at: NOW, webhooks: [budgetOf([NOW - 40_000, NOW - 100, NOW - 100, NOW - 100, NOW - 100])], deadLetters: 0 });
        expect(barNextTo(card, '1 s 4/4')).toEqual([{ width: 4, style: 'attention' }]);
        expect(barNextTo(card, '1 h 5/100')).toEqual([
            { width: 5, style: 'good' },
            { width: 95, style: 'emphasis' },
        ]);
        const idle = statusCard({ at: NOW, webhooks: [budgetOf([])], deadLetters: 0 });
        expect(barNextTo(idle, '24 h 0/1800')).toEqual([{ width: 1800, style: 'emphasis' }]);
    });

    it('colours a window good below 75 %, warning from 75 % and attention when full', () => {
        expect(windowFillStyle({ used: 2, max: 4 })).toBe('good');
        expect(windowFillStyle({ used: 3, max: 4 })).toBe('warning');
        expect(windowFillStyle({ used: 112, max: 150 })).toBe('good');
        expect(windowFillStyle({ used: 113, max: 150 })).toBe('warning');
        expect(windowFillStyle({ used: 60, max: 60 })).toBe('attention');
    });

    it('is an Adaptive Card 1.4 without actions', () => {
        const card = statusCard({ at: NOW, webhooks: [budgetOf([NOW - 100])], deadLetters: 3 });
        expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
        expect(cardActionTypes(card)).toEqual([]);
    });

    it('is pure: the same report gives the same card', () => {
        const report = { at: NOW, webhooks: [budgetOf([NOW - 100, NOW - 2_000])], deadLetters: 0 };
        expect(statusCard(report)).toEqual(statusCard(report));
    });
});
