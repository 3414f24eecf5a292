// End to end: an `npm start` host killed with SIGKILL mid-drain; a new host on the same storage finishes the job.
import { beforeAll, describe, expect, it } from 'vitest';
import { deliveredTexts, uniqueQueueName } from './app-host.js';
import { acceptedAndDelivering, enqueueNumberedJobs, everyJobSettled, simulatorSettings, useScenario, type JobIds } from './scenario.js';

/** Jobs for one webhook: about 7.5 s of sending at 4 per second. */
const JOBS = 30;
/** The first host is killed once this many jobs have reached Teams. */
const KILL_AFTER_DELIVERIES = 8;
/** Hosts killed in this scenario; each may cause one duplicate (a crash between Teams' answer and its record). */
const KILLS = 1;
const WEBHOOK = 'ops-crash';
/** Fast recovery: the killed holder's lease expires after 3 s, and the sweep looks every 2 s. */
const RECOVERY_SETTINGS = { DELIVERY_LEASE_SECONDS: '3', SWEEP_SCHEDULE: '*/2 * * * * *' } as const;
/** Lease, sweep, wake-up and the remaining ~22 sends at 4 per second, with slack for a busy machine. */
const RECOVERY_DEADLINE_MS = 45_000;

const scenario = useScenario();
let jobIds: JobIds = new Map();
let deliveredBeforeKill = 0;
let delivered: string[] = [];
let deadLettered: string[] = [];

beforeAll(async () => {
    const teams = scenario.sim;
    const queue = uniqueQueueName('crash');
    const settings = { ...simulatorSettings(queue, { ops: teams.connectorUrl(WEBHOOK) }), ...RECOVERY_SETTINGS };
    const first = await scenario.startHost(settings);
    const client = scenario.queue(queue);
    jobIds = await enqueueNumberedJobs(client, 'crash', JOBS);
    // Every job must be in the outbox before the kill: a message the killed host had dequeued but not
    // yet accepted comes back only after the host's 10-minute message lease, which is not the app's doing.
    await acceptedAndDelivering(scenario, client, 'every job', WEBHOOK, KILL_AFTER_DELIVERIES);
    await first.crash();
    deliveredBeforeKill = deliveredTexts(teams.received(WEBHOOK)).length;

    await scenario.startHost(settings);
    deadLettered = await everyJobSettled(scenario, new Map([[WEBHOOK, jobIds]]), RECOVERY_DEADLINE_MS);
    delivered = deliveredTexts(teams.received(WEBHOOK));
}, RECOVERY_DEADLINE_MS + 60_000);

describe(`a host killed with SIGKILL after ~${KILL_AFTER_DELIVERIES} of ${JOBS} deliveries, then a new host`, () => {
    it('was killed mid-drain, with jobs still waiting', () => {
        expect(deliveredBeforeKill).toBeGreaterThanOrEqual(KILL_AFTER_DELIVERIES);
        expect(deliveredBeforeKill).toBeLessThan(JOBS);
    });

    it('delivers or dead-letters every job', () => {
        const reached = new Set(delivered);
        const missing = [...jobIds].filter(([text, id]) => !reached.has(text) && !deadLettered.includes(id));
        expect(missing).toEqual([]);
    });

    it('delivers at most one duplicate per kill', () => {
        const duplicates = delivered.length - new Set(delivered).size;
        expect(duplicates).toBeLessThanOrEqual(KILLS);
    });

    it('delivers the jobs in createdAt order, a re-sent job aside', () => {
        const firstArrivals = delivered.filter((text, index) => delivered.indexOf(text) === index);
        expect(firstArrivals).toEqual([...firstArrivals].sort());
    });

    it('never exceeds any sliding window across the kill', () => {
        expect(scenario.sim.violations(WEBHOOK)).toEqual([]);
        expect(scenario.sim.stats(WEBHOOK).throttled).toBe(0);
    });
});
