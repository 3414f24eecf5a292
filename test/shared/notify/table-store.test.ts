// The Table Storage outbox against a real Azurite: order, idempotency, state with ETags, dead letters, corrupt rows.
import type { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';

import { notificationJobSchema, type NotificationJob } from '../../../shared/notify/jobs.js';
import { MAX_JITTER_GUARD_MS, TEAMS_WEBHOOK_LIMITS } from '../../../shared/notify/limiter.js';
import { deliveryDeadLetter, emptyConnectionState, emptyWebhookState, type NewDeadLetter, type NewOutboxJob, type OutboxJob, type OutboxStore } from '../../../shared/notify/outbox/index.js';
import { MAX_STRING_PROPERTY_CHARS, DELIVERED_RETENTION_MS } from '../../../shared/notify/outbox/table-rows.js';
import { createTableOutboxStore, type TableOutboxStoreOptions } from '../../../shared/notify/outbox/table-store.js';
import { createTableClient } from '../../../shared/platform/storage.js';
import { useAzurite } from '../../support/azurite.js';

/** The fixed clock of these tests. */
const NOW = Date.parse('2026-11-23T10:00:00.000Z');
const WEBHOOK = 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78';
/** The longest Teams window, which the send log must cover. */
const SEND_LOG_WINDOW_MS = Math.max(...TEAMS_WEBHOOK_LIMITS.map((limit) => limit.windowMs));
const OTHER_WEBHOOK = '0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080706050403020100';

const azurite = useAzurite();
let tablesMade = 0;

interface Fixture {
    readonly store: OutboxStore;
    readonly outbox: TableClient;
    readonly deadLetters: TableClient;
}

/** A store on a fresh pair of tables. */
async function freshStore(options: TableOutboxStoreOptions = {}): Promise<Fixture> {
    tablesMade += 1;
    const storage = { kind: 'connectionString', connectionString: azurite.connectionString } as const;
    const outbox = createTableClient(storage, `Outbox${tablesMade}`);
    const deadLetters = createTableClient(storage, `DeadLetters${tablesMade}`);
    const store = createTableOutboxStore({ outbox, deadLetters }, { now: () => NOW, random: () => 1, ...options });
    await store.ensureTables();
    return { store, outbox, deadLetters };
}

function newJob(jobId: string, order: number, job: Partial<NotificationJob> = {}): NewOutboxJob {
    return {
        webhookKey: WEBHOOK,
        jobId,
        order,
        job: notificationJobSchema.parse({ id: jobId, to: 'ops', text: `Deployed ${jobId}`, ...job }),
        alias: 'ops',
        acceptedAt: NOW,
    };
}

async function head(store: OutboxStore, webhookKey = WEBHOOK): Promise<OutboxJob> {
    const job = await store.headJob(webhookKey);
    if (job === undefined) {
        throw new Error('expected a job at the head of the outbox');
    }
    return job;
}

/** A deterministic pseudo-random sequence in [0, 1) (a linear congruential generator). */
function seeded(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        return state / 2_147_483_648;
    };
}

/** JavaScript's default string order, the contract's "ties by job id". */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('table outbox store: order', () => {
    it('returns jobs by order, then by id, whatever the insertion order', async () => {
        const { store } = await freshStore();
        const random = seeded(4711);
        const jobs = Array.from({ length: 300 }, (_unused, index) =>
            newJob(`${['deploy', 'Alert', 'zeta', 'é-note', 'x~y'][index % 5] ?? ''}-${Math.floor(random() * 1e6)}-${index}`, NOW + Math.floor(random() * 40)),
        );
        const shuffled = [...jobs].sort(() => random() - 0.5);
        for (let start = 0; start < shuffled.length; start += 25) {
            await Promise.all(shuffled.slice(start, start + 25).map((job) => store.addJob(job)));
        }
        expect(await store.countJobs(WEBHOOK)).toBe(300);

        const delivered: string[] = [];
        for (let job = await store.headJob(WEBHOOK); job !== undefined; job = await store.headJob(WEBHOOK)) {
            delivered.push(job.jobId);
            await store.completeJob(job, NOW);
        }
        const expected = [...jobs].sort((a, b) => a.order - b.order || byCodeUnits(a.jobId, b.jobId)).map((job) => job.jobId);
        expect(delivered).toEqual(expected);
    });

    it('keeps each webhook’s jobs apart', async () => {
        const { store } = await freshStore();
        await store.addJob({ ...newJob('for-other', NOW - 10), webhookKey: OTHER_WEBHOOK });
        await store.addJob(newJob('for-this', NOW));
        expect((await head(store)).jobId).toBe('for-this');
        expect((await head(store, OTHER_WEBHOOK)).jobId).toBe('for-other');
    });

    it('answers no head for an empty outbox', async () => {
        const { store } = await freshStore();
        expect(await store.headJob(WEBHOOK)).toBeUndefined();
    });

    it('stops counting at the maximum', async () => {
        const { store } = await freshStore();
        await Promise.all(Array.from({ length: 7 }, (_unused, index) => store.addJob(newJob(`job-${index}`, NOW + index))));
        expect(await store.countJobs(WEBHOOK, 5)).toBe(5);
        expect(await store.countJobs(WEBHOOK)).toBe(7);
    });
});

