/** Sliding-window rate limiter for one Teams incoming webhook: a pure decision over the times of earlier sends. */

import { nonNull, SystemError } from '../platform/index.js';

/** One sliding window: at most `max` sends in any interval of `windowMs` milliseconds. */
export interface SlidingWindowLimit {
    /** Length of the window in milliseconds. */
    readonly windowMs: number;
    /** Most sends allowed in any interval of that length. */
    readonly max: number;
}

/**
 * The five per-webhook windows Teams enforces on incoming webhooks.
 *
 * Source: Microsoft Teams developer documentation, "Rate limiting for connectors" (incoming webhook
 * rate limits): 4 per 1 s, 60 per 30 s, 100 per 3600 s, 150 per 7200 s, 1800 per 86400 s. Teams
 * counts them in fixed windows of unknown alignment; holding them as sliding windows holds them for
 * every alignment. Workflows URLs publish no table, so the same five apply there.
 *
 * @example
 * const dailyBudget = TEAMS_WEBHOOK_LIMITS[4].max; // 1800
 */
export const TEAMS_WEBHOOK_LIMITS = [
    { windowMs: 1_000, max: 4 },
    { windowMs: 30_000, max: 60 },
    { windowMs: 3_600_000, max: 100 },
    { windowMs: 7_200_000, max: 150 },
    { windowMs: 86_400_000, max: 1_800 },
] as const satisfies readonly SlidingWindowLimit[];

/**
 * Milliseconds by which every window is widened before a send is allowed.
 *
 * Reason: windows are measured on our clock at the moment the POST starts, Teams counts on its own
 * clock when the request arrives; network jitter between the two can move two of our sends that were
 * exactly one window apart into one of Teams' windows. Jitter is tens of milliseconds in practice, so
 * 50 ms costs 5 % of the 1 s window and under 0.2 % of the 30 s one, and nothing on the daily budget.
 *
 * @default 50
 * @example
 * nextSendTime(history, Date.now(), TEAMS_WEBHOOK_LIMITS, { guardMs: DEFAULT_JITTER_GUARD_MS });
 */
export const DEFAULT_JITTER_GUARD_MS = 50 as const;

/**
 * The widest guard the configuration allows (`RATE_LIMIT_GUARD_MS`): a whole second, the length of
 * the shortest window, is far beyond any real jitter. A send log pruned with this guard keeps every
 * send that a decision with any allowed guard still counts.
 */
export const MAX_JITTER_GUARD_MS = 1_000 as const;

/** Options of {@link nextSendTime}. */
interface LimiterOptions {
    /**
     * Milliseconds added to every window's length to absorb network jitter.
     * @default DEFAULT_JITTER_GUARD_MS (50)
     */
    readonly guardMs?: number;
}

/** What {@link windowUsage} reports for one window. */
export interface WindowUsage {
    readonly windowMs: number;
    readonly max: number;
    /** Sends counted in the window ending now (including any recorded after now). */
    readonly used: number;
    /** Sends still allowed in that window right now; never negative. */
    readonly remaining: number;
}

/**
 * The earliest time `t >= now` at which one more send keeps every window within its limit.
 *
 * Contract: with `W = windowMs + guardMs`, after sending at `t` every half-open interval `(a, a + W]`
 * (equivalently every `[a, a + W)`) holds at most `max` sends of `history` plus the new one; in other
 * words any `max + 1` sends span at least `W` milliseconds. Because every interval of that length is
 * covered, the guarantee holds for Teams' fixed windows whatever their alignment.
 *
 * `history` holds the times (epoch ms) of earlier sends to the same webhook, ideally ascending (an
 * unsorted array is sorted first, O(n log n)). Entries later than `now` (sends reserved by another
 * instance, or clock skew between instances) are honoured: a send is also refused where it would
 * crowd a window together with later sends. Cost: O(windows × log n) for a history in the past, at
 * worst O(windows × n).
 *
 * @throws {SystemError} when `now`, a history entry or a limit is not a finite number, or a limit
 * allows no send at all.
 * @example
 * // four sends at t=0 fill the 1 s window; the fifth may go at 1 000 ms plus the guard
 * nextSendTime([0, 0, 0, 0], 10); // 1050
 */
