// The sender on an injected clock against the Teams simulator: order, rate limits, Teams' answers, several instances and storage trouble.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { resolveSendTarget, URL_TARGETS_OFF } from '../../../shared/notify/accept.js';
import { drainWebhook } from '../../../shared/notify/sender.js';
import type { NotificationJob } from '../../../shared/notify/jobs.js';
import { TEAMS_WEBHOOK_LIMITS, type SlidingWindowLimit } from '../../../shared/notify/limiter.js';
import { DEFAULT_LIMIT_PROFILES } from '../../../shared/notify/limit-profiles.js';
import { START, type Bench, useBenches } from './harness.js';

const openBench = useBenches();

async function open(aliases?: Record<string, 'connector' | 'workflows'>): Promise<Bench> {
    return openBench(aliases === undefined ? {} : { aliases });
}

const texts = (count: number, to = 'ops', from = 0) =>
    Array.from({ length: count }, (_, index) => ({ id: `job-${from + index}`, to, text: `message ${from + index}`, createdAt: START + from + index }));

function sentTexts(b: Bench, webhook = 'ops'): string[] {
    return b.sim
        .received(webhook)
        .filter((request) => request.outcome === 'delivered')
        .map((request) => {
            const json = request.json as { text?: string; attachments?: { content: { body: { text: string }[] } }[] };
            return json.text ?? json.attachments?.[0]?.content.body[0]?.text ?? '';
        });
}

describe('drainWebhook', () => {
    it('sends the first 60 jobs at 4 per second and makes the 61st wait for the 30 s window, with nothing throttled', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(61));
        const result = await drainWebhook(key, b.deps());
        expect(result).toMatchObject({ kind: 'idle', sent: 61 });
        const times = b.sim.received('ops').map((request) => request.at - START);
        expect(b.sim.stats('ops').throttled).toBe(0);
        expect(times.slice(0, 4).every((time) => time < 1_000)).toBe(true);
        expect(times[4]).toBeGreaterThanOrEqual(1_000);
        expect(times[59]).toBeLessThan(30_000);
        expect(times[60]).toBeGreaterThanOrEqual(30_000);
        expect(b.sim.violations('ops', TEAMS_WEBHOOK_LIMITS)).toEqual([]);
    });

    it('delivers hundreds of jobs in createdAt order whatever order they were accepted in', async () => {
        const b = await open();
        const jobs = texts(150);
        const shuffled = [...jobs].sort((a, c) => ((a.createdAt * 7919) % 150) - ((c.createdAt * 7919) % 150));
        const [key = ''] = await b.enqueue(...shuffled);
        await drainWebhook(key, b.deps());
        expect(sentTexts(b)).toEqual(jobs.map((job) => job.text));
        expect(b.sim.stats('ops').throttled).toBe(0);
        expect(b.sim.violations('ops', TEAMS_WEBHOOK_LIMITS)).toEqual([]);
    });

    it('makes the 101st send wait for the hour window, on the injected clock', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(101));
        await drainWebhook(key, b.deps());
        const times = b.sim.received('ops').map((request) => request.at - START);
        expect(times).toHaveLength(101);
        expect(times[100]).toBeGreaterThanOrEqual(3_600_000);
        expect(b.sim.violations('ops', TEAMS_WEBHOOK_LIMITS)).toEqual([]);
    });

    it('hands over to a wake-up at the next free slot instead of waiting long in process', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(61));
        const result = await drainWebhook(key, b.deps({ settings: { maxInlineWaitMs: 2_000 } }));
        expect(result.kind).toBe('waiting');
        expect(result.sent).toBe(60);
        expect(b.wakeups).toHaveLength(1);
        expect(b.wakeups[0]?.at).toBe(result.kind === 'waiting' ? result.until : -1);
        expect((b.wakeups[0]?.at ?? 0) - START).toBeGreaterThanOrEqual(30_000);
        expect((await b.store.readState(key)).wakeAt).toBe(b.wakeups[0]?.at);
        expect((await b.store.readState(key)).leaseOwner).toBeUndefined();
    });

    it('does not schedule a second wake-up while one is pending for the same slot', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(62));
        await drainWebhook(key, b.deps({ settings: { maxInlineWaitMs: 2_000 } }));
        await drainWebhook(key, b.deps({ settings: { maxInlineWaitMs: 2_000 } }));
        expect(b.wakeups).toHaveLength(1);
    });

    it('never sends while another sender holds the webhook', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(3));
        const state = await b.store.readState(key);
        await b.store.writeState({ ...state, leaseOwner: 'someone-else', leaseUntil: b.clock.now() + 60_000 });
        expect(await drainWebhook(key, b.deps())).toEqual({ kind: 'busy', sent: 0 });
        expect(b.sim.received('ops')).toHaveLength(0);
    });

    it('two senders draining one webhook at once post every job exactly once, within the limits', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(40));
        await Promise.all([drainWebhook(key, b.deps({ owner: 'a' })), drainWebhook(key, b.deps({ owner: 'b' }))]);
        await drainWebhook(key, b.deps({ owner: 'c' }));
        expect(sentTexts(b)).toEqual(texts(40).map((job) => job.text));
        expect(b.sim.violations('ops', TEAMS_WEBHOOK_LIMITS)).toEqual([]);
    });

    it('sends a job added while the outbox looked empty, without waiting for the sweep', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        let added = false;
        const store = b.store;
        const racing = {
            ...store,
            headJob: async (webhookKey: string) => {
                const head = await store.headJob(webhookKey);
                if (head === undefined && !added) {
                    added = true;
                    // Another instance accepts a job now, sees the lease, and leaves it to us.
                    await b.enqueue(...texts(1, 'ops', 1));
                }
                return head;
            },
        };
        const result = await drainWebhook(key, b.deps({ store: racing }));
        expect(result.sent).toBe(2);
        expect(sentTexts(b)).toEqual(['message 0', 'message 1']);
    });
});

