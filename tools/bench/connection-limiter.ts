/**
 * The Workflows profile over simulated days: 1, 2 and 5 webhooks with saturating backlogs on one Teams
 * connection, sent with the sender's own decisions (`nextSendTime` per URL, `decideConnectionSlot` for
 * the connection), with the offline optimum of the combined windows, and with rate-limiter-flexible
 * (a union per URL and one for the connection), all audited by the independent sliding-window auditor.
 */
import { RateLimiterMemory, RateLimiterRes, RateLimiterUnion } from 'rate-limiter-flexible';
import { decideConnectionSlot, DEFAULT_JITTER_GUARD_MS, emptyConnectionState, nextSendTime, pruneHistory, type SlidingWindowLimit, WORKFLOWS_PROFILE } from '../../shared/notify/index.js';
import { auditSlidingWindows, describeAudit, totalViolations, type WindowAudit } from './audit.js';
import { result, round, type BenchResult } from './results.js';
import { withSimulatedTime } from './simulated-time.js';

/** The simulated span of every run. */
const HORIZON_MS = 48 * 3_600_000;
const HORIZON_DAYS = HORIZON_MS / 86_400_000;
/** 2026-11-23T00:00:00Z: where simulated time starts. */
const START = Date.UTC(2026, 10, 23);
/** Webhooks on the one connection, per run. */
const WEBHOOK_COUNTS = [1, 2, 5] as const;
/** History kept before pruning to the longest window. */
const PRUNE_AT = 4_000;
/** Bound on rate-limiter-flexible's attempts per run (sends plus refusals). */
const MAX_ATTEMPTS = 400_000;
/** Target: utilisation of the offline optimum. */
const MIN_UTILISATION = 0.99;

const PER_URL = WORKFLOWS_PROFILE.perUrl;
const PER_CONNECTION = WORKFLOWS_PROFILE.perConnection;

/** Send times per webhook. */
type Schedule = readonly (readonly number[])[];

/**
 * The earliest time `s >= ready` a stream may send under `limits`, written apart from the limiter:
 * with every earlier send at or before `ready`, window (W, m) allows a send at `s` iff fewer than m
 * earlier sends lie in (s - W, s], i.e. iff s >= history[n - m] + W.
 */
function earliestUnder(history: readonly number[], ready: number, limits: readonly SlidingWindowLimit[]): number {
    let at = ready;
    for (const limit of limits) {
        const blocking = history[history.length - limit.max];
        if (blocking !== undefined) at = Math.max(at, blocking + limit.windowMs);
    }
    return at;
}

/** Sends one saturated stream greedily under `limits` until the horizon; the count is the most any schedule can send. */
function greedyCount(limits: readonly SlidingWindowLimit[]): number {
    let history: number[] = [];
    let count = 0;
    for (let at = earliestUnder(history, START, limits); at < START + HORIZON_MS; at = earliestUnder(history, at, limits)) {
        history.push(at);
        count += 1;
        if (history.length > PRUNE_AT) history = history.slice(-PRUNE_AT / 2);
    }
    return count;
}

/**
 * The offline optimum for n saturated webhooks on one connection: no schedule can send more than n
 * times one URL's optimum, nor more than the connection's optimum (each is the most one stream under
 * those windows can send by the horizon), so the smaller is an upper bound; our audited schedule
 * reaching it shows it is the optimum.
 */
function optimumBound(webhooks: number): number {
    return Math.min(webhooks * greedyCount(PER_URL), greedyCount(PER_CONNECTION));
}

/**
 * Ours: each webhook comes back at the time it was told (its URL's next slot, or its turn on the
 * connection), decides exactly as the sender does, and on a send decides again at once.
 */
function ours(webhooks: number): Schedule {
    let connection = emptyConnectionState('default');
    const logs: number[][] = Array.from({ length: webhooks }, () => []);
    const sends: number[][] = Array.from({ length: webhooks }, () => []);
    const due = Array.from({ length: webhooks }, (_unused, index) => ({ webhook: index, at: START }));
    const guard = { guardMs: DEFAULT_JITTER_GUARD_MS };
    for (;;) {
        due.sort((a, b) => a.at - b.at || a.webhook - b.webhook);
        const next = due.shift();
        if (next === undefined || next.at >= START + HORIZON_MS) break;
        const log = logs[next.webhook] ?? [];
        const own = nextSendTime(log, next.at, PER_URL, guard);
        if (own > next.at) {
            due.push({ webhook: next.webhook, at: own });
            continue;
        }
        const decision = decideConnectionSlot(connection, `webhook-${next.webhook}`, next.at, PER_CONNECTION, guard);
        connection = decision.state;
        if (decision.kind === 'wait') {
            due.push({ webhook: next.webhook, at: decision.until });
            continue;
        }
        log.push(next.at);
        sends[next.webhook]?.push(next.at);
        if (log.length > PRUNE_AT) logs[next.webhook] = pruneHistory(log, next.at, PER_URL, guard);
        due.push({ webhook: next.webhook, at: next.at });
    }
    return sends;
}

