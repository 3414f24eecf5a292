import { describe, expect, it } from 'vitest';
import { toWebhookBudget } from '../../shared/budget/index.js';
import { statusCard } from '../../shared/commands/builtin/status.js';
import { emptyWebhookState } from '../../shared/outbox/index.js';
import { toTeamsReply } from '../../shared/reply/index.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('status card', () => {
    it('shows the backlog, each window against its limit, back-off and dead letters', () => {
        const state = { ...emptyWebhookState('a'.repeat(32)), sends: [NOW - 500, NOW - 400, NOW - 20_000], blockedUntil: NOW + 60_000, delivered: 7, deadLettered: 1 };
        const budget = toWebhookBudget(state, 12, 'ops', 'connector', { now: NOW, guardMs: 50 });
        const card = statusCard({ at: NOW, webhooks: [budget], deadLetters: 1 });
        const json = JSON.stringify(card);
        expect(json).toContain('"ops"');
        expect(json).toContain('{"title":"Backlog","value":"12"}');
        expect(json).toContain('{"title":"Sent in 1 s","value":"2 / 4"}');
        expect(json).toContain('{"title":"Sent in 30 s","value":"3 / 60"}');
        expect(json).toContain('backing off until in 60 s');
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
    });
});