describe('answers from Teams', () => {
    it('retries a 200-wrapped 500 with back-off, then delivers', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        b.sim.inject('ops', { fault: 'wrapped500', times: 2 });
        await drainWebhook(key, b.deps());
        expect(b.sim.received('ops').map((request) => request.outcome)).toEqual(['fault', 'fault', 'delivered']);
        expect(b.events.filter((event) => event.event === 'retrying')).toHaveLength(2);
        const times = b.sim.received('ops').map((request) => request.at);
        expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThan(0);
    });

    it('retries connection resets and 503s', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        b.sim.inject('ops', { fault: 'reset', times: 1 });
        b.sim.inject('ops', { fault: 'status503', times: 1 });
        await drainWebhook(key, b.deps());
        expect(b.sim.received('ops').map((request) => request.outcome)).toEqual(['fault', 'fault', 'delivered']);
    });

    it('times out a hung webhook and retries', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        b.sim.inject('ops', { fault: 'hang', times: 1 });
        await drainWebhook(key, b.deps({ settings: { timeoutMs: 200 } }));
        expect(b.events.find((event) => event.event === 'retrying')?.reason).toBe('transport-timeout');
        expect(sentTexts(b)).toEqual(['message 0']);
    });

    it('defers a throttled job, backs the webhook off and persists it, then delivers in order', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(2));
        b.sim.inject('ops', { fault: 'throttle', times: 1 });
        const result = await drainWebhook(key, b.deps({ settings: { maxInlineWaitMs: 2_000 } }));
        expect(result.kind).toBe('waiting');
        const state = await b.store.readState(key);
        expect(state.consecutiveThrottles).toBe(1);
        expect(state.blockedUntil - b.clock.now()).toBeGreaterThanOrEqual(29_000);
        expect(await b.store.listDeadLetters()).toHaveLength(0);
        b.clock.time = state.blockedUntil;
        await drainWebhook(key, b.deps());
        expect(sentTexts(b)).toEqual(['message 0', 'message 1']);
        expect((await b.store.readState(key)).consecutiveThrottles).toBe(0);
    });

    it.each([
        ['a 200-wrapped 413', 'wrapped413', 200],
        ['a 200-wrapped 400', 'wrapped400', 200],
        ['a removed webhook (410)', 'gone', 410],
    ] as const)('dead-letters at once on %s, with the status and body, and goes on with the next job', async (_what, fault, status) => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(2));
        b.sim.inject('ops', { fault, times: 1 });
        await drainWebhook(key, b.deps());
        const [letter] = await b.store.listDeadLetters();
        expect(letter).toMatchObject({ jobId: 'job-0', source: 'delivery', lastStatus: status, attempts: 1 });
        expect(letter?.reason).toMatch(/Teams refused the message/);
        expect(sentTexts(b)).toEqual(['message 1']);
    });

    it('dead-letters a job still failing after the retry age, with the last answer', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        b.sim.inject('ops', { fault: 'status503' });
        await drainWebhook(key, b.deps({ settings: { retryMaxAgeMs: 60_000 } }));
        const [letter] = await b.store.listDeadLetters();
        expect(letter?.lastStatus).toBe(503);
        expect(letter?.attempts).toBeGreaterThan(2);
        expect(letter?.reason).toMatch(/Still failing after \d+ s of retries/);
    });

    it('dead-letters a payload over the safe size before sending it', async () => {
        const b = await open();
        const key = await b.storeDirectly({ id: 'big', to: 'ops', text: 'x'.repeat(30_000) }, START);
        await drainWebhook(key, b.deps());
        expect(b.sim.received('ops')).toHaveLength(0);
        expect((await b.store.listDeadLetters())[0]?.reason).toMatch(/payload is \d+ bytes, over the 24576-byte safe limit/);
    });

    it('sends Workflows an Adaptive Card envelope with contentUrl null and version 1.4', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue({ id: 'w', to: 'flow', adaptiveCard: { type: 'AdaptiveCard', version: '1.6', body: [{ type: 'TextBlock', text: 'hi' }] } });
        await drainWebhook(key, b.deps());
        const [request] = b.sim.received('flow');
        expect(request?.status).toBe(202);
        expect(request?.rendered).toBe(true);
        expect(request?.json).toMatchObject({ attachments: [{ contentUrl: null, content: { version: '1.4' } }] });
    });

    it('does not post a job id again once it was delivered', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        await drainWebhook(key, b.deps());
        await b.enqueue(...texts(1));
        await drainWebhook(key, b.deps());
        expect(b.sim.received('ops')).toHaveLength(1);
    });
});