describe('table outbox store: addJob', () => {
    it('stores a new job with no attempts', async () => {
        const { store } = await freshStore();
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('added');
        const job = await head(store);
        expect(job).toMatchObject({
            webhookKey: WEBHOOK,
            jobId: 'deploy-4711',
            order: NOW,
            alias: 'ops',
            acceptedAt: NOW,
            attempts: 0,
            firstAttemptAt: undefined,
            notBefore: 0,
            lastStatus: undefined,
            lastBody: undefined,
            lastReason: undefined,
        });
        expect(job.job).toEqual(newJob('deploy-4711', NOW).job);
        expect(job.etag).not.toBe('');
    });

    it('adds the same job id once', async () => {
        const { store } = await freshStore();
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('added');
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('already-queued');
        expect(await store.countJobs(WEBHOOK)).toBe(1);
    });

    it('adds the same job id once even when its order differs between retries', async () => {
        const { store } = await freshStore();
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('added');
        expect(await store.addJob(newJob('deploy-4711', NOW + 1000))).toBe('already-queued');
        expect(await store.countJobs(WEBHOOK)).toBe(1);
        expect((await head(store)).order).toBe(NOW);
    });

    it('adds one copy when the same job arrives at several instances at once', async () => {
        const { store } = await freshStore();
        const results = await Promise.all(Array.from({ length: 8 }, (_unused, index) => store.addJob(newJob('deploy-4711', NOW + index))));
        expect(results.filter((result) => result === 'added')).toHaveLength(1);
        expect(await store.countJobs(WEBHOOK)).toBe(1);
    });

    it('never re-adds a delivered job id', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        await store.completeJob(await head(store), NOW);
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('already-delivered');
        expect(await store.addJob(newJob('deploy-4711', NOW + 5))).toBe('already-delivered');
        expect(await store.countJobs(WEBHOOK)).toBe(0);
    });

    it('re-adds a dead-lettered job id, so a dead letter can be replayed', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        await store.deadLetter(deadLetterOf(await head(store)), await head(store));
        expect(await store.addJob(newJob('deploy-4711', NOW + 1))).toBe('added');
    });

    it('clears an index row whose job row is gone instead of blocking the id', async () => {
        const { store, outbox } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        const job = await head(store);
        // What a cut-short cleanup leaves behind: the index row without its job row.
        await outbox.deleteEntity(WEBHOOK, `job|00${NOW}|deploy-4711`);
        expect(await store.headJob(WEBHOOK)).toBeUndefined();
        expect(await store.addJob(newJob(job.jobId, NOW))).toBe('added');
        expect((await head(store)).jobId).toBe('deploy-4711');
    });

    it('round-trips a job with a 25 KB text', async () => {
        const { store } = await freshStore();
        const text = 'Änderung **deployed** ✓ '.repeat(1000).slice(0, 25_000);
        await store.addJob(newJob('big', NOW, { text }));
        expect((await head(store)).job.text).toBe(text.trim());
    });

    it('round-trips a job larger than one string property', async () => {
        const { store } = await freshStore();
        const adaptiveCard = { type: 'AdaptiveCard' as const, body: [{ type: 'TextBlock', text: '🚀'.repeat(MAX_STRING_PROPERTY_CHARS) }] };
        await store.addJob(newJob('huge', NOW, { text: undefined, adaptiveCard }));
        expect((await head(store)).job.adaptiveCard).toEqual(adaptiveCard);
    });

    it('handles job ids with quotes, percent signs and characters outside ASCII', async () => {
        const { store } = await freshStore();
        for (const id of ["it's", '100%', 'Grüße 日本', 'a~b']) {
            expect(await store.addJob(newJob(id, NOW))).toBe('added');
            expect(await store.addJob(newJob(id, NOW))).toBe('already-queued');
        }
        for (let job = await store.headJob(WEBHOOK); job !== undefined; job = await store.headJob(WEBHOOK)) {
            await store.completeJob(job, NOW);
            expect(await store.addJob(newJob(job.jobId, NOW))).toBe('already-delivered');
        }
    });
});

