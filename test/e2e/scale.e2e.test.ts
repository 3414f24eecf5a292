// End to end: two `npm start` hosts on one queue and one storage account deliver one webhook's jobs as if they were one.
import { beforeAll, describe, expect, it } from 'vitest';
import { deliveredTexts, eventually, uniqueQueueName } from './app-host.js';
import { enqueueNumberedJobs, simulatorSettings, useScenario } from './scenario.js';

/** Ten seconds of sending at Teams' 4 per second; under the 60 per 30 s window. */
const JOBS = 40;
/** 40 jobs take 10 s at 4 per second; the rest is slack for a busy two-core machine. */
const DRAIN_DEADLINE_MS = 40_000;
const WEBHOOK = 'ops-scale';

const scenario = useScenario();
/** The job texts in createdAt order. */
let expected: string[] = [];
let delivered: string[] = [];

beforeAll(async () => {
    const { sim: teams, hosts } = scenario;
    const queue = uniqueQueueName('scale');
    const settings = simulatorSettings(queue, { ops: teams.connectorUrl(WEBHOOK) });
    await Promise.all([scenario.startHost(settings), scenario.startHost(settings)]);
    expected = [...(await enqueueNumberedJobs(scenario.queue(queue), 'scale', JOBS)).keys()];
    await eventually(
        `${JOBS} deliveries to ${WEBHOOK}`,
        () => (new Set(deliveredTexts(teams.received(WEBHOOK))).size >= JOBS ? true : undefined),
        DRAIN_DEADLINE_MS,
        () => `delivered so far: ${deliveredTexts(teams.received(WEBHOOK)).join(', ')}\n${hosts.outputs()}`,
    );
    // A late duplicate would still be on its way; the sender posts nothing once the outbox is empty.
    delivered = deliveredTexts(teams.received(WEBHOOK));
}, DRAIN_DEADLINE_MS + 30_000);

describe(`two hosts draining ${JOBS} jobs for one webhook`, () => {
    it('deliver every job exactly once', () => {
        const counts = new Map<string, number>();
        for (const text of delivered) {
            counts.set(text, (counts.get(text) ?? 0) + 1);
        }
        expect([...counts.keys()].sort()).toEqual([...expected].sort());
        expect([...counts.entries()].filter(([, count]) => count > 1)).toEqual([]);
    });

    it('deliver the jobs in createdAt order', () => {
        expect(delivered).toEqual(expected);
    });

    it('are never throttled', () => {
        expect(scenario.sim.stats(WEBHOOK)).toMatchObject({ throttled: 0, rejected: 0, fault: 0 });
    });

    it('never exceed any sliding window', () => {
        expect(scenario.sim.violations(WEBHOOK)).toEqual([]);
    });
});