describe('order across instances', () => {
    /** Drains `key` with a settle time of 1 s, during which another instance accepts `earlier`. */
    async function drainWhileAnotherAccepts(b: Bench, key: string, earlier: NotificationJob): Promise<void> {
        let accepting: Promise<unknown> | undefined;
        const sleep = async (ms: number) => {
            b.clock.time += ms;
            // The other instance accepts the earlier job while the sender waits out the settle time.
            accepting ??= b.enqueue(earlier);
            await accepting;
        };
        await drainWebhook(key, b.deps({ sleep, settings: { orderSettleMs: 1_000 } }));
    }

    it('holds a fresh job for the settle time, so an earlier job accepted a moment later by another instance goes first', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue({ id: 'later', to: 'ops', text: 'later', createdAt: START + 10 });
        await drainWhileAnotherAccepts(b, key, { id: 'earlier', to: 'ops', text: 'earlier', createdAt: START });
        expect(sentTexts(b)).toEqual(['earlier', 'later']);
        expect((b.sim.received('ops')[0]?.at ?? 0) - START).toBeGreaterThanOrEqual(1_000);
    });

    it('holds an old job for the settle time after its acceptance too, so a backlog accepted by two instances keeps its order', async () => {
        const b = await open();
        const hourAgo = START - 3_600_000;
        const [key = ''] = await b.enqueue({ id: 'later', to: 'ops', text: 'later', createdAt: hourAgo + 10 });
        await drainWhileAnotherAccepts(b, key, { id: 'earlier', to: 'ops', text: 'earlier', createdAt: hourAgo });
        expect(sentTexts(b)).toEqual(['earlier', 'later']);
    });

    it('counts each send from when Teams answered, so host lag cannot squeeze five posts into a second', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(8));
        // Every POST takes 100 ms to be answered on the injected clock (a loaded host or network).
        const slow = b.deps();
        const post = slow.post;
        await drainWebhook(key, { ...slow, post: async (url, body, timeout) => { const answer = await post(url, body, timeout); b.clock.time += 100; return answer; } });
        const state = await b.store.readState(key);
        const times = state.sends.slice(-8);
        expect((times[4] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
        expect(b.sim.violations('ops', TEAMS_WEBHOOK_LIMITS)).toEqual([]);
    });
});

