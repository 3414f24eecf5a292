// The sender on a relay flow (the simulator's relay-flow mode): updates in place, threads, coalescing, the 404 fallback, a flow without a Response.
import { describe, expect, it } from 'vitest';
import { acceptQueueMessage } from '../../../shared/notify/accept.js';
import type { NotificationJob } from '../../../shared/notify/jobs.js';
import { drainWebhook, type SenderDeps } from '../../../shared/notify/sender.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import type { RelayMessage } from '../../../tools/simulator/index.js';
import { START, useBenches, type Bench } from './harness.js';

/** A bench on the relay flow `relay`: its webhook key, jobs addressed to it, drains of it and what its channel shows. */
interface RelayBench extends Omit<Bench, 'enqueue'> {
    /** The relay flow's webhook key. */
    readonly key: string;
    enqueue(...jobs: Omit<NotificationJob, 'to'>[]): Promise<void>;
    drain(settings?: Partial<SenderDeps['settings']>): Promise<void>;
    channel(): readonly RelayMessage[];
}

const openHarness = useBenches();

/** A relay flow `relay` on the simulator, and `plain`, an ordinary Workflows URL that only accepts. */
async function openBench(): Promise<RelayBench> {
    const bench = await openHarness({ aliases: { relay: 'relay', plain: 'workflows' } });
    const key = webhookKey(new URL(bench.sim.relayFlowUrl('relay')));
    return {
        ...bench,
        key,
        enqueue: async (...jobs) => {
            await bench.enqueue(...jobs.map((job) => ({ to: 'relay', ...job })));
        },
        drain: async (settings = {}) => {
            await drainWebhook(key, bench.deps({ settings }));
        },
        channel: () => bench.sim.relayMessages('relay'),
    };
}

function alert(id: string, status: 'firing' | 'resolved', updateKey = 'group-1'): Omit<NotificationJob, 'to'> {
    return { id, updateKey, card: { template: 'alert', data: { title: 'Disk full on db-1', severity: 'critical', status } } };
}

/** The texts of a card's TextBlocks, to tell cards apart. */
function texts(card: unknown): string {
    return JSON.stringify(card);
}

