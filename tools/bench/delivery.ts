/**
 * Delivery in real time through the local host, Azurite and the Teams simulator: the shape and the
 * drain time of a 120-job burst to one webhook, and 50 webhooks × 20 jobs at once (aggregate rate and
 * storage operations per job), with every webhook audited against the sliding windows.
 */
import { QueueClient } from '@azure/storage-queue';
import { developmentConnectionString } from '../devhost/azurite-process.js';
import { DEFAULT_JITTER_GUARD_MS, nextSendTime, TEAMS_WEBHOOK_LIMITS } from '../../shared/notify/index.js';
import { enqueueNotification } from '../../shared/notify/azure.js';
import { startTeamsSimulator, type TeamsSimulator } from '../simulator/index.js';
import { auditSlidingWindows, describeAudit, totalViolations } from './audit.js';
import { startCountingProxy } from './counting-proxy.js';
import { Cleanup, delay, startBenchAzurite, startBenchHost, waitUntil } from './processes.js';
import { result, round, type BenchResult } from './results.js';

/** Jobs of the burst to one webhook. */
const BURST_JOBS = 120;
/** The burst's posts are counted per second over this many seconds from its first post. */
const SHAPE_SECONDS = 35;
/** The hourly window allows 100 posts: the burst's first 100 go within ~40 s, the other 20 an hour later. */
const HOURLY_MAX = 100;
/** Longest wait for the burst's first 100 posts. */
const BURST_TIMEOUT_MS = 75_000;
/** Webhooks and jobs per webhook of the fan-out run. */
const FANOUT_WEBHOOKS = 50;
const FANOUT_JOBS_PER_WEBHOOK = 20;
/** Longest wait for the fan-out's 1000 posts. */
const FANOUT_TIMEOUT_MS = 60_000;
/** Idle time measured before the fan-out, to report the storage operations of queue polling alone. */
const IDLE_SAMPLE_MS = 3_000;
/** After the last post, the app still records it (completeJob, state): counted for this long. */
const SETTLE_MS = 2_000;
/** Jobs put on the queue at once (the producer makes one request per job). */
const ENQUEUE_CONCURRENCY = 50;
/**
 * Storage operations a delivered job needs at the least in this design: get and delete its queue
 * message, add it to the outbox (one batch), read the outbox head, reserve the slot in the webhook's
 * state, complete it (one batch).
 */
const DESIGN_FLOOR_OPS_PER_JOB = 6;
/** Every webhook may take 4 posts a second (docs/teams-facts.md#connector-rate-limits), so 50 webhooks take 200 a second at most. */
const PER_WEBHOOK_PER_SECOND = TEAMS_WEBHOOK_LIMITS[0].max;

/** The earliest send times of `count` jobs from an empty log, with `guardMs`, relative to the first. */
function theoreticalSends(count: number, guardMs: number): number[] {
    const sends: number[] = [];
    for (let index = 0; index < count; index++) sends.push(nextSendTime(sends, sends.at(-1) ?? 0, TEAMS_WEBHOOK_LIMITS, { guardMs }));
    return sends;
}

/** Puts `jobs` on the queue, `ENQUEUE_CONCURRENCY` requests at a time, in the order given. */
async function enqueueAll(queue: QueueClient, jobs: readonly { to: string; text: string }[]): Promise<void> {
    for (let start = 0; start < jobs.length; start += ENQUEUE_CONCURRENCY) {
        await Promise.all(jobs.slice(start, start + ENQUEUE_CONCURRENCY).map((job) => enqueueNotification(job, { queue })));
    }
}

/** Times (ms) of the requests that reached webhook `name`'s counters (delivered or throttled). */
function arrivals(sim: TeamsSimulator, name: string): number[] {
    return sim.received(name).filter((record) => record.outcome === 'delivered' || record.outcome === 'throttled').map((record) => record.at);
}

function delivered(sim: TeamsSimulator, name: string): number {
    return sim.stats(name).delivered;
}

