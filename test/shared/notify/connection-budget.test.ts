// The shared budget of a Teams connection, decided purely: never over the windows, turns in order of last send, claims that expire.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAIM_GRACE_MS, decideConnectionSlot } from '../../../shared/notify/connection-budget.js';
import { WORKFLOWS_CONNECTION_LIMITS } from '../../../shared/notify/limit-profiles.js';
import { emptyConnectionState, type ConnectionState } from '../../../shared/notify/outbox/index.js';
import { MAX_CONNECTION_CLAIMS } from '../../../shared/notify/outbox/table-rows.js';
import { findSlidingWindowViolations } from '../../../tools/simulator/index.js';

const NOW = Date.UTC(2026, 10, 23);
const GUARD = 50;
const options = { guardMs: GUARD };

/** A connection whose 300 s window is full: 25 sends at `at`. */
function full(at: number): ConnectionState {
    return { ...emptyConnectionState('default'), sends: Array.from({ length: 25 }, () => at) };
}

describe('decideConnectionSlot', () => {
    it('lets a webhook send at once while the connection has budget, logging the send and its turn', () => {
        const decision = decideConnectionSlot(emptyConnectionState('default'), 'a', NOW, WORKFLOWS_CONNECTION_LIMITS, options);
        expect(decision).toMatchObject({ kind: 'send', state: { sends: [NOW], claims: [{ webhookKey: 'a', round: 1, expiresAt: NOW + CLAIM_GRACE_MS }] } });
    });

    it('makes the 26th send within 300 s wait for the window, its claim outliving the turn by the grace', () => {
        const decision = decideConnectionSlot(full(NOW), 'a', NOW + 10, WORKFLOWS_CONNECTION_LIMITS, options);
        expect(decision).toMatchObject({ kind: 'wait', until: NOW + 300_000 + GUARD });
        expect(decision.state.claims).toEqual([{ webhookKey: 'a', round: 0, expiresAt: NOW + 300_000 + GUARD + CLAIM_GRACE_MS }]);
    });

    it('holds every webhook of the connection until its Retry-After has passed', () => {
        const blocked = { ...emptyConnectionState('default'), blockedUntil: NOW + 20_000 };
        expect(decideConnectionSlot(blocked, 'a', NOW, WORKFLOWS_CONNECTION_LIMITS, options)).toMatchObject({ kind: 'wait', until: NOW + 20_000 });
        expect(decideConnectionSlot(blocked, 'a', NOW + 20_000, WORKFLOWS_CONNECTION_LIMITS, options).kind).toBe('send');
    });

    it('serves the webhook that has had fewer turns first, however many slots are free', () => {
        const at = NOW + 300_000 + GUARD;
        const state = { ...full(NOW), claims: [{ webhookKey: 'b', round: 3, expiresAt: at + 1_000 }, { webhookKey: 'a', round: 5, expiresAt: at + 1_000 }] };
        // 25 free: "a" (round 5) may go only after "b" (round 3) is given its 2 slots: it can, there are 25.
        expect(decideConnectionSlot(state, 'a', at, WORKFLOWS_CONNECTION_LIMITS, options).kind).toBe('send');
        // 2 free: both are "b"'s.
        const twoFree = { ...state, sends: [...Array.from({ length: 23 }, () => at - 1), NOW, NOW] };
        expect(decideConnectionSlot(twoFree, 'a', at, WORKFLOWS_CONNECTION_LIMITS, options).kind).toBe('wait');
        expect(decideConnectionSlot(twoFree, 'b', at, WORKFLOWS_CONNECTION_LIMITS, options).kind).toBe('send');
    });

    it('lets a newcomer join at the lowest round present, behind nobody who has had fewer turns', () => {
        const state = { ...full(NOW), claims: [{ webhookKey: 'a', round: 7, expiresAt: NOW + 400_000 }, { webhookKey: 'b', round: 4, expiresAt: NOW + 400_000 }] };
        const decision = decideConnectionSlot(state, 'c', NOW + 1, WORKFLOWS_CONNECTION_LIMITS, options);
        expect(decision.state.claims.find((claim) => claim.webhookKey === 'c')?.round).toBe(4);
    });

    it('forgets another webhook’s claim once it expired, but keeps a webhook’s own late claim', () => {
        const stale = {
            ...full(NOW - 400_000),
            claims: [
                { webhookKey: 'gone', round: 0, expiresAt: NOW - 1 },
                { webhookKey: 'late', round: 2, expiresAt: NOW - 1 },
            ],
        };
        const late = decideConnectionSlot(stale, 'late', NOW, WORKFLOWS_CONNECTION_LIMITS, options);
        expect(late).toMatchObject({ kind: 'send', state: { claims: [{ webhookKey: 'late', round: 3 }] } });
    });

    it('keeps a full claim list as it is, and the newcomer still learns its turn', () => {
        const claims = Array.from({ length: MAX_CONNECTION_CLAIMS }, (_unused, index) => ({ webhookKey: `w${index}`, round: 0, expiresAt: NOW + 10_000_000 }));
        const decision = decideConnectionSlot({ ...full(NOW), claims }, 'newcomer', NOW, WORKFLOWS_CONNECTION_LIMITS, options);
        expect(decision.kind).toBe('wait');
        expect(decision.state.claims).toHaveLength(MAX_CONNECTION_CLAIMS);
        expect(decision.state.claims.some((claim) => claim.webhookKey === 'newcomer')).toBe(false);
    });
});

