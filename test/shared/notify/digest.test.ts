// Digests under overload on an injected clock: a backlog folded into digests within the rate limits, in order, nothing lost.
import { describe, expect, it } from 'vitest';
import { backlogWaitMs } from '../../../shared/notify/digest.js';
import { drainWebhook } from '../../../shared/notify/sender.js';
import { TEAMS_WEBHOOK_LIMITS } from '../../../shared/notify/limiter.js';
import { START, type Bench, useBenches } from './harness.js';

const openBench = useBenches();

const DIGESTS_ON = { settings: { digestAfterMs: 60_000 } } as const;

const jobs = (count: number, options: { alone?: (index: number) => boolean } = {}) =>
    Array.from({ length: count }, (_, index) => ({
        id: `job-${index}`,
        to: 'ops',
        text: `Disk usage on db-${index} is 91%`,
        createdAt: START + index,
        ...(options.alone?.(index) === true ? { digest: false } : {}),
    }));

/** The job texts each post carried, in arrival order, found in its JSON. */
function postsCarrying(b: Bench, count: number): number[][] {
    return b.sim.received('ops').map((request) =>
        Array.from({ length: count }, (_, index) => index).filter((index) => request.bodyText.includes(`db-${index} is`)),
    );
}

describe('digests under overload', () => {
    it('delivers 400 jobs to one webhook within the first 30 s window’s 60 posts, in order, with nothing throttled', async () => {
        const b = await openBench();
        const [key = ''] = await b.enqueue(...jobs(400));
        await drainWebhook(key, b.deps(DIGESTS_ON));
        const received = b.sim.received('ops');
        expect(received.length).toBeLessThanOrEqual(60);
        expect(received.every((request) => request.at - START < 30_000)).toBe(true);
        expect(b.sim.stats('ops').throttled).toBe(0);
        expect(received.every((request) => request.outcome === 'delivered')).toBe(true);
        expect(postsCarrying(b, 400).flat()).toEqual(Array.from({ length: 400 }, (_, index) => index));
        expect(await b.store.countJobs(key)).toBe(0);
        expect(b.sim.violations('ops', TEAMS_WEBHOOK_LIMITS)).toEqual([]);
    });

    it('records every job as delivered, inside a digest or alone', async () => {
        const b = await openBench();
        const [key = ''] = await b.enqueue(...jobs(120));
        await drainWebhook(key, b.deps(DIGESTS_ON));
        const delivered = b.events.filter((event) => event.event === 'delivered');
        expect(delivered.map((event) => event.jobId)).toEqual(jobs(120).map((job) => job.id));
        const inDigests = delivered.filter((event) => event.digestId !== undefined);
        expect(inDigests.length).toBeGreaterThan(1);
        expect(inDigests.length).toBeLessThan(120);
        expect(b.events.filter((event) => event.event === 'dead-lettered')).toHaveLength(0);
    });

    it('never folds a job that says digest: false, and keeps the order around it', async () => {
        const b = await openBench();
        const alone = (index: number) => index % 25 === 7;
        const [key = ''] = await b.enqueue(...jobs(200, { alone }));
        await drainWebhook(key, b.deps(DIGESTS_ON));
        const posts = postsCarrying(b, 200);
        for (const index of Array.from({ length: 200 }, (_, i) => i).filter(alone)) {
            expect(posts.find((carried) => carried.includes(index))).toEqual([index]);
        }
        expect(posts.flat()).toEqual(Array.from({ length: 200 }, (_, index) => index));
    });

    it('posts alone while the backlog drains within the digest delay', async () => {
        const b = await openBench();
        const [key = ''] = await b.enqueue(...jobs(30));
        await drainWebhook(key, b.deps(DIGESTS_ON));
        expect(b.sim.received('ops')).toHaveLength(30);
    });

    it('sends the jobs alone when Teams refuses a digest, and loses none', async () => {
        const b = await openBench();
        const [key = ''] = await b.enqueue(...jobs(150));
        b.sim.inject('ops', { fault: 'wrapped400', times: 1 });
        await drainWebhook(key, b.deps({ settings: { digestAfterMs: 60_000, maxDrainMs: 20_000, maxInlineWaitMs: 2_000 } }));
        expect(b.events.some((event) => event.reason?.startsWith('digest refused') === true)).toBe(true);
        expect(postsCarrying(b, 150)[0]?.length).toBeGreaterThan(1);
        expect(postsCarrying(b, 150).slice(1, 5).every((carried) => carried.length === 1)).toBe(true);
        expect(await b.store.listDeadLetters()).toHaveLength(0);
    });
});

describe('backlogWaitMs', () => {
    it('is the wait of the last job of the backlog if each went alone', () => {
        expect(backlogWaitMs([], 4, 0, TEAMS_WEBHOOK_LIMITS, 50)).toBe(0);
        expect(backlogWaitMs([], 61, 0, TEAMS_WEBHOOK_LIMITS, 50)).toBeGreaterThanOrEqual(30_000);
        expect(backlogWaitMs([], 101, 0, TEAMS_WEBHOOK_LIMITS, 50)).toBeGreaterThanOrEqual(3_600_000);
    });
});
