// One scenario of the end-to-end and fault tests: Azurite, the Teams simulator and the outbox store started before a file's tests, its hosts and all the rest stopped after them.
import type { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll } from 'vitest';
import type { OutboxStore } from '../../shared/notify/outbox/index.js';
import { enqueueNotification } from '../../shared/notify/producer.js';
import { webhookKey } from '../../shared/notify/webhook-target.js';
import { startTeamsSimulator, type TeamsSimulator } from '../../tools/simulator/index.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';
import { type AppHost, AppHosts, deliveredTexts, type DiskAzurite, eventually, openOutboxStore, openQueue, startDiskAzurite, tearDownScenario } from './app-host.js';

/** What a scenario starts besides its hosts. */
export interface ScenarioOptions {
    /** Azurite on disk, which the test can stop and start again ({@link startDiskAzurite}), instead of in memory. */
    readonly disk?: boolean;
    /** The simulator's fault seed (a fault scenario prints and passes its own). */
    readonly seed?: number;
}

/** The running parts of one test file's scenario; read them inside a test or hook. */
export interface Scenario<Storage extends TestAzurite = TestAzurite> {
    readonly azurite: Storage;
    /** `AzureWebJobsStorage`: the scenario's Azurite connection string. */
    readonly storage: string;
    readonly sim: TeamsSimulator;
    /** The app's outbox and dead-letter store on the scenario's storage. */
    readonly store: OutboxStore;
    /** Every host the file starts; stopped after its tests. */
    readonly hosts: AppHosts;
    /** Starts a host on the scenario's storage with `settings`. */
    startHost(settings: Readonly<Record<string, string>>): Promise<AppHost>;
    /** A client for queue `name` of the scenario's storage. */
    queue(name: string): QueueClient;
}

/**
 * Starts Azurite (in memory, or on disk with `disk: true`) and the Teams simulator in `beforeAll`, and
 * in `afterAll` stops every host of {@link Scenario.hosts}, removes the app snapshot and stops both.
 * Call it at the top of a test file, before the file's own hooks.
 * @example
 * const scenario = useScenario({ seed: faultSeed('kill') });
 * beforeAll(async () => { await scenario.startHost(simulatorSettings(uniqueQueueName('kill'), { ops: scenario.sim.connectorUrl('ops') })); });
 */
export function useScenario(options?: ScenarioOptions & { readonly disk?: false }): Scenario;
export function useScenario(options: ScenarioOptions & { readonly disk: true }): Scenario<DiskAzurite>;
export function useScenario(options: ScenarioOptions = {}): Scenario<TestAzurite | DiskAzurite> {
    const hosts = new AppHosts();
    let running: { azurite: TestAzurite | DiskAzurite; remove: () => Promise<void>; sim?: TeamsSimulator; store: OutboxStore } | undefined;
    const started = (): Required<NonNullable<typeof running>> => {
        if (running?.sim === undefined) {
            throw new Error('the scenario has not started (Azurite and the Teams simulator): read it inside a test or hook');
        }
        return { ...running, sim: running.sim };
    };

    beforeAll(async () => {
        if (options.disk === true) {
            const disk = await startDiskAzurite();
            running = { azurite: disk, remove: () => disk.remove(), store: openOutboxStore(disk.connectionString) };
        } else {
            const memory = await startAzurite();
            running = { azurite: memory, remove: () => memory.stop(), store: openOutboxStore(memory.connectionString) };
        }
        running.sim = await startTeamsSimulator(options.seed === undefined ? {} : { seed: options.seed });
    });
    afterAll(() => tearDownScenario(hosts, () => running?.sim?.stop(), () => running?.remove()));

    return {
        get azurite() { return started().azurite; },
        get storage() { return started().azurite.connectionString; },
        get sim() { return started().sim; },
        get store() { return started().store; },
        hosts,
        startHost: (settings) => hosts.start({ storage: started().azurite.connectionString, settings }),
        queue: (name) => openQueue(started().azurite.connectionString, name),
    };
}

/**
 * The settings of a host that sends to the simulator: its loopback address allowed, `queue` as
 * `NOTIFICATIONS_QUEUE`, and each alias of `webhooks` (alias → simulator URL) as `TEAMS_WEBHOOK_<ALIAS>`.
 */