describe('storage trouble after Teams answered', () => {
    it('keeps trying to record a delivery while storage is briefly unreachable, so the job is not posted twice', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(2));
        let failures = 2;
        const store = b.store;
        const flaky = {
            ...store,
            completeJob: (...args: Parameters<typeof store.completeJob>) => {
                if (failures > 0) {
                    failures -= 1;
                    return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:10002'));
                }
                return store.completeJob(...args);
            },
        };
        await drainWebhook(key, b.deps({ store: flaky }));
        expect(sentTexts(b)).toEqual(['message 0', 'message 1']);
        expect(await b.store.countJobs(key)).toBe(0);
    });
});

describe('the send log and the rate-limit guard', () => {
    /** One window, the longest the sender knows: two sends per 10 s, widened by a 1 s guard to 11 s. */
    const ONE_WINDOW: readonly SlidingWindowLimit[] = [{ windowMs: 10_000, max: 2 }];
    const GUARD_MS = 1_000;

    it('still counts a send older than the longest window but within its guard', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(
            { id: 'first', to: 'ops', text: 'first', createdAt: START },
            { id: 'second', to: 'ops', text: 'second', createdAt: START + 1 },
        );
        // One earlier send at START. Half a second past its 10 s window, but inside the guard: the
        // next two sends together with it must span at least 11 s.
        const state = await b.store.readState(key);
        await b.store.writeState({ ...state, sends: [START] });
        b.clock.time = START + 10_500;

        const profiles = { ...DEFAULT_LIMIT_PROFILES, connector: { ...DEFAULT_LIMIT_PROFILES.connector, perUrl: ONE_WINDOW } };
        const result = await drainWebhook(key, b.deps({ settings: { profiles, guardMs: GUARD_MS } }));

        expect(result).toMatchObject({ kind: 'idle', sent: 2 });
        expect(b.sim.received('ops').map((request) => request.at - START)).toEqual([10_500, 11_000]);
    });
});

describe('a {url} job waiting when ALLOW_URL_TARGETS is turned off', () => {
    it('is dead-lettered with the reason naming the setting, and the jobs behind it are delivered', async () => {
        const b = await openBench({ aliases: { ops: 'connector' }, settings: { ALLOW_URL_TARGETS: 'true' } });
        // The {url} names the same webhook as the alias, so both wait in one outbox, the {url} job first.
        const [key = ''] = await b.enqueue(
            { id: 'by-url', to: { url: b.sim.connectorUrl('ops') }, text: 'accepted while URL targets were on', createdAt: START },
            { id: 'by-alias', to: 'ops', text: 'behind it', createdAt: START + 1 },
        );
        const turnedOff = loadConfig({ ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', TEAMS_WEBHOOK_OPS: b.sim.connectorUrl('ops') });

        const result = await drainWebhook(key, b.deps({ resolveTarget: (job) => resolveSendTarget(job, turnedOff) }));

        expect(result).toMatchObject({ kind: 'idle', sent: 1 });
        const [letter, ...others] = await b.store.listDeadLetters();
        expect(others).toEqual([]);
        expect(letter).toMatchObject({ jobId: 'by-url', source: 'delivery', reason: URL_TARGETS_OFF, attempts: 0 });
        expect(sentTexts(b)).toEqual(['behind it']);
    });
});