describe('table outbox store: attempts and completion', () => {
    it('records a failed attempt on the job', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        const attempt = { attempts: 2, firstAttemptAt: NOW - 5000, notBefore: NOW + 8000, lastStatus: 503, lastBody: 'Service Unavailable', lastReason: 'transient: 503' };
        await store.recordAttempt(await head(store), attempt);
        expect(await head(store)).toMatchObject(attempt);
    });

    it('clears the last answer when an attempt has none', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        await store.recordAttempt(await head(store), { attempts: 1, firstAttemptAt: NOW, notBefore: NOW, lastStatus: 500, lastBody: 'x', lastReason: 'transient' });
        await store.recordAttempt(await head(store), { attempts: 2, firstAttemptAt: NOW, notBefore: NOW, lastStatus: undefined, lastBody: undefined, lastReason: 'timeout' });
        expect(await head(store)).toMatchObject({ attempts: 2, lastStatus: undefined, lastBody: undefined, lastReason: 'timeout' });
    });

    it('ignores an attempt recorded on a job already removed', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        const job = await head(store);
        await store.completeJob(job, NOW);
        await expect(store.recordAttempt(job, { attempts: 1, firstAttemptAt: NOW, notBefore: NOW, lastStatus: 500, lastBody: undefined, lastReason: 'late' })).resolves.toBeUndefined();
        expect(await store.headJob(WEBHOOK)).toBeUndefined();
    });

    it('removes a completed job so the next one comes to the head', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('first', NOW));
        await store.addJob(newJob('second', NOW + 1));
        await store.completeJob(await head(store), NOW);
        expect((await head(store)).jobId).toBe('second');
        expect(await store.countJobs(WEBHOOK)).toBe(1);
    });

    it('completes a job twice without error', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('first', NOW));
        const job = await head(store);
        await store.completeJob(job, NOW);
        await expect(store.completeJob(job, NOW)).resolves.toBeUndefined();
        expect(await store.addJob(newJob('first', NOW))).toBe('already-delivered');
    });

    it('records whether Teams delivered a job or a flow only accepted it, and posts neither again', async () => {
        const { store, outbox } = await freshStore();
        await store.addJob(newJob('by-connector', NOW));
        await store.addJob(newJob('by-flow', NOW + 1));
        await store.completeJob(await head(store), NOW);
        await store.completeJob(await head(store), NOW, undefined, 'accepted');
        const marker = (id: string) => outbox.getEntity<{ status: string; confirmation: string }>(WEBHOOK, `id|${id}`);
        expect(await marker('by-connector')).toMatchObject({ status: 'delivered', confirmation: 'delivered' });
        expect(await marker('by-flow')).toMatchObject({ status: 'delivered', confirmation: 'accepted' });
        expect(await store.addJob(newJob('by-flow', NOW + 1))).toBe('already-delivered');
    });

    it('forgets delivered job ids older than the cut-off and keeps newer ones', async () => {
        const { store } = await freshStore();
        for (const [id, deliveredAt] of [['old', NOW - DELIVERED_RETENTION_MS - 1], ['new', NOW]] as const) {
            await store.addJob(newJob(id, NOW));
            await store.completeJob(await head(store), deliveredAt);
        }
        expect(await store.pruneDelivered(WEBHOOK, NOW - DELIVERED_RETENTION_MS)).toBe(1);
        expect(await store.addJob(newJob('old', NOW))).toBe('added');
        expect(await store.addJob(newJob('new', NOW))).toBe('already-delivered');
    });

    it('prunes expired delivered ids now and then while completing jobs', async () => {
        const { store } = await freshStore({ random: () => 0 });
        await store.addJob(newJob('old', NOW));
        await store.completeJob(await head(store), NOW - DELIVERED_RETENTION_MS - 1);
        await store.addJob(newJob('new', NOW));
        await store.completeJob(await head(store), NOW);
        expect(await store.addJob(newJob('old', NOW))).toBe('added');
    });
});

