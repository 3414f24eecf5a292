/**
 * Digest throughput: notifications delivered per day to one saturated webhook by the real sender, with
 * digests (`digestAfterMs` 60 000) and without (0), on an injected clock against the Teams simulator
 * on the same clock and an in-memory outbox that never runs dry. A third run sends relay-flow traffic
 * (updates of alert cards and replies in threads beside plain jobs) to the simulator's relay flow,
 * with digests, and audits its windows the same way.
 */
import { loadConfig } from '../../shared/config.js';
import { DEFAULT_DIGEST_AFTER_MS, DEFAULT_JITTER_GUARD_MS, drainWebhook, postToWebhook, resolveSendTarget, type SenderDeps, senderSettings, TEAMS_WEBHOOK_LIMITS, webhookKey } from '../../shared/notify/index.js';
import { startTeamsSimulator } from '../simulator/index.js';
import { auditSlidingWindows, describeAudit, totalViolations } from './audit.js';
import { saturatedOutbox } from './memory-outbox.js';
import { Cleanup } from './processes.js';
import { result, round, type BenchResult } from './results.js';

/** Real time given to each of the two runs. */
const RUN_BUDGET_MS = 25_000;
/** Jobs kept waiting: more than a digest holds, and enough that the backlog would wait over a minute. */
const BACKLOG = 1_000;
/** 2026-11-23T00:00:00Z: where simulated time starts. */
const START = Date.UTC(2026, 10, 23);
/** Posts a day the five windows allow one webhook (docs/teams-facts.md#connector-rate-limits; reached by the limiter under a backlog). */
const POSTS_PER_DAY = TEAMS_WEBHOOK_LIMITS[4].max;
const DAY_MS = 86_400_000;
/** Real ms between two checks of the run budget. */
const BUDGET_CHECK_MS = 200;

/** A typical notification: a heading line and a short detail line (~110 bytes). */
function notificationText(n: number): string {
    return `Deploy of **api-${n % 17}** v2.${n % 50}.${n} to prod succeeded\nBuild ${4_000 + n} by ci-bot: 3 services restarted, 0 errors.`;
}

/**
 * Relay traffic: one job in ten reports on one of 30 alert groups (an update once its card is
 * posted; a group comes back every 300 jobs, beyond the sender's coalescing look-ahead), one in ten
 * belongs to one of 10 deployment threads (a reply once its root is posted), the rest are plain.
 */
function relayKeys(n: number): { updateKey?: string; threadKey?: string } {
    if (n % 10 === 1) return { updateKey: `alert-group-${Math.floor(n / 10) % 30}` };
    if (n % 10 === 6) return { threadKey: `deployment-${Math.floor(n / 10) % 10}` };
    return {};
}

/** What one run measured. */
interface DigestRun {
    readonly posts: number;
    readonly notifications: number;
    /** Jobs a newer job with their `updateKey` replaced (relay traffic only). */
    readonly superseded: number;
    /** Posts by relay action (relay traffic only). */
    readonly actions: Readonly<Record<string, number>>;
    readonly simulatedMs: number;
    readonly throttled: number;
    readonly violations: number;
    readonly deadLettered: number;
}

