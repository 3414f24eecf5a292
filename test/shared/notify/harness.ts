/** A delivery test bench: a real Azurite outbox, the Teams simulator, and one injected clock for both. */
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { loadConfig, type AppConfig } from '../../../shared/config.js';
import { acceptQueueMessage, resolveSendTarget } from '../../../shared/notify/accept.js';
import { postToWebhook } from '../../../shared/notify/post.js';
import { senderSettings, type SenderDeps, type SenderSettings } from '../../../shared/notify/sender.js';
import type { DeliveryEvent } from '../../../shared/platform/telemetry.js';
import { notificationJobSchema, type NotificationJob } from '../../../shared/notify/jobs.js';
import { teamsConnectionOf } from '../../../shared/notify/limit-profiles.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { createTableOutboxStore } from '../../../shared/notify/outbox/table-store.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { startTeamsSimulator, type TeamsSimulator, type TeamsSimulatorOptions } from '../../../tools/simulator/index.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startAzurite, type TestAzurite } from '../../support/azurite.js';

/** A clock tests move by hand; `sleep` moves it instead of waiting. */
export class ManualClock {
    constructor(public time: number) {}
    readonly now = (): number => this.time;
    readonly sleep = (ms: number): Promise<void> => {
        this.time += Math.max(0, ms);
        return Promise.resolve();
    };
}

/** One bench: its own tables, simulator and clock. */
export interface Bench {
    readonly clock: ManualClock;
    readonly sim: TeamsSimulator;
    readonly store: OutboxStore;
    readonly config: AppConfig;
    readonly wakeups: { webhook: string; at: number; now: number }[];
    readonly events: DeliveryEvent[];
    deps(overrides?: Partial<Omit<SenderDeps, 'settings'>> & { settings?: Partial<SenderSettings> }): SenderDeps;
    /** Accepts jobs through the real acceptance path; returns their webhook keys. */
    enqueue(...jobs: NotificationJob[]): Promise<string[]>;
    /**
     * Puts a job straight into its alias's outbox at `order`, past every acceptance check but the
     * schema, as an older version or a producer writing to the table could have left it; returns
     * the webhook key.
     */
    storeDirectly(job: NotificationJob & { id: string; to: string }, order: number): Promise<string>;
    stop(): Promise<void>;
}

/** 2026-11-23T00:00:00Z: a fixed start, away from any window boundary effects of the real clock. */
export const START = Date.UTC(2026, 10, 23);

/**
 * Builds a bench; `aliases` name simulator webhooks (`ops` → connector, `flow` → Workflows);
 * `settings` adds app settings; `sim` sets options of the simulator (its flows' connections).
 */
export async function startBench(
    azurite: TestAzurite,
    options: {
        aliases?: Record<string, 'connector' | 'workflows'>;
        settings?: Readonly<Record<string, string>>;
        sim?: Omit<TeamsSimulatorOptions, 'clock'>;
    } = {},
): Promise<Bench> {
    const clock = new ManualClock(START);
    const sim = await startTeamsSimulator({ ...options.sim, clock: clock.now });
    const aliases = options.aliases ?? { ops: 'connector', flow: 'workflows' };
    const env: Record<string, string> = { ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', ...options.settings };
    for (const [alias, dialect] of Object.entries(aliases)) {
        env[`TEAMS_WEBHOOK_${alias.toUpperCase()}`] = dialect === 'connector' ? sim.connectorUrl(alias) : sim.workflowsUrl(alias);
    }
    const config = loadConfig(env);
    const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
    const store = createTableOutboxStore(
        {
            outbox: TableClient.fromConnectionString(azurite.connectionString, `outbox${suffix}`, { allowInsecureConnection: true }),
            deadLetters: TableClient.fromConnectionString(azurite.connectionString, `dead${suffix}`, { allowInsecureConnection: true }),
        },
        { now: clock.now },
    );
    await store.ensureTables();
    const wakeups: Bench['wakeups'] = [];
    const events: DeliveryEvent[] = [];
    let messages = 0;
    return {
        clock,
        sim,
        store,
        config,
        wakeups,
        events,
        deps: (overrides = {}) => ({
            store,
            post: postToWebhook,
            scheduleWakeup: (webhook, at, now) => {
                wakeups.push({ webhook, at, now });
                return Promise.resolve();
            },
            resolveTarget: (job) => resolveSendTarget(job, config),
            now: clock.now,
            sleep: clock.sleep,
            random: () => 0.5,
            owner: 'test-owner',
            log: (event) => events.push(event),
            teamsConnection: (url) => teamsConnectionOf(url, config.targets.connections),
            ...overrides,
            settings: senderSettings({
                guardMs: 50,
                timeoutMs: 2_000,
                retryMaxAgeMs: 3_600_000,
                // Wait in process for any slot, so a whole drain runs in one call on the manual clock.
                maxInlineWaitMs: Number.MAX_SAFE_INTEGER,
                maxDrainMs: Number.MAX_SAFE_INTEGER,
                // Digests off unless a test is about them: the other tests count single posts.
                digestAfterMs: 0,
                // No settle time unless a test is about it: the burst tests time from the first send.
                orderSettleMs: 0,
                profiles: config.delivery.profiles,
                ...overrides.settings,
            }),
        }),
        enqueue: async (...jobs) => {
            const keys: string[] = [];
            for (const job of jobs) {
                messages += 1;
                const result = await acceptQueueMessage(job, { messageId: `m${messages}`, dequeuedAt: clock.now() }, store, config);
                if (result.kind !== 'accepted') {
                    throw new Error(`job refused: ${result.reason}`);
                }
                keys.push(result.webhookKey);
            }
            return keys;
        },
        storeDirectly: async (job, order) => {
            const alias = job.to.toLowerCase();
            const key = webhookKey(new URL(config.targets.webhooks.get(alias)?.href ?? `https://unknown.invalid/${alias}`));
            await store.addJob({ webhookKey: key, jobId: job.id, order, job: notificationJobSchema.parse(job), alias, acceptedAt: clock.now() });
            return key;
        },
        stop: () => sim.stop(),
    };
}

/**
 * Registers the hooks a sender test file needs (one Azurite for the file, each test's bench stopped
 * after it, even when the test fails) and returns the function that opens a test's bench.
 *
 * @example
 * const openBench = useBenches();
 * it('delivers', async () => { const b = await openBench(); ... });
 */
export function useBenches(): (options?: Parameters<typeof startBench>[1]) => Promise<Bench> {
    let azurite: TestAzurite | undefined;
    let bench: Bench | undefined;
    beforeAll(async () => {
        azurite = await startAzurite();
    });
    afterAll(async () => {
        await azurite?.stop();
    });
    afterEach(async () => {
        await bench?.stop();
        bench = undefined;
    });
    return async function openBench(options = {}) {
        if (azurite === undefined) {
            throw new Error('Azurite did not start');
        }
        bench = await startBench(azurite, options);
        return bench;
    };
}
