// The Workflows profile end to end on an injected clock: webhooks sharing a Teams connection's Flow-bot budget, fairly and in order, and Retry-After.
import { describe, expect, it } from 'vitest';
import { drainWebhook, type SenderDeps } from '../../../shared/notify/sender.js';
import { WORKFLOWS_CONNECTION_LIMITS } from '../../../shared/notify/limit-profiles.js';
import { TEAMS_WEBHOOK_LIMITS } from '../../../shared/notify/limiter.js';
import { createSeededRandom, findSlidingWindowViolations } from '../../../tools/simulator/index.js';
import { START, type Bench, useBenches } from './harness.js';

const openBench = useBenches();

const jobs = (count: number, to: string, from = 0) =>
    Array.from({ length: count }, (_, index) => ({ id: `${to}-${from + index}`, to, text: `${to} ${from + index}`, createdAt: START + from + index }));

/** Times (simulator clock) and texts of the requests a webhook accepted, in arrival order. */
function accepted(b: Bench, alias: string): { at: number; text: string }[] {
    return b.sim
        .received(alias)
        .filter((request) => request.status >= 200 && request.status < 300)
        .map((request) => {
            const json = request.json as { attachments?: { content: { body: { text: string }[] } }[] };
            return { at: request.at, text: json.attachments?.[0]?.content.body[0]?.text ?? '' };
        });
}

/**
 * Runs the webhooks as the app does, one drain per wake-up, in time order on the manual clock: every
 * wait goes through a wake-up message (none in process), so a webhook only runs when its slot comes.
 * Wake-ups due at the same moment run in a seeded random order, as instances pick messages up in no
 * fixed order.
 */
async function runWakeups(b: Bench, keys: readonly string[], deps: SenderDeps, maxDrains = 5_000): Promise<number> {
    const random = createSeededRandom(20_261_123);
    const due = keys.map((webhook) => ({ webhook, at: b.clock.now(), tie: random() }));
    // Wake-ups scheduled before the run are due as well.
    let seen = 0;
    let drains = 0;
    while (due.length > 0 && drains < maxDrains) {
        due.sort((a, c) => a.at - c.at || a.tie - c.tie);
        const next = due.shift();
        if (next === undefined) break;
        b.clock.time = Math.max(b.clock.time, next.at);
        await drainWebhook(next.webhook, deps);
        drains += 1;
        for (; seen < b.wakeups.length; seen++) {
            const wakeup = b.wakeups[seen];
            if (wakeup !== undefined) due.push({ webhook: wakeup.webhook, at: wakeup.at, tie: random() });
        }
    }
    return drains;
}