/**
 * Webhooks with endless backlogs acting on one connection as senders do: each comes back at its
 * turn plus a random wake-up latency, decides, and on `send` sends and decides again at once.
 */
function simulate(webhooks: number, latencies: readonly number[], horizonMs: number): { sends: number[]; perWebhook: number[]; laterPerWebhook: number[] } {
    let state = emptyConnectionState('default');
    const sends: number[] = [];
    const perWebhook = Array.from({ length: webhooks }, () => 0);
    // Sends after the first moment, when every webhook has joined (the first to come takes what is free before the others arrive).
    const laterPerWebhook = Array.from({ length: webhooks }, () => 0);
    const due = Array.from({ length: webhooks }, (_unused, index) => ({ webhook: index, at: NOW }));
    let draw = 0;
    while (due.length > 0) {
        due.sort((a, b) => a.at - b.at || a.webhook - b.webhook);
        const next = due.shift();
        if (next === undefined || next.at > NOW + horizonMs) break;
        const decision = decideConnectionSlot(state, `w${next.webhook}`, next.at, WORKFLOWS_CONNECTION_LIMITS, options);
        state = decision.state;
        if (decision.kind === 'send') {
            sends.push(next.at);
            perWebhook[next.webhook] = (perWebhook[next.webhook] ?? 0) + 1;
            if (next.at > NOW) laterPerWebhook[next.webhook] = (laterPerWebhook[next.webhook] ?? 0) + 1;
            due.push({ webhook: next.webhook, at: next.at });
        } else {
            const latency = latencies[draw % Math.max(1, latencies.length)] ?? 0;
            draw += 1;
            due.push({ webhook: next.webhook, at: decision.until + latency });
        }
    }
    return { sends, perWebhook, laterPerWebhook };
}

describe('webhooks sharing one connection', () => {
    it('never exceed its windows together, whatever the number of webhooks and the wake-up latencies', () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 20 }), (webhooks, latencies) => {
                const { sends } = simulate(webhooks, latencies, 3_600_000);
                return findSlidingWindowViolations(sends, WORKFLOWS_CONNECTION_LIMITS).length === 0 && sends.length >= 12 * 25;
            }),
            { numRuns: 40 },
        );
    });

    it('share it round robin: with five webhooks each gets a fifth of the 275 posts after the first burst, within one turn', () => {
        const { sends, perWebhook, laterPerWebhook } = simulate(5, [0, 1_500, 700, 3_000, 200], 3_600_000 - 1);
        expect(sends).toHaveLength(300);
        expect(perWebhook[0]).toBeGreaterThanOrEqual(25);
        for (const count of laterPerWebhook) {
            expect(Math.abs(count - 55)).toBeLessThanOrEqual(1);
        }
    });

    it('share it within one turn each, whatever the number of webhooks and the wake-up latencies', () => {
        fc.assert(
            fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 20 }), (webhooks, latencies) => {
                const { laterPerWebhook } = simulate(webhooks, latencies, 3_600_000);
                return Math.max(...laterPerWebhook) - Math.min(...laterPerWebhook) <= 1;
            }),
            { numRuns: 40 },
        );
    });
});
