// Fault: the on-disk Azurite stopped mid-drain and started again on the same ports and folder ~2 s later; the host rides it out.
import { beforeAll, describe, expect, it } from 'vitest';
import { type AppHost, deliveredTexts, eventually, uniqueQueueName } from '../e2e/app-host.js';
import { acceptedAndDelivering, enqueueNumberedJob, type JobIds, settledBacklogs, useScenario } from '../e2e/scenario.js';
import { baseSettings, duplicatedTexts, jobNumber, listDeadLetters, pause, type ListedDeadLetter } from './fault-scenario.js';

const WEBHOOK = 'storage-ops';
/** Accepted before the outage: about 6 s of sending at 4 per second. */
const EARLY_JOBS = 24;
/** Enqueued just before Azurite stops, so the host is polling or accepting them as storage goes away. */
const LATE_JOBS = 6;
/** Azurite stops once this many jobs have reached Teams. */
const STOP_AFTER_DELIVERIES = 5;
/** How long storage stays away. */
const OUTAGE_MS = 2_000;
/**
 * Recovery from a sender that lost storage mid-drain: its lease expires after 6 s and the sweep looks
 * every second. The lease must outlast the outage: a sender that has Teams' answer keeps trying to
 * record it while it holds the lease, and a lease that expired first would let another sender post
 * the same job again.
 */
const RECOVERY_SETTINGS = { DELIVERY_LEASE_SECONDS: '6', SWEEP_SCHEDULE: '*/1 * * * * *' } as const;
/** The storage SDKs retry for several seconds, then the host's 10 s visibility timeout, then the sends. */
const RECOVERY_DEADLINE_MS = 60_000;

const scenario = useScenario({ disk: true });
let host: AppHost | undefined;
const jobIds: JobIds = new Map();
const lateTexts: string[] = [];
let settings: Record<string, string> = {};
let deliveredBeforeOutage = 0;
let delivered: string[] = [];
let deadLettered: string[] = [];
let listed: ListedDeadLetter[] = [];
let backlog = -1;
let healthAfter = 0;

function runningHost(): AppHost {
    if (host === undefined) {
        throw new Error('the host did not start');
    }
    return host;
}

beforeAll(async () => {
    const { azurite: storage, sim: teams, store, hosts } = scenario;
    const queue = uniqueQueueName('storage');
    settings = { ...baseSettings(queue, { ops: teams.connectorUrl(WEBHOOK) }), ...RECOVERY_SETTINGS };
    const started = await scenario.startHost(settings);
    host = started;
    const client = scenario.queue(queue);
    const enqueue = async (index: number): Promise<string> => {
        const { text, id } = await enqueueNumberedJob(client, 'storage', jobNumber(index));
        jobIds.set(text, id);
        return text;
    };
    for (let index = 1; index <= EARLY_JOBS; index++) {
        await enqueue(index);
    }
    await acceptedAndDelivering(scenario, client, 'every early job', WEBHOOK, STOP_AFTER_DELIVERIES);
    for (let index = EARLY_JOBS + 1; index <= EARLY_JOBS + LATE_JOBS; index++) {
        lateTexts.push(await enqueue(index));
    }
    await storage.stop();
    deliveredBeforeOutage = deliveredTexts(teams.received(WEBHOOK)).length;
    await pause(OUTAGE_MS);
    await storage.start();

    const ids = new Set(jobIds.values());
    await eventually(
        'every job delivered, dead-lettered or in the poison queue',
        async () => {
            const items = await listDeadLetters(storage.connectionString, settings);
            const letters = items.flatMap((item) => (item.source !== 'poison' && item.jobId !== null && ids.has(item.jobId) ? [item.jobId] : []));
            const poisoned = items.filter((item) => item.source === 'poison').map((item) => item.text ?? '');
            const reached = new Set(deliveredTexts(teams.received(WEBHOOK)));
            const settled = [...jobIds].every(([text, id]) => reached.has(text) || letters.includes(id) || poisoned.some((message) => message.includes(`"${id}"`)));
            if (!settled) {
                return undefined;
            }
            deadLettered = letters;
            listed = items;
            return true;
        },
        RECOVERY_DEADLINE_MS,
        () => `delivered so far: ${deliveredTexts(teams.received(WEBHOOK)).join(', ')}\n${hosts.outputs()}`,
    );
    delivered = deliveredTexts(teams.received(WEBHOOK));
    backlog = (await settledBacklogs(store, [teams.connectorUrl(WEBHOOK)]))[0] ?? Number.NaN;
    const health = await fetch(`${started.url}/api/health`);
    await health.body?.cancel();
    healthAfter = health.status;
}, RECOVERY_DEADLINE_MS + 60_000);

describe(`storage stopped for ${OUTAGE_MS} ms after ~${STOP_AFTER_DELIVERIES} of ${EARLY_JOBS + LATE_JOBS} deliveries, then started again`, () => {
    it('stopped storage mid-drain, with jobs still waiting', () => {
        expect(deliveredBeforeOutage).toBeGreaterThanOrEqual(STOP_AFTER_DELIVERIES);
        expect(deliveredBeforeOutage).toBeLessThan(EARLY_JOBS);
    });

    it('delivers every job', () => {
        const reached = new Set(delivered);
        expect([...jobIds.keys()].filter((text) => !reached.has(text))).toEqual([]);
        expect(deadLettered).toEqual([]);
        expect(backlog).toBe(0);
    });

    // A message goes to -poison only after maxDequeueCount (5) failed invocations, each at least the
    // host's visibilityTimeout (10 s) after the last: a 2 s outage fails a message at most once, and the
    // storage SDKs' own retries (several seconds) usually bridge it before any invocation fails.
    it('leaves nothing in the poison queue', () => {
        expect(listed.filter((item) => item.source === 'poison')).toEqual([]);
    });

    it('delivers in createdAt order without duplicates', () => {
        expect(duplicatedTexts(scenario.sim.received(WEBHOOK).filter((record) => record.outcome === 'delivered'))).toEqual([]);
        expect(delivered).toEqual([...delivered].sort());
    });

    it('never exceeds any sliding window across the outage', () => {
        expect(scenario.sim.violations(WEBHOOK)).toEqual([]);
        expect(scenario.sim.stats(WEBHOOK).throttled).toBe(0);
    });

    it('keeps the host running and healthy through the outage', () => {
        expect(runningHost().exitStatus()).toBeUndefined();
        expect(healthAfter).toBe(200);
        console.log(`host log lines at warn/error level:\n${runningHost().output().split('\n').filter((line) => /warn|error|fail/i.test(line)).join('\n')}`);
    });
});