export function nextSendTime(
    history: readonly number[],
    now: number,
    limits: readonly SlidingWindowLimit[] = TEAMS_WEBHOOK_LIMITS,
    options: LimiterOptions = {},
): number {
    assertFiniteTime(now, 'now');
    const guardMs = validGuard(options.guardMs);
    const sends = ascending(history);
    const windows = limits.map((limit) => {
        assertValidLimit(limit);
        return { width: limit.windowMs + guardMs, max: limit.max };
    });

    // For one window (width W, max m), a run of m consecutive sends h[i..i+m-1] that spans less than W
    // forbids exactly the open interval (h[i+m-1] - W, h[i] + W): a send there would put m + 1 sends
    // within W. Both ends grow with i, so each window walks its runs once, left to right, while t only
    // moves forward; t settles when no window's runs contain it.
    const cursors = windows.map((window) => firstIndexAfter(sends, now - window.width));
    let t = now;
    let settled = false;
    while (!settled) {
        settled = true;
        for (const [w, window] of windows.entries()) {
            let i = nonNull(cursors[w], 'window cursor');
            for (; i + window.max - 1 < sends.length; i += 1) {
                const first = nonNull(sends[i], 'first send of a run');
                const last = nonNull(sends[i + window.max - 1], 'last send of a run');
                if (first + window.width <= t) {
                    continue; // this run's forbidden interval ends before t
                }
                if (last - window.width >= t) {
                    break; // this run, and every later one, forbids only times after t
                }
                if (last - first < window.width) {
                    t = first + window.width;
                    settled = false;
                }
            }
            cursors[w] = firstIndexAfter(sends, t - window.width, nonNull(cursors[w], 'window cursor'));
        }
    }
    return t;
}

/**
 * Per window, how many sends fall in the window ending at `now` and how many more it allows now.
 * For display (budgets in the CLI and the `status` command); the decision is {@link nextSendTime}'s.
 *
 * A send is counted when it is later than `now - windowMs`, including sends recorded after `now`
 * (they consume the same budget).
 *
 * @example
 * windowUsage([0, 500], 900)[0]; // { windowMs: 1000, max: 4, used: 2, remaining: 2 }
 */
export function windowUsage(
    history: readonly number[],
    now: number,
    limits: readonly SlidingWindowLimit[] = TEAMS_WEBHOOK_LIMITS,
): WindowUsage[] {
    assertFiniteTime(now, 'now');
    const sends = ascending(history);
    return limits.map((limit) => {
        assertValidLimit(limit);
        const used = sends.length - firstIndexAfter(sends, now - limit.windowMs);
        return { windowMs: limit.windowMs, max: limit.max, used, remaining: Math.max(0, limit.max - used) };
    });
}

/**
 * The entries of `history` that can still affect a send at `now` or later, ascending: those later
 * than `now` minus the longest window widened by the guard. Older entries can be deleted. The one
 * pruning of a send log: the sender prunes with the guard its decisions use, the store with
 * {@link MAX_JITTER_GUARD_MS}, so neither drops a send a decision still counts. The guard is
 * required: a narrower one than the decisions' would drop sends the 24 h window still counts.
 *
 * @example
 * pruneHistory([0, 90_000_000], 90_000_001, TEAMS_WEBHOOK_LIMITS, { guardMs: 50 }); // [90000000]
 */
export function pruneHistory(
    history: readonly number[],
    now: number,
    limits: readonly SlidingWindowLimit[],
    options: Required<LimiterOptions>,
): number[] {
    assertFiniteTime(now, 'now');
    const guardMs = validGuard(options.guardMs);
    const sends = ascending(history);
    const longest = limits.reduce((widest, limit) => {
        assertValidLimit(limit);
        return Math.max(widest, limit.windowMs);
    }, 0);
    return sends.slice(firstIndexAfter(sends, now - longest - guardMs));
}

/** The history ascending, sorting a copy only when it is not already. */
function ascending(history: readonly number[]): readonly number[] {
    let sorted = true;
    let previous = Number.NEGATIVE_INFINITY;
    for (const [index, time] of history.entries()) {
        assertFiniteTime(time, `history[${index}]`);
        sorted &&= time >= previous;
        previous = time;
    }
    return sorted ? history : [...history].sort((a, b) => a - b);
}

/** Index of the first entry of ascending `sends` greater than `bound`, searching from `from`. */
function firstIndexAfter(sends: readonly number[], bound: number, from = 0): number {
    let low = from;
    let high = sends.length;
    while (low < high) {
        const middle = (low + high) >>> 1;
        if (nonNull(sends[middle], 'send at the search midpoint') > bound) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    return low;
}

function validGuard(guardMs: number | undefined): number {
    const guard = guardMs ?? DEFAULT_JITTER_GUARD_MS;
    if (!Number.isFinite(guard) || guard < 0) {
        throw new SystemError('invalid_limiter_input', 'The limiter guard must be a finite number of milliseconds ≥ 0');
    }
    return guard;
}

function assertValidLimit(limit: SlidingWindowLimit): void {
    if (!Number.isFinite(limit.windowMs) || limit.windowMs <= 0 || !Number.isInteger(limit.max) || limit.max < 1) {
        throw new SystemError(
            'invalid_limiter_input',
            `A limiter window needs windowMs > 0 and an integer max ≥ 1 (got ${limit.windowMs} ms, max ${limit.max})`,
        );
    }
}

function assertFiniteTime(time: number, what: string): void {
    if (!Number.isFinite(time)) {
        throw new SystemError('invalid_limiter_input', `The limiter needs ${what} as a finite epoch-ms number`);
    }
}