describe('table outbox store: state', () => {
    it('reads a fresh state for a webhook with none stored', async () => {
        const { store } = await freshStore();
        expect(await store.readState(WEBHOOK)).toEqual(emptyWebhookState(WEBHOOK));
    });

    it('creates the state row, then updates it with its ETag', async () => {
        const { store } = await freshStore();
        const created = await store.writeState({ ...emptyWebhookState(WEBHOOK), alias: 'ops', leaseOwner: 'instance-1', leaseUntil: NOW + 30_000 });
        expect(created?.etag).toBeDefined();
        const updated = await store.writeState({ ...(await store.readState(WEBHOOK)), delivered: 1, leaseOwner: undefined, leaseUntil: 0 });
        expect(updated).toMatchObject({ delivered: 1, leaseOwner: undefined });
        expect(await store.readState(WEBHOOK)).toEqual(updated);
    });

    it('lets exactly one of several writers with the same ETag win', async () => {
        const { store } = await freshStore();
        await store.writeState(emptyWebhookState(WEBHOOK));
        const read = await store.readState(WEBHOOK);
        const results = await Promise.all(
            Array.from({ length: 10 }, (_unused, index) => store.writeState({ ...read, leaseOwner: `instance-${index}`, leaseUntil: NOW + 30_000 })),
        );
        const winners = results.filter((result) => result !== undefined);
        expect(winners).toHaveLength(1);
        expect((await store.readState(WEBHOOK)).leaseOwner).toBe(winners[0]?.leaseOwner);
    });

    it('lets exactly one of several first writers create the state row', async () => {
        const { store } = await freshStore();
        const results = await Promise.all(Array.from({ length: 5 }, () => store.writeState(emptyWebhookState(WEBHOOK))));
        expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    });

    it('refuses a write with a stale ETag', async () => {
        const { store } = await freshStore();
        const first = await store.writeState(emptyWebhookState(WEBHOOK));
        await store.writeState({ ...(await store.readState(WEBHOOK)), delivered: 5 });
        expect(await store.writeState({ ...emptyWebhookState(WEBHOOK), etag: first?.etag })).toBeUndefined();
        expect((await store.readState(WEBHOOK)).delivered).toBe(5);
    });

    it('round-trips 1800 sends in 24 h with every other field', async () => {
        const { store, outbox } = await freshStore();
        const sends = Array.from({ length: 1800 }, (_unused, index) => NOW - SEND_LOG_WINDOW_MS + 1 + Math.floor((index * (SEND_LOG_WINDOW_MS - 1)) / 1800));
        const state = {
            ...emptyWebhookState(WEBHOOK),
            alias: 'ops',
            sends,
            consecutiveThrottles: 2,
            blockedUntil: NOW + 60_000,
            leaseOwner: 'instance-1',
            leaseUntil: NOW + 30_000,
            wakeAt: NOW + 45_000,
            delivered: 12_345,
            accepted: 678,
            throttled: 3,
            deadLettered: 4,
        };
        const written = await store.writeState(state);
        expect(await store.readState(WEBHOOK)).toEqual({ ...state, etag: written?.etag });
        const raw = await outbox.getEntity<{ sends: string }>(WEBHOOK, 'state');
        expect(raw.sends.length).toBeLessThan(MAX_STRING_PROPERTY_CHARS / 3);
    });

    it('drops sends older than 24 h and the widest rate-limit guard when writing', async () => {
        const { store } = await freshStore();
        const tooOld = NOW - SEND_LOG_WINDOW_MS - MAX_JITTER_GUARD_MS;
        const written = await store.writeState({ ...emptyWebhookState(WEBHOOK), sends: [tooOld, NOW - 1000, NOW] });
        expect(written?.sends).toEqual([NOW - 1000, NOW]);
        expect((await store.readState(WEBHOOK)).sends).toEqual([NOW - 1000, NOW]);
    });

    it('keeps a send older than 24 h that the 24 h window still counts with its guard', async () => {
        const { store } = await freshStore();
        const sends = [NOW - SEND_LOG_WINDOW_MS - MAX_JITTER_GUARD_MS + 1, NOW - SEND_LOG_WINDOW_MS - 1, NOW];
        const written = await store.writeState({ ...emptyWebhookState(WEBHOOK), sends });
        expect(written?.sends).toEqual(sends);
        expect((await store.readState(WEBHOOK)).sends).toEqual(sends);
    });

    it('lists every webhook that has state', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('no-state-yet', NOW));
        await store.writeState({ ...emptyWebhookState(WEBHOOK), alias: 'ops' });
        await store.writeState({ ...emptyWebhookState(OTHER_WEBHOOK), alias: 'dev' });
        const listed = await store.listWebhooks();
        expect(listed.map((state) => state.alias).sort()).toEqual(['dev', 'ops']);
        expect(listed.map((state) => state.webhookKey).sort()).toEqual([OTHER_WEBHOOK, WEBHOOK].sort());
    });
});

