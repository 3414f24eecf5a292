/**
 * Limiter over simulated days: saturating and bursty arrival traces sent with `nextSendTime`, with the
 * offline optimum, and with rate-limiter-flexible's union of fixed windows, all audited by one
 * independent sliding-window auditor.
 */
import { RateLimiterMemory, RateLimiterRes, RateLimiterUnion } from 'rate-limiter-flexible';
import { DEFAULT_JITTER_GUARD_MS, nextSendTime, pruneHistory, TEAMS_WEBHOOK_LIMITS } from '../../shared/notify/index.js';
import { auditSlidingWindows, describeAudit, totalViolations } from './audit.js';
import { runConnectionLimiterBench } from './connection-limiter.js';
import { seededRandom } from './random.js';
import { result, round, type BenchResult } from './results.js';
import { withSimulatedTime } from './simulated-time.js';

/** The simulated span of every trace. */
const HORIZON_MS = 48 * 3_600_000;
/** Days in the horizon, for per-day figures. */
const HORIZON_DAYS = HORIZON_MS / 86_400_000;
/** 2026-11-23T00:00:00Z: where simulated time starts. */
const START = Date.UTC(2026, 10, 23);
/** Jobs of the saturating trace, all waiting from the start: more than 48 h can send (3600). */
const SATURATING_JOBS = 5_000;
/** Seed of the bursty trace. */
const BURSTY_SEED = 20_261_123;
/** Mean gap between bursts (exponential): about 16 bursts of ~100 jobs a day, near the 1800 a day the windows allow. */
const MEAN_BURST_GAP_MS = 90 * 60_000;
/** Burst sizes are uniform in 1..200. */
const MAX_BURST_JOBS = 200;
/** History kept by the greedy senders before pruning to the longest window. */
const PRUNE_AT = 4_000;
/** Bound on rate-limiter-flexible's attempts per trace (sends plus refusals). */
const MAX_ATTEMPTS = 200_000;
/** Target: utilisation of the greedy optimum. */
const MIN_UTILISATION = 0.99;

/** rate-limiter-flexible's configuration of the five windows: points per duration in seconds. */
const FLEXIBLE_WINDOWS = TEAMS_WEBHOOK_LIMITS.map((limit) => ({ points: limit.max, duration: limit.windowMs / 1000 }));

/** An arrival trace: the times jobs arrive, ascending. */
interface Trace {
    readonly name: string;
    readonly arrivals: readonly number[];
}

function saturatingTrace(): Trace {
    return { name: 'saturating', arrivals: Array.from({ length: SATURATING_JOBS }, () => START) };
}

function burstyTrace(): Trace {
    const random = seededRandom(BURSTY_SEED);
    const arrivals: number[] = [];
    let at = START;
    for (let burst = 0; burst < HORIZON_MS / 60_000; burst++) {
        at += Math.round(-Math.log(1 - random()) * MEAN_BURST_GAP_MS);
        if (at >= START + HORIZON_MS) break;
        const size = 1 + Math.floor(random() * MAX_BURST_JOBS);
        for (let job = 0; job < size; job++) arrivals.push(at);
    }
    return { name: 'bursty', arrivals };
}

/**
 * Sends the trace's jobs in order, each at `earliest(history, ready)` where `ready` is when it arrived
 * and the previous job left; stops at the horizon. Returns the send times.
 */
function sendInOrder(trace: Trace, earliest: (history: number[], ready: number) => number): number[] {
    const sends: number[] = [];
    let history: number[] = [];
    let last = START;
    for (const arrival of trace.arrivals) {
        const at = earliest(history, Math.max(arrival, last));
        if (at >= START + HORIZON_MS) break;
        sends.push(at);
        history.push(at);
        last = at;
        if (history.length > PRUNE_AT) history = pruneHistory(history, at, TEAMS_WEBHOOK_LIMITS, { guardMs: DEFAULT_JITTER_GUARD_MS });
    }
    return sends;
}

/** Ours: `nextSendTime` with the production guard. */
function ours(history: number[], ready: number): number {
    return nextSendTime(history, ready, TEAMS_WEBHOOK_LIMITS, { guardMs: DEFAULT_JITTER_GUARD_MS });
}

/**
 * The offline optimum, written independently of `nextSendTime`: with every earlier send at or before
 * `ready`, a send at `s` keeps window (W, m) within its limit iff fewer than m earlier sends lie in
 * (s - W, s], i.e. iff s >= history[n - m] + W. Sending each job at the earliest such time is optimal
 * for a FIFO stream: by induction its k-th send is no later than the k-th send of any feasible schedule.
 */