/** The wait rate-limiter-flexible asks for when it refuses: the longest `msBeforeNext` of the refusing limiters. */
function refusalWaitMs(rejection: unknown): number {
    if (rejection instanceof Error) throw rejection;
    const refusals = Object.values(rejection as Record<string, unknown>).filter((entry) => entry instanceof RateLimiterRes);
    return Math.max(1, ...refusals.map((entry) => entry.msBeforeNext));
}

function unionOf(prefix: string, limits: readonly SlidingWindowLimit[]): RateLimiterUnion {
    return new RateLimiterUnion(
        ...limits.map((limit, index) => new RateLimiterMemory({ keyPrefix: `${prefix}${index}`, points: limit.max, duration: limit.windowMs / 1_000 })),
    );
}

/**
 * rate-limiter-flexible as one would combine it: per URL a union of five `RateLimiterMemory`, and one
 * union of two for the connection; a webhook sends when both accept (connection first), else retries
 * at the refusing limiters' `msBeforeNext`. Its clock and timers run on simulated time.
 */
async function flexible(webhooks: number): Promise<{ sends: Schedule; refusals: number }> {
    return withSimulatedTime(START, async (clock) => {
        const perUrl = unionOf('url', PER_URL);
        const perConnection = unionOf('connection', PER_CONNECTION);
        const sends: number[][] = Array.from({ length: webhooks }, () => []);
        const due = Array.from({ length: webhooks }, (_unused, index) => ({ webhook: index, at: START }));
        let refusals = 0;
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            due.sort((a, b) => a.at - b.at || a.webhook - b.webhook);
            const next = due.shift();
            if (next === undefined || next.at >= START + HORIZON_MS) break;
            clock.advanceTo(next.at);
            try {
                await perConnection.consume('default');
                await perUrl.consume(`webhook-${next.webhook}`);
                sends[next.webhook]?.push(next.at);
                due.push(next);
            } catch (rejection) {
                refusals += 1;
                due.push({ webhook: next.webhook, at: next.at + refusalWaitMs(rejection) });
            }
        }
        return { sends, refusals };
    });
}

/** Every webhook's sends against the per-URL windows, and all of them against the connection's. */
function audit(schedule: Schedule): { perUrl: WindowAudit[][]; connection: WindowAudit[]; violations: number } {
    const perUrl = schedule.map((sends) => auditSlidingWindows(sends, PER_URL));
    const connection = auditSlidingWindows(schedule.flat(), PER_CONNECTION);
    return { perUrl, connection, violations: perUrl.reduce((sum, audits) => sum + totalViolations(audits), totalViolations(connection)) };
}

function total(schedule: Schedule): number {
    return schedule.reduce((sum, sends) => sum + sends.length, 0);
}

/** Runs the Workflows profile benchmark. */
export async function runConnectionLimiterBench(log: (line: string) => void): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    for (const webhooks of WEBHOOK_COUNTS) {
        const started = performance.now();
        const ourSchedule = ours(webhooks);
        const oursMs = performance.now() - started;
        const best = optimumBound(webhooks);
        const library = await flexible(webhooks);
        const ourAudit = audit(ourSchedule);
        const libraryAudit = audit(library.sends);
        const perDay = (count: number): number => round(count / HORIZON_DAYS, 1);
        const name = `workflows-${webhooks}`;
        log(`  ${name}: ${webhooks} saturated Workflows webhook${webhooks === 1 ? '' : 's'} on one Teams connection for 48 h`);
        log(
            `    ours (nextSendTime + decideConnectionSlot, guard ${DEFAULT_JITTER_GUARD_MS} ms): ${total(ourSchedule)} sends in ${round(oursMs, 0)} ms ` +
                `(per webhook ${ourSchedule.map((sends) => sends.length).join('/')}); connection ${describeAudit(ourAudit.connection)}; ` +
                `busiest URL ${describeAudit(ourAudit.perUrl[0] ?? [])}`,
        );
        log(`    offline optimum of the combined windows: ${best} sends`);
        log(
            `    rate-limiter-flexible unions: ${total(library.sends)} sends, ${library.refusals} refusals; connection ${describeAudit(libraryAudit.connection)}`,
        );
        const utilisation = total(ourSchedule) / best;
        results.push(
            result({
                name: `limiter.${name}.violations`,
                value: ourAudit.violations,
                unit: 'sends over a sliding window (per URL and per connection)',
                baseline: 'rate-limiter-flexible unions',
                baselineValue: libraryAudit.violations,
                target: '0',
                met: ourAudit.violations === 0,
            }),
            result({
                name: `limiter.${name}.sends-per-day`,
                value: perDay(total(ourSchedule)),
                unit: 'sends/day',
                baseline: 'offline optimum (combined windows)',
                baselineValue: perDay(best),
                target: `>= ${MIN_UTILISATION * 100} % of optimum`,
                met: utilisation >= MIN_UTILISATION,
            }),
            result({
                name: `limiter.${name}.flexible-sends-per-day`,
                value: perDay(total(library.sends)),
                unit: 'sends/day',
                baseline: 'offline optimum (combined windows)',
                baselineValue: perDay(best),
            }),
        );
    }
    return results;
}
