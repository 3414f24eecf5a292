// End to end: two `npm start` hosts on one queue and one storage account deliver one webhook's jobs as if they were one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../shared/notify/producer.js';
import { startTeamsSimulator, type TeamsSimulator } from '../../tools/simulator/index.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';
import { AppHosts, deliveredTexts, eventually, openQueue, tearDownScenario, uniqueQueueName } from './app-host.js';

/** Ten seconds of sending at Teams' 4 per second; under the 60 per 30 s window. */
const JOBS = 40;
/** 40 jobs take 10 s at 4 per second; the rest is slack for a busy two-core machine. */
const DRAIN_DEADLINE_MS = 40_000;
const WEBHOOK = 'ops-scale';

let azurite: TestAzurite | undefined;
let sim: TeamsSimulator | undefined;
const hosts = new AppHosts();
/** The job texts in createdAt order. */
const expected: string[] = [];
let delivered: string[] = [];

function simulator(): TeamsSimulator {
    if (sim === undefined) {
        throw new Error('the Teams simulator did not start');
    }
    return sim;
}

beforeAll(async () => {
    azurite = await startAzurite();
    sim = await startTeamsSimulator();
    const queue = uniqueQueueName('scale');
    const settings = {
        ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*',
        NOTIFICATIONS_QUEUE: queue,
        TEAMS_WEBHOOK_OPS: sim.connectorUrl(WEBHOOK),
    };
    await Promise.all([hosts.start({ storage: azurite.connectionString, settings }), hosts.start({ storage: azurite.connectionString, settings })]);
    const client = openQueue(azurite.connectionString, queue);
    for (let index = 1; index <= JOBS; index++) {
        const text = `scale job ${String(index).padStart(2, '0')}`;
        await enqueueNotification({ id: `scale-${String(index).padStart(2, '0')}`, to: 'ops', text }, { queue: client });
        expected.push(text);
    }
    const teams = sim;
    await eventually(
        `${JOBS} deliveries to ${WEBHOOK}`,
        () => (new Set(deliveredTexts(teams.received(WEBHOOK))).size >= JOBS ? true : undefined),
        DRAIN_DEADLINE_MS,
        () => `delivered so far: ${deliveredTexts(teams.received(WEBHOOK)).join(', ')}\n${hosts.outputs()}`,
    );
    // A late duplicate would still be on its way; the sender posts nothing once the outbox is empty.
    delivered = deliveredTexts(teams.received(WEBHOOK));
}, DRAIN_DEADLINE_MS + 30_000);

afterAll(() => tearDownScenario(hosts, () => sim?.stop(), () => azurite?.stop()));

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
        expect(simulator().stats(WEBHOOK)).toMatchObject({ throttled: 0, rejected: 0, fault: 0 });
    });

    it('never exceed any sliding window', () => {
        expect(simulator().violations(WEBHOOK)).toEqual([]);
    });
});