async function runOnce(digestAfterMs: number, log: (line: string) => void, relay = false): Promise<DigestRun> {
    const cleanup = new Cleanup();
    try {
        let now = START;
        const clock = (): number => now;
        const sim = await startTeamsSimulator({ clock });
        cleanup.add(sim, () => sim.stop());
        const url = relay ? sim.relayFlowUrl('ops') : sim.connectorUrl('ops');
        const config = loadConfig({ ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', TEAMS_WEBHOOK_OPS: url, ...(relay ? { TEAMS_RELAY_FLOW_ALIASES: 'ops' } : {}) });
        const key = webhookKey(new URL(url));
        const store = saturatedOutbox({ webhookKey: key, alias: 'ops', backlog: BACKLOG, now: clock, text: notificationText, ...(relay ? { keys: relayKeys } : {}) });
        const actions: Record<string, number> = {};
        const deps: SenderDeps = {
            store,
            post: postToWebhook,
            scheduleWakeup: () => Promise.resolve(),
            resolveTarget: (job) => resolveSendTarget(job, config),
            now: clock,
            // Waiting moves the shared clock: the sender never sleeps in real time.
            sleep: (ms) => {
                now += Math.max(0, ms);
                return Promise.resolve();
            },
            random: () => 0.5,
            owner: 'bench',
            log: (event) => {
                if (event.event === 'delivered' && event.relayAction !== undefined) actions[event.relayAction] = (actions[event.relayAction] ?? 0) + 1;
            },
            relayFlow: (target) => config.targets.relayFlows.has(webhookKey(target)),
            settings: senderSettings({
                guardMs: DEFAULT_JITTER_GUARD_MS,
                timeoutMs: 5_000,
                retryMaxAgeMs: DAY_MS,
                maxInlineWaitMs: Number.MAX_SAFE_INTEGER,
                maxDrainMs: Number.MAX_SAFE_INTEGER,
                digestAfterMs,
            }),
        };
        const started = performance.now();
        const budget = setInterval(() => {
            if (performance.now() - started >= RUN_BUDGET_MS) store.close();
        }, BUDGET_CHECK_MS);
        try {
            await drainWebhook(key, deps);
        } finally {
            clearInterval(budget);
        }
        const records = sim.received('ops');
        const times = records.filter((record) => record.outcome === 'delivered' || record.outcome === 'throttled').map((record) => record.at);
        const audit = auditSlidingWindows(times, TEAMS_WEBHOOK_LIMITS);
        const stats = sim.stats('ops');
        const run: DigestRun = {
            posts: stats.delivered,
            notifications: store.completed(),
            superseded: store.superseded(),
            actions,
            simulatedMs: now - START,
            throttled: stats.throttled,
            violations: totalViolations(audit),
            deadLettered: store.deadLettered(),
        };
        const relayText = relay ? ` relay flow (posts by action ${JSON.stringify(actions)}, ${run.superseded} superseded),` : '';
        log(
            `  digestAfterMs ${digestAfterMs}:${relayText} ${run.posts} posts carried ${run.notifications} notifications over ${round(run.simulatedMs / 3_600_000, 2)} simulated hours in ${round((performance.now() - started) / 1000, 1)} s; throttled ${run.throttled}, dead letters ${run.deadLettered}; ${describeAudit(audit)}`,
        );
        return run;
    } finally {
        await cleanup.run();
    }
}

/** Runs the digest benchmark. */
export async function runDigestBench(log: (line: string) => void): Promise<BenchResult[]> {
    const plain = await runOnce(0, log);
    const digested = await runOnce(DEFAULT_DIGEST_AFTER_MS, log);
    const relayed = await runOnce(DEFAULT_DIGEST_AFTER_MS, log, true);
    // Per day: notifications per post, measured, times the posts a day the windows allow under a backlog.
    const perDay = (run: DigestRun): number => round((run.notifications / Math.max(1, run.posts)) * POSTS_PER_DAY, 0);
    log(`  per day = notifications per post x ${POSTS_PER_DAY} posts a day; without digests ${perDay(plain)}, with digests ${perDay(digested)}`);
    const clean = plain.throttled + digested.throttled + plain.violations + digested.violations === 0;
    const relayClean = relayed.throttled + relayed.violations === 0;
    return [
        result({ name: 'digest.without.notifications-per-day', value: perDay(plain), unit: 'notifications/day', baseline: 'posts/day limit', baselineValue: POSTS_PER_DAY }),
        result({
            name: 'digest.with.notifications-per-day',
            value: perDay(digested),
            unit: 'notifications/day',
            baseline: 'posts/day limit',
            baselineValue: POSTS_PER_DAY,
            target: '> 1800 and 0 throttled',
            met: perDay(digested) > POSTS_PER_DAY && clean,
        }),
        result({
            name: 'digest.relay.notifications-per-day',
            value: perDay(relayed),
            unit: 'notifications/day',
            baseline: 'posts/day limit',
            baselineValue: POSTS_PER_DAY,
            target: '> 1800, updates and replies sent alone, 0 throttled',
            met: perDay(relayed) > POSTS_PER_DAY && relayClean && (relayed.actions.update ?? 0) > 0 && (relayed.actions.reply ?? 0) > 0,
        }),
        result({
            name: 'digest.with.notifications-per-post',
            value: round(digested.notifications / Math.max(1, digested.posts), 1),
            unit: 'notifications/post',
            baseline: 'without digests',
            baselineValue: round(plain.notifications / Math.max(1, plain.posts), 2),
        }),
    ];
}
