// The OutboxStore contract, the same assertions against the in-memory store the property tests use and the Table store on a real Azurite.
import { describe, expect, it } from 'vitest';

import { notificationJobSchema, type NotificationJob } from '../../../shared/notify/jobs.js';
import { deliveryDeadLetter, emptyConnectionState, emptyWebhookState, type NewDeadLetter, type NewOutboxJob, type OutboxJob, type OutboxStore } from '../../../shared/notify/outbox/index.js';
import { createTableOutboxStore } from '../../../shared/notify/outbox/table-store.js';
import { createTableClient } from '../../../shared/platform/storage.js';
import { useAzurite } from '../../support/azurite.js';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';

const NOW = Date.parse('2026-11-23T10:00:00.000Z');
const WEBHOOK = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER_WEBHOOK = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

const azurite = useAzurite();
let tablesMade = 0;

const stores: readonly [string, () => Promise<OutboxStore>][] = [
    ['memory', () => Promise.resolve(createMemoryOutboxStore({ now: () => NOW }))],
    [
        'table',
        async () => {
            tablesMade += 1;
            const storage = { kind: 'connectionString', connectionString: azurite.connectionString } as const;
            const store = createTableOutboxStore(
                { outbox: createTableClient(storage, `ContractOutbox${tablesMade}`), deadLetters: createTableClient(storage, `ContractDead${tablesMade}`) },
                { now: () => NOW, random: () => 1 },
            );
            await store.ensureTables();
            return store;
        },
    ],
];

function newJob(jobId: string, order: number, job: Partial<NotificationJob> = {}, webhookKey = WEBHOOK): NewOutboxJob {
    return {
        webhookKey,
        jobId,
        order,
        job: notificationJobSchema.parse({ id: jobId, to: 'ops', text: `Deployed ${jobId}`, ...job }),
        alias: 'ops',
        acceptedAt: NOW,
    };
}

async function head(store: OutboxStore): Promise<OutboxJob> {
    const job = await store.headJob(WEBHOOK);
    if (job === undefined) {
        throw new Error('expected a job at the head of the outbox');
    }
    return job;
}

function letterFor(job: OutboxJob, reason: string, deadLetteredAt = NOW): NewDeadLetter {
    return deliveryDeadLetter(job, { reason, lastStatus: 503, lastBody: 'Service Unavailable', attempts: 3, firstAttemptAt: NOW - 1_000, deadLetteredAt });
}

