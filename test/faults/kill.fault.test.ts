// Fault: a host on on-disk Azurite killed with SIGKILL at three seeded random points while draining two webhooks; the next host finishes.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom, type ReceivedRequest, type TeamsSimulator } from '../../tools/simulator/index.js';
import { deliveredTexts, eventually, uniqueQueueName } from '../e2e/app-host.js';
import { enqueueNumberedJob, everyJobSettled, settledBacklogs, useScenario, waitingMessages, type JobIds } from '../e2e/scenario.js';
import { baseSettings, duplicatedTexts, faultSeed, jobNumber, pause } from './fault-scenario.js';

/** Two webhooks, 20 jobs each: about 5 s of sending per webhook at Teams' 4 per second, both at once. */
const WEBHOOKS = [
    { alias: 'kill_a', name: 'kill-a' },
    { alias: 'kill_b', name: 'kill-b' },
] as const;
const JOBS_PER_WEBHOOK = 20;
const TOTAL_JOBS = JOBS_PER_WEBHOOK * WEBHOOKS.length;
const KILLS = 3;
/** Deliveries (both webhooks together) between two kills: a seeded draw from this range, shrunk to leave jobs for every kill. */
const DELIVERIES_BETWEEN_KILLS = { min: 3, spread: 6 } as const;
/** Jobs still waiting at the last kill, at least. */
const LEFT_AFTER_LAST_KILL = 4;
/** After the delivery count is reached, the kill waits a seeded 0 to this many ms, to land anywhere in a send. */
const KILL_JITTER_MS = 250;
/** A killed holder's lease expires after 2 s; the sweep looks every second. */
const RECOVERY_SETTINGS = { DELIVERY_LEASE_SECONDS: '2', SWEEP_SCHEDULE: '*/1 * * * * *' } as const;
/** Each segment: a host start, the lease running out, the sweep, and some sends. */
const SEGMENT_DEADLINE_MS = 30_000;
/** The last segment: up to 30 remaining jobs per webhook at 4 per second, with slack for a busy machine. */
const FINISH_DEADLINE_MS = 45_000;

const seed = faultSeed('kill');
const random = createSeededRandom(seed);
const scenario = useScenario({ disk: true, seed });
/** Per webhook name: job text → job id. */
const jobs = new Map<string, JobIds>();
/** When each kill happened (ms), and how many jobs had reached Teams then. */
const kills: { readonly at: number; readonly delivered: number }[] = [];
let recordsByWebhook = new Map<string, readonly ReceivedRequest[]>();
let deadLettered: string[] = [];
let backlogs: number[] = [];

function deliveredSoFar(teams: TeamsSimulator): number {
    return WEBHOOKS.reduce((sum, webhook) => sum + deliveredTexts(teams.received(webhook.name)).length, 0);
}

