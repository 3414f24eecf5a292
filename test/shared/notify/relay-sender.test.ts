// The sender on a relay flow (the simulator's relay-flow mode): updates in place, threads, coalescing, the 404 fallback, a flow without a Response.
import { afterEach, describe, expect, it } from 'vitest';
import { acceptQueueMessage, resolveSendTarget } from '../../../shared/notify/accept.js';
import type { NotificationJob } from '../../../shared/notify/jobs.js';
import { teamsConnectionOf } from '../../../shared/notify/limit-profiles.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { postToWebhook } from '../../../shared/notify/post.js';
import { drainWebhook, senderSettings, type SenderDeps } from '../../../shared/notify/sender.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { loadConfig, type AppConfig } from '../../../shared/config.js';
import type { DeliveryEvent } from '../../../shared/platform/telemetry.js';
import { startTeamsSimulator, type RelayMessage, type TeamsSimulator } from '../../../tools/simulator/index.js';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';
import { ManualClock, START } from './harness.js';

interface RelayBench {
    readonly clock: ManualClock;
    readonly sim: TeamsSimulator;
    readonly store: OutboxStore;
    readonly config: AppConfig;
    readonly events: DeliveryEvent[];
    /** The relay flow's webhook key. */
    readonly key: string;
    enqueue(...jobs: Omit<NotificationJob, 'to'>[]): Promise<void>;
    drain(settings?: Partial<SenderDeps['settings']>): Promise<void>;
    channel(): readonly RelayMessage[];
}

let running: TeamsSimulator | undefined;
afterEach(async () => {
    await running?.stop();
    running = undefined;
});

/** A relay flow `relay` on the simulator, and `plain`, an ordinary Workflows URL that only accepts. */
async function openBench(): Promise<RelayBench> {
    const clock = new ManualClock(START);
    const sim = await startTeamsSimulator({ clock: clock.now });
    running = sim;
    const relayUrl = sim.relayFlowUrl('relay');
    const config = loadConfig({
        ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*',
        TEAMS_WEBHOOK_RELAY: relayUrl,
        TEAMS_WEBHOOK_PLAIN: sim.workflowsUrl('plain'),
        TEAMS_RELAY_FLOW_ALIASES: 'relay',
    });
    const store = createMemoryOutboxStore({ now: clock.now });
    const events: DeliveryEvent[] = [];
    let messages = 0;
    const deps = (settings: Partial<SenderDeps['settings']> = {}): SenderDeps => ({
        store,
        post: postToWebhook,
        scheduleWakeup: () => Promise.resolve(),
        resolveTarget: (job) => resolveSendTarget(job, config),
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        owner: 'relay-test',
        log: (event) => events.push(event),
        teamsConnection: (url) => teamsConnectionOf(url, config.targets.connections),
        relayFlow: (url) => config.targets.relayFlows.has(webhookKey(url)),
        settings: {
            ...config.delivery,
            guardMs: 50,
            timeoutMs: 2_000,
            // Wait in process for any slot, so a whole drain runs in one call on the manual clock.
            maxInlineWaitMs: Number.MAX_SAFE_INTEGER,
            maxDrainMs: Number.MAX_SAFE_INTEGER,
            digestAfterMs: 0,
            orderSettleMs: 0,
            ...settings,
        },
    });
    return {
        clock,
        sim,
        store,
        config,
        events,
        key: webhookKey(new URL(relayUrl)),
        enqueue: async (...jobs) => {
            for (const job of jobs) {
                messages += 1;
                const result = await acceptQueueMessage({ to: 'relay', ...job }, { messageId: `m${messages}`, dequeuedAt: clock.now() }, store, config);
                expect(result.kind).toBe('accepted');
            }
        },
        drain: async (settings) => {
            await drainWebhook(webhookKey(new URL(relayUrl)), deps(settings));
        },
        channel: () => sim.relayMessages('relay'),
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
        await drainWebhook(plainKey, {
            store: bench.store,
            post: postToWebhook,
            scheduleWakeup: () => Promise.resolve(),
            resolveTarget: (job) => resolveSendTarget(job, bench.config),
            now: bench.clock.now,
            sleep: bench.clock.sleep,
            random: () => 0.5,
            owner: 'relay-test',
            log: (event) => bench.events.push(event),
            relayFlow: () => true,
            settings: senderSettings({ guardMs: 50, timeoutMs: 2_000, retryMaxAgeMs: 3_600_000, orderSettleMs: 0, digestAfterMs: 0 }),
        });
        const state = await bench.store.readState(plainKey);
        expect({ accepted: state.accepted, delivered: state.delivered, relayWithoutId: state.relayWithoutId }).toEqual({ accepted: 1, delivered: 0, relayWithoutId: 1 });
        expect(await bench.store.readMessageKey(plainKey, 'update', 'k')).toBeUndefined();
    });
});