describe('two Workflows webhooks on one Teams connection', () => {
    it('never post more than 25 in any 300 s (nor 100 in any 60 s) together, each in order, both progressing', async () => {
        const b = await openBench({ aliases: { alpha: 'workflows', beta: 'workflows' } });
        const keys = [...new Set(await b.enqueue(...jobs(100, 'alpha'), ...jobs(100, 'beta')))];
        // The simulator's flows post with their owner's connection, as the app assumes by default: one for both.
        await runWakeups(b, keys, b.deps({ settings: { maxInlineWaitMs: 0 } }));

        const alpha = accepted(b, 'alpha');
        const beta = accepted(b, 'beta');
        expect(alpha.map((post) => post.text)).toEqual(jobs(100, 'alpha').map((job) => job.text));
        expect(beta.map((post) => post.text)).toEqual(jobs(100, 'beta').map((job) => job.text));
        const both = [...alpha, ...beta].map((post) => post.at).sort((a, c) => a - c);
        expect(findSlidingWindowViolations(both, WORKFLOWS_CONNECTION_LIMITS)).toEqual([]);
        expect(b.sim.connectionStats()).toMatchObject({ accepted: 200, posted: 200, throttledInFlow: 0 });
        for (const own of [alpha, beta]) {
            expect(findSlidingWindowViolations(own.map((post) => post.at), TEAMS_WEBHOOK_LIMITS)).toEqual([]);
        }
        // As fast as the connection allows: 200 posts need 7 full 300 s windows after the first 25.
        expect((both.at(-1) ?? 0) - START).toBeLessThan(8 * 300_000);
        // Fair: once both are in the rounds (after the first window, shared as they came) and while
        // both have a backlog (before the last, where one runs out), each 300 s splits 12 and 13.
        const perWindow = new Map<number, { alpha: number; beta: number }>();
        for (const [who, posts] of [['alpha', alpha], ['beta', beta]] as const) {
            for (const post of posts) {
                const window = Math.floor((post.at - START) / WORKFLOWS_CONNECTION_LIMITS[1].windowMs);
                const counts = perWindow.get(window) ?? { alpha: 0, beta: 0 };
                counts[who] += 1;
                perWindow.set(window, counts);
            }
        }
        const shares = [...perWindow.values()];
        expect(shares).toHaveLength(8);
        for (const counts of shares) {
            expect(counts.alpha + counts.beta).toBe(25);
        }
        for (const counts of shares.slice(1, -1)) {
            expect(Math.min(counts.alpha, counts.beta)).toBeGreaterThanOrEqual(12);
        }
        expect(b.events.filter((event) => event.event === 'flow-accepted')).toHaveLength(200);
        expect(b.events.some((event) => event.event === 'delivered')).toBe(false);
    });

    it('get a budget each when TEAMS_CONNECTION_<ALIAS> sets them apart', async () => {
        const b = await openBench({
            aliases: { alpha: 'workflows', beta: 'workflows' },
            settings: { TEAMS_CONNECTION_ALPHA: 'ada', TEAMS_CONNECTION_BETA: 'grace' },
            sim: { connections: { alpha: 'ada', beta: 'grace' } },
        });
        const keys = [...new Set(await b.enqueue(...jobs(30, 'alpha'), ...jobs(30, 'beta')))];
        await runWakeups(b, keys, b.deps({ settings: { maxInlineWaitMs: 0 } }));
        for (const alias of ['alpha', 'beta']) {
            const times = accepted(b, alias).map((post) => post.at);
            expect(times).toHaveLength(30);
            // Its own 25 in the first 300 s, then the 26th waits for its own connection's window.
            expect(times.filter((at) => at < START + 300_000)).toHaveLength(25);
            expect(findSlidingWindowViolations(times, WORKFLOWS_CONNECTION_LIMITS)).toEqual([]);
        }
        const connections = (await b.store.listConnections()).map((connection) => connection.connection).sort();
        expect(connections).toEqual(['ada', 'grace']);
        for (const connection of connections) {
            expect(b.sim.connectionStats(connection)).toMatchObject({ posted: 30, throttledInFlow: 0 });
        }
    });

    it('dead-letter a job the Workflows trigger refuses, saying it was the trigger, and count the rest as accepted', async () => {
        const b = await openBench({ aliases: { alpha: 'workflows' } });
        b.sim.inject('alpha', { fault: 'wrapped400', times: 1 });
        const keys = [...new Set(await b.enqueue(...jobs(2, 'alpha')))];
        await runWakeups(b, keys, b.deps({ settings: { maxInlineWaitMs: 0 } }));
        const [letter] = await b.store.listDeadLetters();
        expect(letter).toMatchObject({ jobId: 'alpha-0', lastStatus: 400 });
        expect(letter?.reason).toMatch(/^The Workflows trigger refused the message/);
        const [key = ''] = keys;
        expect(await b.store.readState(key)).toMatchObject({ accepted: 1, delivered: 0, deadLettered: 1 });
    });

    it('leave a connector webhook alone: its posts use no connection', async () => {
        const b = await openBench({ aliases: { ops: 'connector' } });
        const keys = [...new Set(await b.enqueue(...jobs(30, 'ops')))];
        await runWakeups(b, keys, b.deps({ settings: { maxInlineWaitMs: 0 } }));
        expect(b.sim.received('ops').filter((request) => request.at < START + 300_000)).toHaveLength(30);
        expect(await b.store.listConnections()).toEqual([]);
        expect(b.events.filter((event) => event.event === 'delivered')).toHaveLength(30);
    });
});