beforeAll(async () => {
    const { sim: teams, store, hosts } = scenario;
    const queue = uniqueQueueName('kill');
    const urls = Object.fromEntries(WEBHOOKS.map((webhook) => [webhook.alias, teams.connectorUrl(webhook.name)]));
    const settings = { ...baseSettings(queue, urls), ...RECOVERY_SETTINGS };
    for (const webhook of WEBHOOKS) {
        jobs.set(webhook.name, new Map());
    }
    // The jobs wait on the queue before the first host starts, so it accepts them all within its first batches.
    const client = scenario.queue(queue);
    await client.createIfNotExists();
    for (let index = 1; index <= JOBS_PER_WEBHOOK; index++) {
        for (const webhook of WEBHOOKS) {
            const { text, id } = await enqueueNumberedJob(client, webhook.name, jobNumber(index), { to: webhook.alias });
            jobs.get(webhook.name)?.set(text, id);
        }
    }
    let host = await scenario.startHost(settings);
    // Every job must be in an outbox before the first kill: a message the killed host had dequeued but
    // not yet accepted comes back only after the host's 10-minute message lease, which is not the app's
    // doing. Messages whose invocation is still draining stay on the queue: at most one per webhook.
    await eventually('every job accepted', async () => ((await waitingMessages(client)) <= WEBHOOKS.length ? true : undefined), SEGMENT_DEADLINE_MS, () => hosts.outputs());
    let target = deliveredSoFar(teams);
    const widest = Math.max(1, Math.floor((TOTAL_JOBS - LEFT_AFTER_LAST_KILL - target) / KILLS));
    for (let kill = 1; kill <= KILLS; kill++) {
        target += Math.min(widest, DELIVERIES_BETWEEN_KILLS.min + Math.floor(random() * DELIVERIES_BETWEEN_KILLS.spread));
        const goal = target;
        await eventually(`${goal} deliveries before kill ${kill}`, () => (deliveredSoFar(teams) >= goal ? true : undefined), SEGMENT_DEADLINE_MS, () => hosts.outputs());
        await pause(Math.floor(random() * KILL_JITTER_MS));
        const at = Date.now();
        await host.crash();
        kills.push({ at, delivered: deliveredSoFar(teams) });
        console.log(`kill ${kill}: after ${kills.at(-1)?.delivered ?? 0} deliveries`);
        target = deliveredSoFar(teams);
        host = await scenario.startHost(settings);
    }

    deadLettered = await everyJobSettled(scenario, jobs, FINISH_DEADLINE_MS);
    recordsByWebhook = new Map(WEBHOOKS.map((webhook) => [webhook.name, teams.received(webhook.name)]));
    console.log(`kill: duplicates ${JSON.stringify(WEBHOOKS.map((webhook) => duplicatedTexts((recordsByWebhook.get(webhook.name) ?? []).filter((record) => record.outcome === 'delivered')).map((duplicate) => duplicate.text)))}`);
    backlogs = await settledBacklogs(store, WEBHOOKS.map((webhook) => teams.connectorUrl(webhook.name)));
}, SEGMENT_DEADLINE_MS * (KILLS + 1) + FINISH_DEADLINE_MS + 60_000);

function delivered(name: string): string[] {
    return deliveredTexts(recordsByWebhook.get(name) ?? []);
}

describe(`${TOTAL_JOBS} jobs on two webhooks, the host killed with SIGKILL ${KILLS} times at seeded random points`, () => {
    it('killed each host mid-drain, with jobs still waiting', () => {
        expect(kills).toHaveLength(KILLS);
        for (const kill of kills) {
            expect(kill.delivered).toBeLessThan(TOTAL_JOBS);
        }
    });

    it('delivers or dead-letters every job, leaving every outbox empty', () => {
        for (const webhook of WEBHOOKS) {
            const reached = new Set(delivered(webhook.name));
            const missing = [...(jobs.get(webhook.name) ?? [])].filter(([text, id]) => !reached.has(text) && !deadLettered.includes(id));
            expect(missing, webhook.name).toEqual([]);
        }
        expect(backlogs).toEqual(WEBHOOKS.map(() => 0));
    });

    it('dead-letters nothing: a kill is not a reason to give up on a job', () => {
        expect(deadLettered).toEqual([]);
    });

    it('re-sends at most one job per webhook per kill, and only a job sent just before a kill', () => {
        for (const webhook of WEBHOOKS) {
            const records = (recordsByWebhook.get(webhook.name) ?? []).filter((record) => record.outcome === 'delivered');
            const duplicates = duplicatedTexts(records);
            // A duplicate is a job Teams took from a host killed before it recorded the answer: its first
            // copy arrived before a kill and after the one before it, and each host has one send in flight.
            const perKill = kills.map((kill, index) => duplicates.filter((duplicate) => duplicate.firstAt < kill.at && duplicate.firstAt >= (kills[index - 1]?.at ?? 0)));
            expect(perKill.map((inKill) => inKill.length).every((count) => count <= 1), `${webhook.name}: ${JSON.stringify(duplicates)}`).toBe(true);
            expect(duplicates.every((duplicate) => duplicate.copies === 2), webhook.name).toBe(true);
            expect(perKill.flat(), webhook.name).toHaveLength(duplicates.length);
        }
    });

    it('keeps each webhook in createdAt order, a re-sent job aside', () => {
        for (const webhook of WEBHOOKS) {
            const texts = delivered(webhook.name);
            const firstArrivals = texts.filter((text, index) => texts.indexOf(text) === index);
            expect(firstArrivals, webhook.name).toEqual([...firstArrivals].sort());
        }
    });

    it('never exceeds any sliding window of either webhook across the kills', () => {
        for (const webhook of WEBHOOKS) {
            expect(scenario.sim.violations(webhook.name), webhook.name).toEqual([]);
            expect(scenario.sim.stats(webhook.name).throttled, webhook.name).toBe(0);
        }
    });
});