describe.each(stores)('the %s outbox store', (_name, open) => {
    it('returns jobs by order, then by job id, whatever the insertion order', async () => {
        const store = await open();
        const ids = ['b', 'a', 'c', 'a-1', 'Z', '~x'];
        const jobs = ids.flatMap((id, index) => [newJob(`${id}-late`, NOW + 10 - (index % 2)), newJob(id, NOW)]);
        for (const job of jobs) {
            await store.addJob(job);
        }
        const expected = [...jobs].sort((x, y) => x.order - y.order || (x.jobId < y.jobId ? -1 : x.jobId > y.jobId ? 1 : 0)).map((job) => job.jobId);
        expect((await store.headJobs(WEBHOOK, 100)).map((job) => job.jobId)).toEqual(expected);
        expect((await head(store)).jobId).toBe(expected[0]);
        expect(await store.countJobs(WEBHOOK)).toBe(jobs.length);
        expect(await store.countJobs(WEBHOOK, 3)).toBe(3);
        expect(await store.headJob(OTHER_WEBHOOK)).toBeUndefined();
    });

    it('adds a job id once, remembers it once delivered, and lets it back in once dead-lettered', async () => {
        const store = await open();
        expect(await store.addJob(newJob('a', NOW))).toBe('added');
        expect(await store.addJob(newJob('a', NOW + 5))).toBe('already-queued');
        await store.completeJob(await head(store), NOW, 'digest-1');
        expect(await store.addJob(newJob('a', NOW))).toBe('already-delivered');
        expect(await store.addJob(newJob('b', NOW))).toBe('added');
        await store.deadLetter(letterFor(await head(store), 'refused'), await head(store));
        expect(await store.countJobs(WEBHOOK)).toBe(0);
        expect(await store.addJob(newJob('b', NOW))).toBe('added');
    });

    it('records a failed attempt on the job, and ignores one on a job already gone', async () => {
        const store = await open();
        await store.addJob(newJob('a', NOW));
        const before = await head(store);
        await store.recordAttempt(before, { attempts: 2, firstAttemptAt: NOW - 500, notBefore: NOW + 2_000, lastStatus: undefined, lastBody: undefined, lastReason: 'RangeError: Maximum call stack size exceeded' });
        const after = await head(store);
        expect(after).toMatchObject({ attempts: 2, firstAttemptAt: NOW - 500, notBefore: NOW + 2_000, lastReason: 'RangeError: Maximum call stack size exceeded', job: before.job });
        expect(after.etag).not.toBe(before.etag);
        await store.completeJob(after, NOW);
        await store.recordAttempt(after, { attempts: 3, firstAttemptAt: NOW, notBefore: 0, lastStatus: 503, lastBody: 'x', lastReason: 'late' });
        expect(await store.headJob(WEBHOOK)).toBeUndefined();
    });

    it('writes state only with the ETag it was read with, and creates it once', async () => {
        const store = await open();
        const fresh = await store.readState(WEBHOOK);
        expect(fresh).toEqual(emptyWebhookState(WEBHOOK));
        const created = await store.writeState({ ...fresh, alias: 'ops', sends: [NOW - 1_000, NOW] });
        expect(created?.etag).toBeDefined();
        expect(await store.writeState({ ...fresh, alias: 'second creator' })).toBeUndefined();
        const updated = await store.writeState({ ...(created ?? fresh), delivered: 1 });
        expect(updated?.etag).not.toBe(created?.etag);
        expect(await store.writeState({ ...(created ?? fresh), delivered: 99 })).toBeUndefined();
        expect(await store.readState(WEBHOOK)).toMatchObject({ alias: 'ops', delivered: 1, sends: [NOW - 1_000, NOW], etag: updated?.etag });
        const racers = await Promise.all([1, 2, 3].map((delivered) => store.writeState({ ...(updated ?? fresh), delivered })));
        expect(racers.filter((written) => written !== undefined)).toHaveLength(1);
        expect((await store.listWebhooks()).map((state) => state.webhookKey)).toEqual([WEBHOOK]);
    });

    it('keeps a Teams connection’s state apart from the webhooks, written only with its ETag', async () => {
        const store = await open();
        const fresh = await store.readConnection('ada');
        expect(fresh).toEqual(emptyConnectionState('ada'));
        const claims = [{ webhookKey: WEBHOOK, round: 2, expiresAt: NOW + 30_000 }];
        const created = await store.writeConnection({ ...fresh, sends: [NOW - 1_000, NOW], blockedUntil: NOW + 20_000, claims });
        expect(created?.etag).toBeDefined();
        expect(await store.writeConnection({ ...fresh, sends: [NOW] })).toBeUndefined();
        const racers = await Promise.all([1, 2, 3].map((round) => store.writeConnection({ ...(created ?? fresh), claims: [{ ...claims[0], webhookKey: WEBHOOK, expiresAt: NOW, round }] })));
        expect(racers.filter((written) => written !== undefined)).toHaveLength(1);
        expect(await store.readConnection('ada')).toMatchObject({ connection: 'ada', sends: [NOW - 1_000, NOW], blockedUntil: NOW + 20_000 });
        expect((await store.listConnections()).map((state) => state.connection)).toEqual(['ada']);
        expect(await store.listWebhooks()).toEqual([]);
    });

    it('records how a completed job was confirmed, and never takes it again either way', async () => {
        const store = await open();
        await store.addJob(newJob('by-flow', NOW));
        await store.completeJob(await head(store), NOW, undefined, 'accepted');
        expect(await store.addJob(newJob('by-flow', NOW))).toBe('already-delivered');
    });

    it('keeps dead letters with every field, oldest first, until deleted', async () => {
        const store = await open();
        await store.addJob(newJob('a', NOW));
        await store.addJob(newJob('b', NOW + 1));
        const later = await store.deadLetter(letterFor(await head(store), 'second', NOW + 5), await head(store));
        const earlier = await store.deadLetter(letterFor(await head(store), 'first', NOW), await head(store));
        expect((await store.listDeadLetters()).map((letter) => letter.reason)).toEqual(['first', 'second']);
        expect(await store.getDeadLetter(later.id)).toEqual(later);
        expect(later).toMatchObject({ jobId: 'a', source: 'delivery', lastStatus: 503, lastBody: 'Service Unavailable', attempts: 3, firstAttemptAt: NOW - 1_000, job: newJob('a', NOW).job });
        await store.deleteDeadLetter(earlier.id);
        expect((await store.listDeadLetters()).map((letter) => letter.id)).toEqual([later.id]);
        expect(await store.getDeadLetter('not-an-id')).toBeUndefined();
    });

    it('keeps odd Unicode in jobs, reasons and bodies as it was given', async () => {
        const store = await open();
        const text = 'RTL \u202eevil\u202c zero\u200bwidth \u{1F680} lone \ud800 low \udc00 \u0000 end';
        await store.addJob(newJob('odd', NOW, { text }));
        const stored = await head(store);
        expect(stored.job.text).toBe(text);
        const letter = await store.deadLetter({ ...letterFor(stored, `reason with ${text}`), lastBody: text }, stored);
        expect(await store.getDeadLetter(letter.id)).toMatchObject({ reason: `reason with ${text}`, job: { text } });
    });

    it('dead-letters a job only while its row is unchanged, and takes the dead letter back otherwise', async () => {
        const store = await open();
        await store.addJob(newJob('a', NOW));
        const read = await head(store);
        await store.recordAttempt(read, { attempts: 1, firstAttemptAt: NOW, notBefore: 0, lastStatus: 503, lastBody: 'x', lastReason: 'transient' });
        expect(await store.deadLetterIfUnchanged(letterFor(read, 'stale'), read)).toEqual({ outcome: 'changed' });
        const fresh = await head(store);
        const result = await store.deadLetterIfUnchanged(letterFor(fresh, 'skipped'), fresh);
        expect(result.outcome).toBe('dead-lettered');
        expect(await store.deadLetterIfUnchanged(letterFor(fresh, 'again'), fresh)).toEqual({ outcome: 'gone' });
        await store.addJob(newJob('b', NOW));
        const delivered = await head(store);
        await store.completeJob(delivered, NOW);
        expect(await store.deadLetterIfUnchanged(letterFor(delivered, 'late'), delivered)).toEqual({ outcome: 'delivered' });
        expect((await store.listDeadLetters()).map((letter) => letter.reason)).toEqual(['skipped']);
        expect(await store.addJob(newJob('a', NOW))).toBe('added');
    });

    it('finds every waiting job under an id, in any webhook', async () => {
        const store = await open();
        await store.addJob(newJob('shared', NOW, {}, OTHER_WEBHOOK));
        await store.addJob(newJob('shared', NOW));
        await store.addJob(newJob('other', NOW));
        expect((await store.findJobs('shared')).map((job) => job.webhookKey)).toEqual([OTHER_WEBHOOK, WEBHOOK].sort());
        await store.completeJob(await head(store), NOW);
        expect(await store.findJobs('nobody')).toEqual([]);
        expect(await store.findJobs('')).toEqual([]);
    });

    it('forgets delivered ids older than the cut-off', async () => {
        const store = await open();
        await store.addJob(newJob('old', NOW));
        await store.completeJob(await head(store), NOW - 10_000);
        await store.addJob(newJob('new', NOW));
        await store.completeJob(await head(store), NOW);
        expect(await store.pruneDelivered(WEBHOOK, NOW - 5_000)).toBe(1);
        expect(await store.addJob(newJob('old', NOW))).toBe('added');
        expect(await store.addJob(newJob('new', NOW))).toBe('already-delivered');
    });

    it('keeps a relay message per key and kind, per webhook; replaces, forgets and prunes it', async () => {
        const store = await open();
        const key = 'alertmanager:{}/{}:{alertname="Disk\u00e9 / # ?"}';
        expect(await store.readMessageKey(WEBHOOK, 'update', key)).toBeUndefined();
        await store.writeMessageKey(WEBHOOK, 'update', key, { messageId: '1700000000001', recordedAt: NOW - 10_000 });
        await store.writeMessageKey(WEBHOOK, 'thread', key, { messageId: 'root-1', recordedAt: NOW });
        await store.writeMessageKey(OTHER_WEBHOOK, 'update', key, { messageId: 'other', recordedAt: NOW });
        expect(await store.readMessageKey(WEBHOOK, 'update', key)).toEqual({ messageId: '1700000000001', recordedAt: NOW - 10_000 });
        expect(await store.readMessageKey(WEBHOOK, 'thread', key)).toEqual({ messageId: 'root-1', recordedAt: NOW });
        await store.writeMessageKey(WEBHOOK, 'update', key, { messageId: '1700000000002', recordedAt: NOW - 9_000 });
        expect((await store.readMessageKey(WEBHOOK, 'update', key))?.messageId).toBe('1700000000002');
        // Key rows are not jobs, markers or state: the outbox and the webhook list ignore them.
        expect(await store.headJob(WEBHOOK)).toBeUndefined();
        expect(await store.countJobs(WEBHOOK)).toBe(0);
        expect(await store.pruneDelivered(WEBHOOK, NOW + 1)).toBe(0);
        expect(await store.pruneMessageKeys(WEBHOOK, NOW - 5_000)).toBe(1);
        expect(await store.readMessageKey(WEBHOOK, 'update', key)).toBeUndefined();
        expect((await store.readMessageKey(WEBHOOK, 'thread', key))?.messageId).toBe('root-1');
        await store.deleteMessageKey(WEBHOOK, 'thread', key);
        await store.deleteMessageKey(WEBHOOK, 'thread', key);
        expect(await store.readMessageKey(WEBHOOK, 'thread', key)).toBeUndefined();
        expect((await store.readMessageKey(OTHER_WEBHOOK, 'update', key))?.messageId).toBe('other');
    });

    it('records a superseded job as done, so its id is never posted again', async () => {
        const store = await open();
        await store.addJob(newJob('firing', NOW, { updateKey: 'group-1' }));
        await store.completeJob(await head(store), NOW, undefined, 'superseded');
        expect(await store.headJob(WEBHOOK)).toBeUndefined();
        expect(await store.addJob(newJob('firing', NOW, { updateKey: 'group-1' }))).toBe('already-delivered');
    });
});