export function simulatorSettings(queue: string, webhooks: Readonly<Record<string, string>>): Record<string, string> {
    const settings: Record<string, string> = { ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', NOTIFICATIONS_QUEUE: queue };
    for (const [alias, url] of Object.entries(webhooks)) {
        settings[`TEAMS_WEBHOOK_${alias.toUpperCase()}`] = url;
    }
    return settings;
}

/** A job number as it appears in texts and ids: zero-padded to `digits`, so texts sort in job order. */
export function jobNumber(index: number, digits = 2): string {
    return String(index).padStart(digits, '0');
}

/** Job text → job id, in the order the jobs were enqueued (their createdAt order). */
export type JobIds = Map<string, string>;

/**
 * Enqueues job `number` of a scenario: text `<name> job <number>`, id `<name>-<number>`, for the alias
 * `to` (`ops` unless `fields` names another). Resolves to its text and id.
 */
export async function enqueueNumberedJob(
    queue: QueueClient,
    name: string,
    number: string,
    fields: { readonly to?: string; readonly createdAt?: number } = {},
): Promise<{ readonly text: string; readonly id: string }> {
    const text = `${name} job ${number}`;
    const { id } = await enqueueNotification({ id: `${name}-${number}`, to: 'ops', text, ...fields }, { queue });
    return { text, id };
}

/** Enqueues jobs 1 to `count` for `ops` ({@link enqueueNumberedJob}), one after the other; resolves to their texts and ids. */
export async function enqueueNumberedJobs(queue: QueueClient, name: string, count: number): Promise<JobIds> {
    const jobs: JobIds = new Map();
    for (let index = 1; index <= count; index++) {
        const { text, id } = await enqueueNumberedJob(queue, name, jobNumber(index));
        jobs.set(text, id);
    }
    return jobs;
}

/** How many messages wait on `queue`, or infinity while storage cannot tell. */
export async function waitingMessages(queue: QueueClient): Promise<number> {
    return (await queue.getProperties()).approximateMessagesCount ?? Number.POSITIVE_INFINITY;
}

/** How long a host may take to accept a few dozen jobs and make its first deliveries. */
const ACCEPT_DEADLINE_MS = 20_000;

/**
 * Waits until `webhook` has had `deliveries` deliveries and every job on `queue` is in the outbox: the
 * host deletes a message once its job is accepted, so at most the one whose invocation still drains
 * is left. `jobs` names the jobs in the failure message.
 */
export function acceptedAndDelivering(scenario: Scenario, queue: QueueClient, jobs: string, webhook: string, deliveries: number): Promise<true> {
    return eventually(
        `${jobs} accepted and ${deliveries} deliveries`,
        async () => (deliveredTexts(scenario.sim.received(webhook)).length >= deliveries && (await waitingMessages(queue)) <= 1 ? true : undefined),
        ACCEPT_DEADLINE_MS,
        () => scenario.hosts.outputs(),
    );
}

/**
 * Waits until every job of `jobs` (simulator webhook name → its jobs) has reached its webhook or been
 * dead-lettered; resolves to the ids of the dead-lettered ones.
 */
export function everyJobSettled(scenario: Scenario, jobs: ReadonlyMap<string, JobIds>, timeoutMs: number): Promise<string[]> {
    const ids = new Set([...jobs.values()].flatMap((texts) => [...texts.values()]));
    return eventually(
        'every job delivered or dead-lettered',
        async () => {
            const letters = (await scenario.store.listDeadLetters()).flatMap((letter) => (letter.jobId !== undefined && ids.has(letter.jobId) ? [letter.jobId] : []));
            const settled = [...jobs].every(([name, texts]) => {
                const reached = new Set(deliveredTexts(scenario.sim.received(name)));
                return [...texts].every(([text, id]) => reached.has(text) || letters.includes(id));
            });
            return settled ? letters : undefined;
        },
        timeoutMs,
        () => `delivered so far: ${[...jobs.keys()].map((name) => `${name}: ${deliveredTexts(scenario.sim.received(name)).join(', ')}`).join('; ')}\n${scenario.hosts.outputs()}`,
    );
}

/** How long a delivered job's outbox row may take to go once Teams has it: the sender deletes the row after Teams answers. */
const ROW_REMOVAL_MS = 10_000;

/**
 * The number of jobs left in each of the outboxes of these Teams URLs, once they are all empty or
 * {@link ROW_REMOVAL_MS} has passed (the counts then, for the test to show): Teams holding every job
 * comes a moment before the sender has removed the last row.
 */
export async function settledBacklogs(store: OutboxStore, urls: readonly string[]): Promise<number[]> {
    const count = (): Promise<number[]> => Promise.all(urls.map((url) => store.countJobs(webhookKey(new URL(url)))));
    try {
        return await eventually('every outbox empty', async () => {
            const counts = await count();
            return counts.every((left) => left === 0) ? counts : undefined;
        }, ROW_REMOVAL_MS);
    } catch {
        return count();
    }
}