describe('table outbox store: Teams connections', () => {
    it('reads a fresh state for a connection with none stored', async () => {
        const { store } = await freshStore();
        expect(await store.readConnection('default')).toEqual(emptyConnectionState('default'));
    });

    it('round-trips the send log, the Retry-After block and the claims, and updates only with the ETag', async () => {
        const { store } = await freshStore();
        const state = {
            ...emptyConnectionState('ada'),
            sends: [NOW - 299_000, NOW - 1_000, NOW],
            blockedUntil: NOW + 20_000,
            claims: [
                { webhookKey: WEBHOOK, round: 12, expiresAt: NOW + 60_000 },
                { webhookKey: OTHER_WEBHOOK, round: 11, expiresAt: NOW + 90_000 },
            ],
        };
        const written = await store.writeConnection(state);
        expect(written).toBeDefined();
        expect(await store.readConnection('ada')).toEqual({ ...state, etag: written?.etag });
        expect(await store.writeConnection({ ...state, etag: undefined })).toBeUndefined();
        const updated = await store.writeConnection({ ...state, claims: [], etag: written?.etag });
        expect((await store.readConnection('ada')).claims).toEqual([]);
        expect(await store.writeConnection({ ...state, etag: written?.etag })).toBeUndefined();
        expect(updated?.etag).not.toBe(written?.etag);
    });

    it('lets exactly one of several writers with the same ETag reserve a slot', async () => {
        const { store } = await freshStore();
        const first = await store.writeConnection(emptyConnectionState('default'));
        const results = await Promise.all(
            Array.from({ length: 5 }, (_unused, index) => store.writeConnection({ ...emptyConnectionState('default'), sends: [NOW + index], etag: first?.etag })),
        );
        expect(results.filter((result) => result !== undefined)).toHaveLength(1);
        expect((await store.readConnection('default')).sends).toHaveLength(1);
    });

    it('drops sends older than 24 h when writing', async () => {
        const { store } = await freshStore();
        const written = await store.writeConnection({ ...emptyConnectionState('default'), sends: [NOW - SEND_LOG_WINDOW_MS - MAX_JITTER_GUARD_MS, NOW] });
        expect(written?.sends).toEqual([NOW]);
    });

    it('lists connections apart from webhooks', async () => {
        const { store } = await freshStore();
        await store.writeConnection(emptyConnectionState('ada'));
        await store.writeConnection(emptyConnectionState('grace'));
        await store.writeState({ ...emptyWebhookState(WEBHOOK), alias: 'ops' });
        expect((await store.listConnections()).map((connection) => connection.connection).sort()).toEqual(['ada', 'grace']);
        expect((await store.listWebhooks()).map((state) => state.webhookKey)).toEqual([WEBHOOK]);
    });

    it('names the row of a corrupt connection row', async () => {
        const { store, outbox } = await freshStore();
        await outbox.createEntity({ partitionKey: 'connection|ada', rowKey: 'connection', blockedUntil: 0, claims: 'x,y', claimsChunks: 1 });
        await expect(store.readConnection('ada')).rejects.toThrow(/partition connection\|ada, row connection: claims is not a valid claim list/);
    });
});