function optimum(history: number[], ready: number): number {
    let at = ready;
    for (const limit of TEAMS_WEBHOOK_LIMITS) {
        const blocking = history[history.length - limit.max];
        if (blocking !== undefined) at = Math.max(at, blocking + limit.windowMs);
    }
    return at;
}

/** The wait rate-limiter-flexible asks for when it refuses: the longest `msBeforeNext` of the refusing limiters. */
function refusalWaitMs(rejection: unknown): number {
    if (rejection instanceof Error) throw rejection;
    const refusals = Object.values(rejection as Record<string, unknown>).filter((entry) => entry instanceof RateLimiterRes);
    return Math.max(1, ...refusals.map((entry) => entry.msBeforeNext));
}

/**
 * rate-limiter-flexible: a union of five `RateLimiterMemory` (fixed windows that start at a key's first
 * consume); a job consumes one point when it is ready, goes if every limiter accepts and otherwise
 * retries at the refusing limiters' `msBeforeNext`. Its `Date.now` and timers run on simulated time.
 */
async function flexible(trace: Trace): Promise<{ sends: number[]; refusals: number }> {
    return withSimulatedTime(START, async (clock) => {
        const union = new RateLimiterUnion(
            ...FLEXIBLE_WINDOWS.map((window, index) => new RateLimiterMemory({ keyPrefix: `window${index}`, points: window.points, duration: window.duration })),
        );
        const sends: number[] = [];
        let refusals = 0;
        let job = 0;
        let at = START;
        for (let attempt = 0; attempt < MAX_ATTEMPTS && job < trace.arrivals.length; attempt++) {
            at = Math.max(at, trace.arrivals[job] ?? at);
            if (at >= START + HORIZON_MS) break;
            clock.advanceTo(at);
            try {
                await union.consume('webhook');
                sends.push(at);
                job += 1;
            } catch (rejection) {
                refusals += 1;
                at += refusalWaitMs(rejection);
            }
        }
        return { sends, refusals };
    });
}

/** Runs the limiter benchmark. */
export async function runLimiterBench(log: (line: string) => void): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    for (const trace of [saturatingTrace(), burstyTrace()]) {
        const started = performance.now();
        const ourSends = sendInOrder(trace, ours);
        const oursMs = performance.now() - started;
        const best = sendInOrder(trace, optimum);
        const library = await flexible(trace);
        const ourAudit = auditSlidingWindows(ourSends, TEAMS_WEBHOOK_LIMITS);
        const bestAudit = auditSlidingWindows(best, TEAMS_WEBHOOK_LIMITS);
        const libraryAudit = auditSlidingWindows(library.sends, TEAMS_WEBHOOK_LIMITS);
        if (totalViolations(bestAudit) > 0) throw new Error(`the offline optimum broke a window: ${describeAudit(bestAudit)}`);
        const perDay = (count: number): number => round(count / HORIZON_DAYS, 1);
        log(`  ${trace.name}: ${trace.arrivals.length} jobs arrive in 48 h`);
        log(`    ours (nextSendTime, guard ${DEFAULT_JITTER_GUARD_MS} ms): ${ourSends.length} sends in ${round(oursMs, 0)} ms; busiest interval per window: ${describeAudit(ourAudit)}`);
        log(`    offline optimum: ${best.length} sends; ${describeAudit(bestAudit)}`);
        log(`    rate-limiter-flexible union: ${library.sends.length} sends, ${library.refusals} refusals; ${describeAudit(libraryAudit)}`);
        const ourViolations = totalViolations(ourAudit);
        const ourUtilisation = ourSends.length / best.length;
        results.push(
            result({
                name: `limiter.${trace.name}.violations`,
                value: ourViolations,
                unit: 'sends over a sliding window',
                baseline: 'rate-limiter-flexible union',
                baselineValue: totalViolations(libraryAudit),
                target: '0',
                met: ourViolations === 0,
            }),
            result({
                name: `limiter.${trace.name}.sends-per-day`,
                value: perDay(ourSends.length),
                unit: 'sends/day',
                baseline: 'offline greedy optimum',
                baselineValue: perDay(best.length),
                target: `>= ${MIN_UTILISATION * 100} % of optimum`,
                met: ourUtilisation >= MIN_UTILISATION,
            }),
            result({
                name: `limiter.${trace.name}.flexible-sends-per-day`,
                value: perDay(library.sends.length),
                unit: 'sends/day',
                baseline: 'offline greedy optimum',
                baselineValue: perDay(best.length),
            }),
        );
    }
    // The Workflows profile: webhooks sharing one Teams connection's Flow bot budget.
    results.push(...(await runConnectionLimiterBench(log)));
    return results;
}