describe('digests on a Teams connection', () => {
    it('fold a Workflows backlog that would wait longer than the digest delay for its connection, though its URL alone would not', async () => {
        const b = await openBench({ aliases: { alpha: 'workflows', ops: 'connector' } });
        // 40 jobs: 10 s of the URL's windows, but the 26th would wait 300 s for the connection.
        const keys = [...new Set(await b.enqueue(...jobs(40, 'alpha'), ...jobs(40, 'ops')))];
        await runWakeups(b, keys, b.deps({ settings: { maxInlineWaitMs: 0, digestAfterMs: 60_000 } }));
        const folded = b.events.filter((event) => event.event === 'flow-accepted' && event.digestId !== undefined);
        expect(folded.length).toBeGreaterThan(0);
        expect(new Set(b.events.filter((event) => event.event === 'flow-accepted').map((event) => event.jobId)).size).toBe(40);
        expect(accepted(b, 'alpha').length).toBeLessThan(25);
        expect(accepted(b, 'alpha').every((post) => post.at < START + 60_000)).toBe(true);
        // The connector webhook's 40 jobs fit its windows within the delay: each goes alone.
        expect(b.events.filter((event) => event.event === 'delivered' && event.digestId === undefined)).toHaveLength(40);
        expect(b.sim.connectionStats()).toMatchObject({ throttledInFlow: 0 });
    });
});

describe('Retry-After', () => {
    it('holds the webhook and its whole connection for Retry-After: 20 on a 429', async () => {
        const b = await openBench({ aliases: { alpha: 'workflows', beta: 'workflows' } });
        const deps = b.deps({ settings: { maxInlineWaitMs: 0 } });
        b.sim.inject('alpha', { fault: 'throttle', times: 1, retryAfter: { seconds: 20 } });
        const [alphaKey = ''] = await b.enqueue(...jobs(2, 'alpha'));
        expect(await drainWebhook(alphaKey, deps)).toMatchObject({ kind: 'waiting', until: START + 20_000 });
        expect(b.events.find((event) => event.event === 'throttled')).toMatchObject({ status: 429, waitMs: 20_000 });
        // Another webhook of the same connection, with jobs from now on: it too waits for the Retry-After.
        const [betaKey = ''] = await b.enqueue(...jobs(2, 'beta'));
        await runWakeups(b, [betaKey], deps);
        const after = [...accepted(b, 'alpha'), ...accepted(b, 'beta')].map((post) => post.at);
        expect(after).toHaveLength(4);
        expect(Math.min(...after)).toBeGreaterThanOrEqual(START + 20_000);
        expect(accepted(b, 'alpha').map((post) => post.text)).toEqual(['alpha 0', 'alpha 1']);
    });

    it('holds the webhook and its connection for a 503’s Retry-After given as an HTTP date, over the shorter retry back-off', async () => {
        const b = await openBench({ aliases: { alpha: 'workflows', beta: 'workflows' } });
        const deps = b.deps({ settings: { maxInlineWaitMs: 0 } });
        b.sim.inject('alpha', { fault: 'status503', times: 1, retryAfter: { seconds: 45, format: 'http-date' } });
        const [alphaKey = ''] = await b.enqueue(...jobs(1, 'alpha'));
        await drainWebhook(alphaKey, deps);
        expect(b.events.find((event) => event.event === 'retrying')).toMatchObject({ status: 503, waitMs: 45_000 });
        const [betaKey = ''] = await b.enqueue(...jobs(1, 'beta'));
        await runWakeups(b, [betaKey], deps);
        expect(b.sim.received('alpha').map((request) => [request.at - START, request.status])).toEqual([
            [0, 503],
            [45_000, 202],
        ]);
        expect(b.sim.received('beta').map((request) => request.at - START)).toEqual([45_000]);
    });
});