function deadLetterOf(job: OutboxJob, overrides: Partial<NewDeadLetter> = {}): NewDeadLetter {
    const failure = {
        reason: 'permanent: Teams answered HTTP error 400',
        lastStatus: 200,
        lastBody: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400',
        attempts: 1,
        firstAttemptAt: NOW - 1000,
        deadLetteredAt: NOW,
    };
    return { ...deliveryDeadLetter(job, failure), ...overrides };
}

describe('table outbox store: dead letters', () => {
    it('removes the job from the outbox and lists the dead letter with every field', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        await store.addJob(newJob('next', NOW + 1));
        const job = await head(store);
        const entry = deadLetterOf(job);
        const stored = await store.deadLetter(entry, job);
        expect(stored).toEqual({ ...entry, id: stored.id });
        expect((await head(store)).jobId).toBe('next');
        expect(await store.listDeadLetters()).toEqual([stored]);
    });

    it('stores a message that was not a job', async () => {
        const { store } = await freshStore();
        const entry: NewDeadLetter = {
            source: 'validation',
            jobId: undefined,
            webhookKey: undefined,
            alias: undefined,
            job: undefined,
            message: '{"to": "ops"',
            reason: 'job: not JSON',
            lastStatus: undefined,
            lastBody: undefined,
            attempts: 0,
            firstAttemptAt: undefined,
            deadLetteredAt: NOW,
        };
        const stored = await store.deadLetter(entry);
        expect(await store.getDeadLetter(stored.id)).toEqual({ ...entry, id: stored.id });
    });

    it('cuts a long last body and keeps the whole job', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('big', NOW, { text: 'x'.repeat(25_000) }));
        const job = await head(store);
        const stored = await store.deadLetter(deadLetterOf(job, { lastBody: 'y'.repeat(100_000) }), job);
        const read = await store.getDeadLetter(stored.id);
        expect(read?.job).toEqual(job.job);
        expect(read?.lastBody?.length).toBeLessThan(5_000);
    });

    it('lists dead letters oldest first', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('job', NOW));
        const job = await head(store);
        const later = await store.deadLetter(deadLetterOf(job, { deadLetteredAt: NOW + 1000 }));
        const earlier = await store.deadLetter(deadLetterOf(job, { deadLetteredAt: NOW }));
        expect((await store.listDeadLetters()).map((letter) => letter.id)).toEqual([earlier.id, later.id]);
    });

    it('gets and deletes a dead letter by id', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('job', NOW));
        const stored = await store.deadLetter(deadLetterOf(await head(store)));
        expect((await store.getDeadLetter(stored.id))?.jobId).toBe('job');
        await store.deleteDeadLetter(stored.id);
        expect(await store.getDeadLetter(stored.id)).toBeUndefined();
        await expect(store.deleteDeadLetter(stored.id)).resolves.toBeUndefined();
    });

    it('answers no dead letter for an id it never made', async () => {
        const { store } = await freshStore();
        expect(await store.getDeadLetter('../../etc')).toBeUndefined();
        expect(await store.getDeadLetter('001795000000000-0123456789ab')).toBeUndefined();
    });
});

