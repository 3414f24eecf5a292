/**
 * A delivery test bench: an in-memory outbox, the Teams simulator, and one injected clock for both.
 * The in-memory outbox is held to the Table store's contract by `outbox-contract.test.ts`; the Table
 * store itself runs with the sender in the end-to-end and fault tests (`test/e2e`, `test/faults`).
 */
import { loadConfig, type AppConfig } from '../../../shared/config.js';
import { acceptQueueMessage, resolveSendTarget } from '../../../shared/notify/accept.js';
import { postToWebhook } from '../../../shared/notify/post.js';
import { senderSettings, type SenderDeps, type SenderSettings } from '../../../shared/notify/sender.js';
import type { DeliveryEvent } from '../../../shared/platform/telemetry.js';
import { notificationJobSchema, type NotificationJob } from '../../../shared/notify/jobs.js';
import { teamsConnectionOf } from '../../../shared/notify/limit-profiles.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { startTeamsSimulator, type TeamsSimulator, type TeamsSimulatorOptions } from '../../../tools/simulator/index.js';
import { afterEach } from 'vitest';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';

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
 * Builds a bench; `aliases` name simulator webhooks (`ops` → connector, `flow` → Workflows; a
 * `relay` alias is a relay flow, listed in `TEAMS_RELAY_FLOW_ALIASES`); `settings` adds app
 * settings; `sim` sets options of the simulator (its flows' connections).
 */
export async function startBench(
    options: {
        aliases?: Record<string, 'connector' | 'workflows' | 'relay'>;
        settings?: Readonly<Record<string, string>>;
        sim?: Omit<TeamsSimulatorOptions, 'clock'>;
    } = {},
): Promise<Bench> {
    const clock = new ManualClock(START);
    const sim = await startTeamsSimulator({ ...options.sim, clock: clock.now });
    const aliases = options.aliases ?? { ops: 'connector', flow: 'workflows' };
    const relayFlows = Object.keys(aliases).filter((alias) => aliases[alias] === 'relay');
    const env: Record<string, string> = {
        ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*',
        ...(relayFlows.length === 0 ? {} : { TEAMS_RELAY_FLOW_ALIASES: relayFlows.join(',') }),
        ...options.settings,
    };
    const urlOf = { connector: (alias: string) => sim.connectorUrl(alias), workflows: (alias: string) => sim.workflowsUrl(alias), relay: (alias: string) => sim.relayFlowUrl(alias) };
    for (const [alias, kind] of Object.entries(aliases)) {
        env[`TEAMS_WEBHOOK_${alias.toUpperCase()}`] = urlOf[kind](alias);
    }
    const config = loadConfig(env);
    const store = createMemoryOutboxStore({ now: clock.now });
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
            relayFlow: (url) => config.targets.relayFlows.has(webhookKey(url)),
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
 * Registers the hook a sender test file needs (each test's bench stopped after it, even when the
 * test fails) and returns the function that opens a test's bench.
 *
 * @example
 * const openBench = useBenches();
 * it('delivers', async () => { const b = await openBench(); ... });
 */
export function useBenches(): (options?: Parameters<typeof startBench>[0]) => Promise<Bench> {
    let bench: Bench | undefined;
    afterEach(async () => {
        await bench?.stop();
        bench = undefined;
    });
    return async function openBench(options = {}) {
        bench = await startBench(options);
        return bench;
    };
}