describe('the sender on a relay flow', () => {
    it('posts the first job of an updateKey, then updates that card in place', async () => {
        const bench = await openBench();
        await bench.enqueue(alert('fired', 'firing'));
        await bench.drain();
        bench.clock.time += 60_000;
        await bench.enqueue(alert('resolved', 'resolved'));
        await bench.drain();
        const channel = bench.channel();
        expect(channel).toHaveLength(1);
        expect(channel[0]?.versions).toHaveLength(2);
        expect(texts(channel[0]?.card)).toContain('RESOLVED');
        expect(bench.events.filter((event) => event.event === 'delivered').map((event) => event.relayAction)).toEqual(['post', 'update']);
        expect(await bench.store.readMessageKey(bench.key, 'update', 'group-1')).toEqual({ messageId: channel[0]?.id, recordedAt: expect.any(Number) as number });
        const state = await bench.store.readState(bench.key);
        expect({ delivered: state.delivered, accepted: state.accepted }).toEqual({ delivered: 2, accepted: 0 });
    });

    it('gathers the jobs of a threadKey in one thread: one root, the others replies in order', async () => {
        const bench = await openBench();
        await bench.enqueue(...[1, 2, 3, 4, 5].map((step) => ({ id: `deploy-${step}`, threadKey: 'deploy-4711', text: `Deployment step ${step}` })));
        await bench.drain();
        const channel = bench.channel();
        expect(channel).toHaveLength(1);
        expect(texts(channel[0]?.card)).toContain('Deployment step 1');
        expect(channel[0]?.replies.map((reply) => /Deployment step (\d)/.exec(texts(reply.card))?.[1])).toEqual(['2', '3', '4', '5']);
    });

    it('posts only the newest of jobs with one updateKey waiting together; the older is superseded, never lost', async () => {
        const bench = await openBench();
        await bench.enqueue(alert('fired', 'firing'), { id: 'other', text: 'Unrelated' }, alert('resolved', 'resolved'));
        await bench.drain();
        const channel = bench.channel();
        expect(channel.map((message) => (texts(message.card).includes('Unrelated') ? 'other' : 'alert'))).toEqual(['other', 'alert']);
        expect(channel[1]?.versions).toHaveLength(1);
        expect(texts(channel[1]?.card)).toContain('RESOLVED');
        expect(bench.events.filter((event) => event.event === 'superseded')).toEqual([expect.objectContaining({ jobId: 'fired', supersededBy: 'resolved' })]);
        // The superseded job is done: its id is not taken again.
        expect(await bench.store.addJob({ webhookKey: bench.key, jobId: 'fired', order: 1, job: { id: 'fired', to: 'relay', text: 'again' }, alias: 'relay', acceptedAt: 0 })).toBe('already-delivered');
        expect((await bench.store.readState(bench.key)).superseded).toBe(1);
    });

    it('posts afresh when the flow no longer finds the message to update, and records the new id', async () => {
        const bench = await openBench();
        await bench.store.writeMessageKey(bench.key, 'update', 'group-1', { messageId: '999', recordedAt: START });
        await bench.enqueue(alert('resolved', 'resolved'));
        await bench.drain();
        const channel = bench.channel();
        expect(channel).toHaveLength(1);
        expect((await bench.store.readMessageKey(bench.key, 'update', 'group-1'))?.messageId).toBe(channel[0]?.id);
        expect(bench.events.map((event) => `${event.event}:${event.relayAction ?? ''}`)).toEqual(['retrying:update', 'delivered:post']);
    });

    it('posts afresh when the recorded message is older than the retention', async () => {
        const bench = await openBench();
        await bench.enqueue(alert('fired', 'firing'));
        await bench.drain();
        bench.clock.time += 2 * 60_000;
        await bench.enqueue(alert('resolved', 'resolved'));
        await bench.drain({ relayKeyRetentionMs: 60_000 });
        expect(bench.channel()).toHaveLength(2);
    });

    it('keeps jobs with keys out of digests, and digests the others as one post', async () => {
        const bench = await openBench();
        const plain = Array.from({ length: 8 }, (_, index) => ({ id: `plain-${index}`, text: `Plain ${index}` }));
        await bench.enqueue(...plain.slice(0, 4), alert('fired', 'firing'), ...plain.slice(4));
        // Four posts a second on the URL: a backlog of 9 would wait over a second, so digests start.
        await bench.drain({ digestAfterMs: 500 });
        const delivered = bench.events.filter((event) => event.event === 'delivered');
        expect(delivered.filter((event) => event.jobId === 'fired').map((event) => [event.relayAction, event.digestId])).toEqual([['post', undefined]]);
        expect(delivered.filter((event) => event.digestId !== undefined).length).toBeGreaterThan(1);
        expect(delivered).toHaveLength(9);
    });

    it('counts a flow that answers 202 without a message id as accepted and misconfigured', async () => {
        const bench = await openBench();
        const plainKey = webhookKey(new URL(bench.sim.workflowsUrl('plain')));
        await acceptQueueMessage({ to: 'plain', text: 'hi', updateKey: 'k' }, { messageId: 'p1', dequeuedAt: bench.clock.now() }, bench.store, bench.config);
        await drainWebhook(plainKey, bench.deps({ relayFlow: () => true }));
        const state = await bench.store.readState(plainKey);
        expect({ accepted: state.accepted, delivered: state.delivered, relayWithoutId: state.relayWithoutId }).toEqual({ accepted: 1, delivered: 0, relayWithoutId: 1 });
        expect(await bench.store.readMessageKey(plainKey, 'update', 'k')).toBeUndefined();
    });
});