/** Runs the delivery benchmark; every process it starts is stopped before it returns or throws. */
export async function runDeliveryBench(log: (line: string) => void): Promise<BenchResult[]> {
    const cleanup = new Cleanup();
    try {
        const sim = await startTeamsSimulator();
        cleanup.add(sim, () => sim.stop());
        const azurite = await startBenchAzurite(cleanup);
        const queueProxy = await startCountingProxy(azurite.queuePort);
        cleanup.add(queueProxy, () => queueProxy.stop());
        const tableProxy = await startCountingProxy(azurite.tablePort);
        cleanup.add(tableProxy, () => tableProxy.stop());
        // The host reaches storage through the counting proxies; the benchmark enqueues directly.
        const counted = developmentConnectionString({ blobPort: azurite.blobPort, queuePort: queueProxy.port, tablePort: tableProxy.port });
        const storageOps = (): number => queueProxy.count() + tableProxy.count();
        const common = { ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', DIGEST_AFTER_SECONDS: '0' };

        // 1. One webhook, 120 jobs at once.
        const burstHost = await startBenchHost(cleanup, counted, { ...common, NOTIFICATIONS_QUEUE: 'bench-burst', TEAMS_WEBHOOK_SOLO: sim.connectorUrl('solo') });
        const burstQueue = new QueueClient(azurite.connectionString, 'bench-burst');
        const burstStart = Date.now();
        await enqueueAll(burstQueue, Array.from({ length: BURST_JOBS }, (_, index) => ({ to: 'solo', text: `burst job ${index + 1}` })));
        const enqueuedMs = Date.now() - burstStart;
        const reached = await waitUntil(() => delivered(sim, 'solo') >= HOURLY_MAX, BURST_TIMEOUT_MS);
        const soloTimes = arrivals(sim, 'solo');
        const first = soloTimes[0] ?? burstStart;
        if (Date.now() < first + SHAPE_SECONDS * 1000) await delay(first + SHAPE_SECONDS * 1000 - Date.now());
        const shape = Array.from({ length: SHAPE_SECONDS }, (_, second) => soloTimes.filter((at) => at >= first + second * 1000 && at < first + (second + 1) * 1000).length);
        const hundredth = soloTimes[HOURLY_MAX - 1];
        const ideal = theoreticalSends(HOURLY_MAX, DEFAULT_JITTER_GUARD_MS);
        const idealUnguarded = theoreticalSends(HOURLY_MAX, 0);
        const idealHundredth = (ideal.at(-1) ?? 0) - (ideal[0] ?? 0);
        const inFirst30 = soloTimes.filter((at) => at < first + 30_000).length;
        const soloAudit = auditSlidingWindows(soloTimes, TEAMS_WEBHOOK_LIMITS);
        await delay(SETTLE_MS);
        const soloStats = sim.stats('solo');
        log(`  burst: 120 jobs enqueued in ${enqueuedMs} ms; first post ${first - burstStart} ms after the enqueue began`);
        log(`  posts per second from the first post: ${shape.join(' ')}`);
        log(`  first 30 s: ${inFirst30} posts (limit 60); 100th post ${hundredth === undefined ? 'never' : `${round((hundredth - first) / 1000, 2)} s`} after the first (theoretical ${round(idealHundredth / 1000, 2)} s with the ${DEFAULT_JITTER_GUARD_MS} ms guard, ${round(((idealUnguarded.at(-1) ?? 0) - (idealUnguarded[0] ?? 0)) / 1000, 2)} s without); the other 20 wait for the hourly window`);
        log(`  solo: delivered ${soloStats.delivered}, throttled ${soloStats.throttled}; sliding audit ${describeAudit(soloAudit)}`);
        await burstHost.stop();

        // 2. 50 webhooks × 20 jobs at once.
        const names = Array.from({ length: FANOUT_WEBHOOKS }, (_, index) => `w${index}`);
        const fanoutSettings: Record<string, string> = { ...common, NOTIFICATIONS_QUEUE: 'bench-fanout' };
        for (const name of names) fanoutSettings[`TEAMS_WEBHOOK_${name.toUpperCase()}`] = sim.connectorUrl(name);
        const fanoutHost = await startBenchHost(cleanup, counted, fanoutSettings);
        log(`  fan-out host pid ${fanoutHost.pid}, ${FANOUT_WEBHOOKS} webhooks`);
        const fanoutQueue = new QueueClient(azurite.connectionString, 'bench-fanout');
        queueProxy.reset();
        tableProxy.reset();
        await delay(IDLE_SAMPLE_MS);
        const idleOpsPerSecond = storageOps() / (IDLE_SAMPLE_MS / 1000);
        queueProxy.reset();
        tableProxy.reset();
        const jobs = [];
        for (let round_ = 0; round_ < FANOUT_JOBS_PER_WEBHOOK; round_++) {
            for (const name of names) jobs.push({ to: name, text: `fan-out job ${round_ + 1} to ${name}` });
        }
        const fanoutStart = Date.now();
        await enqueueAll(fanoutQueue, jobs);
        const total = (): number => names.reduce((sum, name) => sum + delivered(sim, name), 0);
        const allDelivered = await waitUntil(() => total() >= jobs.length, FANOUT_TIMEOUT_MS);
        const lastPostAt = Date.now();
        await delay(SETTLE_MS);
        const ops = storageOps();
        const measuredMs = Date.now() - fanoutStart;
        const fanoutTimes = names.flatMap((name) => arrivals(sim, name)).sort((a, b) => a - b);
        const firstPost = fanoutTimes[0] ?? fanoutStart;
        const lastPost = fanoutTimes.at(-1) ?? lastPostAt;
        const deliveredCount = total();
        // A perfect schedule sends 4 per webhook in each of 5 one-second windows: count the last post's second.
        const aggregateRate = deliveredCount / ((lastPost - firstPost) / 1000 + 1);
        const ceiling = FANOUT_WEBHOOKS * PER_WEBHOOK_PER_SECOND;
        const perSecond = Array.from({ length: Math.ceil((lastPost - firstPost + 1) / 1000) }, (_, second) => fanoutTimes.filter((at) => at >= firstPost + second * 1000 && at < firstPost + (second + 1) * 1000).length);
        const fanoutViolations = names.reduce((sum, name) => sum + totalViolations(auditSlidingWindows(arrivals(sim, name), TEAMS_WEBHOOK_LIMITS)), 0);
        const fanoutThrottled = names.reduce((sum, name) => sum + sim.stats(name).throttled, 0);
        const opsPerJob = ops / Math.max(1, deliveredCount);
        log(`  fan-out: ${deliveredCount}/${jobs.length} delivered${allDelivered ? '' : ' (timed out)'}; first post ${firstPost - fanoutStart} ms after the enqueue began, last ${round((lastPost - fanoutStart) / 1000, 2)} s after`);
        log(`  aggregate posts per second from the first post: ${perSecond.join(' ')}`);
        log(`  storage operations: ${ops} in ${round(measuredMs / 1000, 1)} s (${round(opsPerJob, 2)} per job; idle polling alone ${round(idleOpsPerSecond, 1)}/s, about ${round((idleOpsPerSecond * measuredMs) / 1000 / Math.max(1, deliveredCount), 2)} per job)`);
        log(`  throttled ${fanoutThrottled}, sliding-window violations ${fanoutViolations}`);

        const throttled = soloStats.throttled + fanoutThrottled;
        const violations = totalViolations(soloAudit) + fanoutViolations;
        return [
            result({ name: 'delivery.burst.first-30s-posts', value: inFirst30, unit: 'posts', baseline: '30 s limit', baselineValue: TEAMS_WEBHOOK_LIMITS[1].max }),
            result({
                name: 'delivery.burst.time-to-100',
                value: hundredth === undefined || !reached ? Number.NaN : round((hundredth - first) / 1000, 2),
                unit: 's',
                baseline: 'theoretical minimum (limits + guard)',
                baselineValue: round(idealHundredth / 1000, 2),
            }),
            result({ name: 'delivery.fanout.posts-per-second', value: round(aggregateRate, 1), unit: 'posts/s', baseline: 'limit ceiling (50 x 4/s)', baselineValue: ceiling }),
            result({
                name: 'delivery.fanout.storage-ops-per-job',
                value: round(opsPerJob, 2),
                unit: 'requests/job',
                baseline: 'design floor',
                baselineValue: DESIGN_FLOOR_OPS_PER_JOB,
            }),
            result({
                name: 'delivery.throttled',
                value: throttled,
                unit: 'throttled posts',
                baseline: 'posts audited',
                baselineValue: soloTimes.length + fanoutTimes.length,
                target: '0 (and 0 sliding-window violations)',
                met: throttled === 0 && violations === 0 && reached && allDelivered,
            }),
        ];
    } finally {
        await cleanup.run();
    }
}
