// End to end through `npm start`: a relay flow (the simulator's relay-flow mode) gets one card per alert group, updated in place; a thread per threadKey; coalescing under a backlog; a crash between a post and the record of its id.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayMessage } from '../../tools/simulator/index.js';
import { fixtureBytes } from '../support/fixtures.js';
import { eventually, uniqueQueueName, type AppHost } from './app-host.js';
import { simulatorSettings, useScenario } from './scenario.js';

/** Deadline for a few deliveries on a busy machine. */
const DELIVERIES_MS = 30_000;
/** Fast recovery after a crash: the killed holder's lease expires after 3 s, and the sweep looks every 2 s. */
const RECOVERY_SETTINGS = { DELIVERY_LEASE_SECONDS: '3', SWEEP_SCHEDULE: '*/2 * * * * *' } as const;

const scenario = useScenario();

afterEach(async () => {
    await scenario.hosts.stopAll();
    scenario.sim.clearFaults();
});

/**
 * A fresh relay flow and its settings: the alias `ops` is that flow, on a Teams connection of its own
 * (the Flow-bot budget, 25 posts in 5 minutes, would otherwise be shared by every test of the file).
 */
function relaySetup(extra: Readonly<Record<string, string>> = {}): { flow: string; settings: Record<string, string> } {
    const flow = `relay-${randomBytes(4).toString('hex')}`;
    return {
        flow,
        settings: {
            ...simulatorSettings(uniqueQueueName('relay'), { ops: scenario.sim.relayFlowUrl(flow, { connection: flow }) }),
            TEAMS_CONNECTION_OPS: flow,
            TEAMS_RELAY_FLOW_ALIASES: 'ops',
            ...extra,
        },
    };
}

async function postAlert(host: AppHost, fixture: 'firing' | 'resolved'): Promise<void> {
    const response = await fetch(`${host.url}/api/hooks/alertmanager?to=ops`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: fixtureBytes(`producers/alertmanager/${fixture}.json`),
    });
    expect(response.status).toBe(202);
}

async function postJob(host: AppHost, job: object): Promise<void> {
    const response = await fetch(`${host.url}/api/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'ops', ...job }) });
    expect(response.status).toBe(202);
}

/** Waits until the flow's channel satisfies `ready`, then returns it. */
function channelWhen(flow: string, what: string, ready: (messages: readonly RelayMessage[]) => boolean): Promise<readonly RelayMessage[]> {
    return eventually(
        what,
        () => {
            const messages = scenario.sim.relayMessages(flow);
            return ready(messages) ? messages : undefined;
        },
        DELIVERIES_MS,
        () => scenario.hosts.outputs(),
    );
}

const RESOLVED = '✅ RESOLVED';

describe('a relay flow through npm start', () => {
    it('shows an Alertmanager group that fires, then resolves, as one message updated to resolved', async () => {
        const { flow, settings } = relaySetup();
        const host = await scenario.startHost(settings);
        await postAlert(host, 'firing');
        await channelWhen(flow, 'the firing card', (messages) => messages.length === 1);
        await postAlert(host, 'resolved');
        const channel = await channelWhen(flow, 'the card updated to resolved', (messages) => messages[0]?.versions.length === 2);
        expect(channel).toHaveLength(1);
        expect(JSON.stringify(channel[0]?.versions[0])).toContain('InstanceDown');
        expect(JSON.stringify(channel[0]?.card)).toContain(RESOLVED);
    });

    it('posts a group that fires and resolves while the webhook is busy once, resolved, and loses nothing', async () => {
        const { flow, settings } = relaySetup();
        const host = await scenario.startHost(settings);
        // Twelve jobs ahead: at four posts a second the alert waits its turn behind them.
        for (let index = 1; index <= 12; index++) {
            await postJob(host, { id: `backlog-${index}`, text: `backlog ${index}`, digest: false });
        }
        await postAlert(host, 'firing');
        await postAlert(host, 'resolved');
        const channel = await channelWhen(flow, '12 jobs and one alert card', (messages) => messages.length >= 13);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const settled = scenario.sim.relayMessages(flow);
        expect(settled).toHaveLength(13);
        const alerts = channel.filter((message) => JSON.stringify(message.card).includes('InstanceDown'));
        expect(alerts).toHaveLength(1);
        expect(alerts[0]?.versions).toHaveLength(1);
        expect(JSON.stringify(alerts[0]?.card)).toContain(RESOLVED);
        expect(channel.slice(0, 12).map((message) => /backlog (\d+)/.exec(JSON.stringify(message.card))?.[1])).toEqual(Array.from({ length: 12 }, (_, index) => String(index + 1)));
    });

    it('gathers five deployment events with one threadKey into one root and four replies, in order', async () => {
        const { flow, settings } = relaySetup();
        const host = await scenario.startHost(settings);
        const steps = ['queued', 'building', 'testing', 'deploying', 'done'];
        for (const [index, step] of steps.entries()) {
            await postJob(host, { id: `deploy-4711-${index}`, threadKey: 'deploy-4711', text: `Deployment 4711: ${step}` });
        }
        const channel = await channelWhen(flow, 'a root and four replies', (messages) => messages.length === 1 && messages[0]?.replies.length === 4);
        expect(channel).toHaveLength(1);
        const texts = [channel[0]?.card, ...(channel[0]?.replies ?? []).map((reply) => reply.card)].map((card) => /Deployment 4711: (\w+)/.exec(JSON.stringify(card))?.[1]);
        expect(texts).toEqual(steps);
    });

    it('after a crash between a post and the record of its id, posts at most one duplicate and still updates a card', async () => {
        const { flow, settings } = relaySetup(RECOVERY_SETTINGS);
        const first = await scenario.startHost(settings);
        // The flow posts the card at once but answers only after 20 s: the host is killed in between.
        scenario.sim.inject(flow, { fault: 'hang', delayMs: 20_000, times: 1 });
        await postAlert(first, 'firing');
        await channelWhen(flow, 'the first card posted, its answer held back', (messages) => messages.length === 1);
        await first.crash();

        const second = await scenario.startHost(settings);
        await channelWhen(flow, 'the card posted again by the second instance', (messages) => messages.length === 2);
        await postAlert(second, 'resolved');
        const channel = await channelWhen(flow, 'a card updated to resolved', (messages) => messages.some((message) => message.versions.length === 2));
        expect(channel).toHaveLength(2);
        expect(JSON.stringify(channel[1]?.card)).toContain(RESOLVED);
    });
});
