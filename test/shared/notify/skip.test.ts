// Skipping waiting jobs in the outbox, with the real sender: the dead letter, the lease, and every race with a sender.
import { describe, expect, it } from 'vitest';
import { drainWebhook } from '../../../shared/notify/sender.js';
import { LEASE_CLOCK_SKEW_MS, LEASE_POLL_MS, SKIP_REASON, skipJobs, type SkipDeps, type SkipOutcome } from '../../../shared/notify/skip.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { START, type Bench, useBenches } from './harness.js';

const LEASE_MS = 30_000;
const OWNER = 'operator-test';

const openBench = useBenches();

async function open(): Promise<Bench> {
    return openBench();
}

const texts = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `job-${index}`, to: 'ops', text: `message ${index}`, createdAt: START + index }));

/** The webhooks a skip asked to be drained, and when. */
interface Wakes {
    readonly calls: { webhookKey: string; at: number }[];
}

function skipDeps(b: Bench, wakes: Wakes, overrides: Partial<SkipDeps> = {}): SkipDeps {
    return {
        store: b.store,
        now: b.clock.now,
        sleep: b.clock.sleep,
        owner: OWNER,
        leaseMs: LEASE_MS,
        maxWaitMs: 60_000,
        wake: (webhookKey, at) => {
            wakes.calls.push({ webhookKey, at });
            return Promise.resolve();
        },
        ...overrides,
    };
}

/** Texts of the jobs Teams received, in order. */
function posted(b: Bench): string[] {
    return b.sim.received('ops').map((request) => (request.json as { text?: string }).text ?? '');
}

describe('skipJobs', () => {
    it('moves a waiting job to the dead letters whole, gives the lease back, counts it and wakes the webhook', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(3));
        const wakes: Wakes = { calls: [] };
        const outcomes = await skipJobs(['job-1'], skipDeps(b, wakes));
        const [letter] = await b.store.listDeadLetters();
        expect(outcomes).toEqual([{ kind: 'skipped', jobId: 'job-1', webhookKey: key, alias: 'ops', deadLetterId: letter?.id }]);
        expect(letter).toMatchObject({ source: 'delivery', jobId: 'job-1', alias: 'ops', webhookKey: key, reason: SKIP_REASON, attempts: 0 });
        expect(letter?.job).toMatchObject({ id: 'job-1', text: 'message 1', createdAt: START + 1 });
        const state = await b.store.readState(key);
        expect(state).toMatchObject({ leaseOwner: undefined, leaseUntil: 0, deadLettered: 1 });
        expect(wakes.calls).toEqual([{ webhookKey: key, at: START }]);
        await drainWebhook(key, b.deps());
        expect(posted(b)).toEqual(['message 0', 'message 2']);
    });

    it('keeps the attempts, the first attempt time and the last answer of a head job being retried', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(2));
        b.sim.inject('ops', { fault: 'status503', times: 100 });
        await drainWebhook(key, b.deps({ settings: { maxInlineWaitMs: 0 } }));
        const head = await b.store.headJob(key);
        expect(head).toMatchObject({ jobId: 'job-0', attempts: 1, lastStatus: 503 });
        await skipJobs(['job-0'], skipDeps(b, { calls: [] }));
        const [letter] = await b.store.listDeadLetters();
        expect(letter).toMatchObject({ jobId: 'job-0', attempts: 1, firstAttemptAt: head?.firstAttemptAt, lastStatus: 503 });
        expect(letter?.reason).toBe(`${SKIP_REASON}; last error: ${head?.lastReason ?? ''}`);
        expect((await b.store.headJob(key))?.jobId).toBe('job-1');
    });

    it('answers unknown for an id no job waits under and still skips the others, each id once', async () => {
        const b = await open();
        await b.enqueue(...texts(2));
        const outcomes = await skipJobs(['nope', 'job-0', 'job-0', ''], skipDeps(b, { calls: [] }));
        expect(outcomes.map((outcome) => [outcome.kind, outcome.jobId])).toEqual([
            ['unknown', 'nope'],
            ['skipped', 'job-0'],
            ['unknown', ''],
        ]);
        expect(await b.store.listDeadLetters()).toHaveLength(1);
    });

    it('answers busy and changes nothing when a sender holds the webhook for longer than the skip waits', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        const state = await b.store.readState(key);
        await b.store.writeState({ ...state, leaseOwner: 'sender-1', leaseUntil: START + 10 * 60_000 });
        const wakes: Wakes = { calls: [] };
        const outcomes = await skipJobs(['job-0'], skipDeps(b, wakes, { maxWaitMs: 5_000 }));
        expect(outcomes).toEqual([{ kind: 'busy', jobId: 'job-0', webhookKey: key, alias: 'ops' }]);
        expect(b.clock.now() - START).toBeGreaterThanOrEqual(5_000);
        expect(b.clock.now() - START).toBeLessThan(5_000 + 2 * LEASE_POLL_MS);
        expect(await b.store.listDeadLetters()).toEqual([]);
        expect(await b.store.readState(key)).toMatchObject({ leaseOwner: 'sender-1', deadLettered: 0 });
        expect(wakes.calls).toEqual([]);
    });

    it('takes over a lease abandoned by a crashed sender once it has expired, allowing for clock skew', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        const state = await b.store.readState(key);
        await b.store.writeState({ ...state, leaseOwner: 'crashed', leaseUntil: START + 1_000 });
        const outcomes = await skipJobs(['job-0'], skipDeps(b, { calls: [] }));
        expect(outcomes[0]?.kind).toBe('skipped');
        expect(b.clock.now()).toBeGreaterThanOrEqual(START + 1_000 + LEASE_CLOCK_SKEW_MS);
    });
});