describe('table outbox store: finding and skipping a waiting job', () => {
    it('finds a waiting job by id in every webhook it waits for, and nothing for an id not waiting', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        await store.addJob({ ...newJob('deploy-4711', NOW + 5), webhookKey: OTHER_WEBHOOK });
        await store.addJob(newJob('other', NOW + 1));
        const found = await store.findJobs('deploy-4711');
        expect(found.map((job) => [job.webhookKey, job.jobId, job.order])).toEqual([
            [OTHER_WEBHOOK, 'deploy-4711', NOW + 5],
            [WEBHOOK, 'deploy-4711', NOW],
        ]);
        expect(found[1]).toEqual(await head(store));
        expect(await store.findJobs('never-added')).toEqual([]);
        expect(await store.findJobs('')).toEqual([]);
    });

    it('finds no job once it was delivered or dead-lettered', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('delivered', NOW));
        await store.completeJob(await head(store), NOW);
        await store.addJob(newJob('dead', NOW));
        await store.deadLetter(deadLetterOf(await head(store)), await head(store));
        expect(await store.findJobs('delivered')).toEqual([]);
        expect(await store.findJobs('dead')).toEqual([]);
    });

    it('finds jobs whose ids need encoding, and only the exact id', async () => {
        const { store } = await freshStore();
        // The last two encode past the key limit and are told apart by the hash of the whole id.
        const ids = ["it's", '100%', 'a~b', 'Grüße 日本', `${'é'.repeat(127)}a`, `${'é'.repeat(127)}b`];
        for (const [index, id] of ids.entries()) {
            await store.addJob(newJob(id, NOW + index));
        }
        for (const id of ids) {
            expect((await store.findJobs(id)).map((job) => job.jobId)).toEqual([id]);
        }
        expect(await store.findJobs("it''s")).toEqual([]);
    });

    it('dead-letters an unchanged job, keeping it whole so a replay can add it again', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        await store.addJob(newJob('next', NOW + 1));
        const job = await head(store);
        const result = await store.deadLetterIfUnchanged(deadLetterOf(job, { reason: 'skipped by operator' }), job);
        expect(result.outcome).toBe('dead-lettered');
        const letters = await store.listDeadLetters();
        expect(letters).toEqual([result.outcome === 'dead-lettered' ? result.deadLetter : undefined]);
        expect(letters[0]).toMatchObject({ jobId: 'deploy-4711', reason: 'skipped by operator', job: job.job });
        expect((await head(store)).jobId).toBe('next');
        expect(await store.findJobs('deploy-4711')).toEqual([]);
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('added');
    });

    it('leaves a job whose row changed since it was read, and keeps no dead letter', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        const read = await head(store);
        await store.recordAttempt(read, { attempts: 1, firstAttemptAt: NOW, notBefore: NOW + 1000, lastStatus: 502, lastBody: undefined, lastReason: 'transient: 502' });
        expect(await store.deadLetterIfUnchanged(deadLetterOf(read), read)).toEqual({ outcome: 'changed' });
        expect(await store.listDeadLetters()).toEqual([]);
        const again = await head(store);
        expect(again.attempts).toBe(1);
        expect((await store.deadLetterIfUnchanged(deadLetterOf(again), again)).outcome).toBe('dead-lettered');
    });

    it('says a job was delivered since it was read, and keeps no dead letter', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        const read = await head(store);
        await store.completeJob(read, NOW);
        expect(await store.deadLetterIfUnchanged(deadLetterOf(read), read)).toEqual({ outcome: 'delivered' });
        expect(await store.listDeadLetters()).toEqual([]);
        expect(await store.addJob(newJob('deploy-4711', NOW))).toBe('already-delivered');
    });

    it('says a job left the outbox some other way, and keeps only the dead letter that removed it', async () => {
        const { store } = await freshStore();
        await store.addJob(newJob('deploy-4711', NOW));
        const read = await head(store);
        const first = await store.deadLetter(deadLetterOf(read), read);
        expect(await store.deadLetterIfUnchanged(deadLetterOf(read, { reason: 'skipped by operator' }), read)).toEqual({ outcome: 'gone' });
        expect(await store.listDeadLetters()).toEqual([first]);
    });
});

describe('table outbox store: corrupt rows', () => {
    it('names the table, partition and row of a corrupt job row', async () => {
        const { store, outbox } = await freshStore();
        await outbox.createEntity({ partitionKey: WEBHOOK, rowKey: 'job|000000000000001|broken', jobId: 'broken', attempts: 'many' });
        await expect(store.headJob(WEBHOOK)).rejects.toThrow(
            new RegExp(`Corrupt entity in table ${outbox.tableName}, partition ${WEBHOOK}, row job\\|000000000000001\\|broken: .*attempts`),
        );
    });

    it('names the row of a job whose JSON is damaged', async () => {
        const { store, outbox } = await freshStore();
        await store.addJob(newJob('damaged', NOW));
        const job = await head(store);
        await outbox.updateEntity({ partitionKey: WEBHOOK, rowKey: `job|00${NOW}|damaged`, jobJson: '{"to": ' }, 'Merge', { etag: job.etag });
        await expect(store.headJob(WEBHOOK)).rejects.toThrow(/row job\|00\d+\|damaged: jobJson is not valid JSON/);
    });

    it('names the row of a corrupt state row', async () => {
        const { store, outbox } = await freshStore();
        await outbox.createEntity({ partitionKey: WEBHOOK, rowKey: 'state', sends: 'garbage!', sendsChunks: 1, leaseUntil: -5 });
        await expect(store.readState(WEBHOOK)).rejects.toThrow(/Corrupt entity in table Outbox\d+, partition \w+, row state: /);
    });
});