describe('skipJobs racing a sender', () => {
    it('waits for a sender posting the job, then reports it delivered and writes no dead letter', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(2));
        const wakes: Wakes = { calls: [] };
        let skipping: Promise<SkipOutcome[]> | undefined;
        let sawBusy: () => void = () => undefined;
        const skipIsWaiting = new Promise<void>((resolve) => {
            sawBusy = resolve;
        });
        let letGo: () => void = () => undefined;
        const senderDone = new Promise<void>((resolve) => {
            letGo = resolve;
        });
        const racing: OutboxStore = {
            ...b.store,
            headJob: async (webhookKey) => {
                const head = await b.store.headJob(webhookKey);
                if (skipping === undefined) {
                    // The sender holds the lease and has read job-0: the operator skips it now.
                    skipping = skipJobs(['job-0'], skipDeps(b, wakes, { sleep: () => (sawBusy(), senderDone) }));
                    await skipIsWaiting;
                }
                return head;
            },
        };
        expect(await drainWebhook(key, b.deps({ store: racing }))).toMatchObject({ kind: 'idle', sent: 2 });
        letGo();
        expect(await skipping).toEqual([{ kind: 'delivered', jobId: 'job-0', webhookKey: key, alias: 'ops' }]);
        expect(posted(b)).toEqual(['message 0', 'message 1']);
        expect(await b.store.listDeadLetters()).toEqual([]);
        expect((await b.store.readState(key)).deadLettered).toBe(0);
    });

    it('keeps a sender that starts while the skip holds the webhook from posting, and wakes it afterwards', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(2));
        const wakes: Wakes = { calls: [] };
        const during: string[] = [];
        const skipStore: OutboxStore = {
            ...b.store,
            deadLetterIfUnchanged: async (entry, job) => {
                const drained = await drainWebhook(key, b.deps());
                during.push(drained.kind);
                return b.store.deadLetterIfUnchanged(entry, job);
            },
        };
        expect((await skipJobs(['job-0'], skipDeps(b, wakes, { store: skipStore })))[0]?.kind).toBe('skipped');
        expect(during).toEqual(['busy']);
        expect(posted(b)).toEqual([]);
        expect(wakes.calls.map((call) => call.webhookKey)).toEqual([key]);
        await drainWebhook(key, b.deps());
        expect(posted(b)).toEqual(['message 1']);
    });

    it('refuses the reservation of a sender that read the head before its lease was abandoned and taken: nothing is posted', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        let outcomes: SkipOutcome[] | undefined;
        const racing: OutboxStore = {
            ...b.store,
            headJob: async (webhookKey) => {
                const head = await b.store.headJob(webhookKey);
                if (outcomes === undefined) {
                    // The sender froze past its lease after reading job-0; the skip takes the abandoned lease.
                    b.clock.time += LEASE_MS + LEASE_CLOCK_SKEW_MS;
                    outcomes = await skipJobs(['job-0'], skipDeps(b, { calls: [] }));
                }
                return head;
            },
        };
        expect(await drainWebhook(key, b.deps({ store: racing }))).toMatchObject({ kind: 'lost-lease', sent: 0 });
        expect(outcomes?.[0]?.kind).toBe('skipped');
        expect(posted(b)).toEqual([]);
        expect(await b.store.listDeadLetters()).toHaveLength(1);
        expect(await b.store.headJob(key)).toBeUndefined();
    });

    it('skips the job as it is now when an attempt was recorded after it was found', async () => {
        const b = await open();
        const [key = ''] = await b.enqueue(...texts(1));
        let recorded = false;
        const skipStore: OutboxStore = {
            ...b.store,
            readState: async (webhookKey) => {
                if (!recorded) {
                    recorded = true;
                    // A sender's 502 is recorded between the skip's lookup and its lease.
                    const head = await b.store.headJob(webhookKey);
                    if (head !== undefined) {
                        await b.store.recordAttempt(head, { attempts: 1, firstAttemptAt: START, notBefore: START + 2_000, lastStatus: 502, lastBody: 'Bad Gateway', lastReason: 'transient: HTTP 502' });
                    }
                }
                return b.store.readState(webhookKey);
            },
        };
        expect((await skipJobs(['job-0'], skipDeps(b, { calls: [] }, { store: skipStore })))[0]?.kind).toBe('skipped');
        const letters = await b.store.listDeadLetters();
        expect(letters).toHaveLength(1);
        expect(letters[0]).toMatchObject({ attempts: 1, lastStatus: 502, lastBody: 'Bad Gateway', reason: `${SKIP_REASON}; last error: transient: HTTP 502` });
        expect(await b.store.headJob(key)).toBeUndefined();
    });
});
