/** Fixed-window counting as Teams does it, a sliding-window log for connection budgets, and a sliding-window audit. */
import type { WindowLimit } from './limits.js';

/** A window the next request would exceed, with the count already spent in it. */
interface ExceededWindow {
    readonly limit: WindowLimit;
    readonly count: number;
}

interface WindowSlot {
    readonly limit: WindowLimit;
    readonly offsetMs: number;
    index: number;
    count: number;
}

/**
 * Per-webhook counters over fixed windows: window `n` of a limit spans
 * `[offset + n·windowMs, offset + (n+1)·windowMs)`, and its counter restarts at each boundary
 * (a fixed window and an incremental counter, docs/teams-facts.md#connector-rate-limits).
 *
 * @example
 * const counter = new FixedWindowCounter(TEAMS_WEBHOOK_LIMITS, [0]);
 * if (counter.exceeded(now) === undefined) counter.add(now);
 */
export class FixedWindowCounter {
    readonly #slots: WindowSlot[];

    /**
     * @param limits the windows to enforce
     * @param offsetsMs where each window starts, by position in `limits`; a missing entry is 0
     */
    constructor(limits: readonly WindowLimit[], offsetsMs: readonly number[]) {
        this.#slots = limits.map((limit, position) => ({
            limit,
            offsetMs: offsetsMs[position] ?? 0,
            index: Number.NEGATIVE_INFINITY,
            count: 0,
        }));
    }

    /** The first window (shortest first, in `limits` order) that one more request at `now` would exceed. */
    exceeded(now: number): ExceededWindow | undefined {
        for (const slot of this.#slots) {
            const count = this.#countAt(slot, now);
            if (count >= slot.limit.max) return { limit: slot.limit, count };
        }
        return undefined;
    }

    /** Counts one request at `now` in every window. */
    add(now: number): void {
        for (const slot of this.#slots) {
            slot.count = this.#countAt(slot, now) + 1;
            slot.index = windowIndex(slot, now);
        }
    }

    /**
     * When one more request would next pass every window, counting nothing more in the meantime:
     * `now` when none is full, else the end of the last full window.
     */
    reopensAt(now: number): number {
        let reopens = now;
        for (const slot of this.#slots) {
            if (this.#countAt(slot, now) < slot.limit.max) continue;
            const end = slot.offsetMs + (windowIndex(slot, now) + 1) * slot.limit.windowMs;
            reopens = Math.max(reopens, end);
        }
        return reopens;
    }

    #countAt(slot: WindowSlot, now: number): number {
        return windowIndex(slot, now) === slot.index ? slot.count : 0;
    }
}

function windowIndex(slot: WindowSlot, now: number): number {
    return Math.floor((now - slot.offsetMs) / slot.limit.windowMs);
}

/**
 * Sliding windows over the times of admitted events: an event at `now` fits when, for every limit,
 * fewer than `max` admitted events lie in `(now - windowMs, now]`. Admitting only what fits keeps
 * every half-open interval `[t, t + windowMs)` at `max` or fewer, the rule
 * {@link findSlidingWindowViolations} audits.
 *
 * @example
 * const log = new SlidingWindowLog(TEAMS_CONNECTION_LIMITS);
 * if (log.exceeded(now) === undefined) log.add(now);
 */
export class SlidingWindowLog {
    readonly #limits: readonly WindowLimit[];
    readonly #longestMs: number;
    #times: number[] = [];

    constructor(limits: readonly WindowLimit[]) {
        this.#limits = limits;
        this.#longestMs = Math.max(0, ...limits.map((limit) => limit.windowMs));
    }

    /** The first limit (in `limits` order) one more event at `now` would exceed, with its count. */
    exceeded(now: number): ExceededWindow | undefined {
        for (const limit of this.#limits) {
            const count = this.#countSince(now - limit.windowMs, now);
            if (count >= limit.max) return { limit, count };
        }
        return undefined;
    }

    /** Records one admitted event at `now`, forgetting those older than the longest window. */
    add(now: number): void {
        this.#times = this.#times.filter((time) => time > now - this.#longestMs);
        this.#times.push(now);
    }

    #countSince(after: number, now: number): number {
        let count = 0;
        for (const time of this.#times) if (time > after && time <= now) count += 1;
        return count;
    }
}

/** A stretch of arrivals that put more than `max` requests into one sliding window. */
export interface SlidingWindowViolation {
    readonly windowMs: number;
    readonly max: number;
    /** The most requests found in one `windowMs` interval within this stretch. */
    readonly count: number;
    /** Arrival time of the first request of the worst interval. */
    readonly from: number;
    /** Arrival time of the last request of the worst interval (`to - from < windowMs`). */
    readonly to: number;
}

/**
 * Audits arrival times against sliding windows: every half-open interval `[t, t + windowMs)` may
 * hold at most `max` arrivals, whatever the alignment of the fixed windows the server counts with.
 * Overlapping offending intervals of one window are reported once, with their worst count.
 *
 * @example
 * findSlidingWindowViolations([900, 950, 990, 999, 1000, 1001, 1002, 1003], [{ windowMs: 1000, max: 4 }]);
 * // → [{ windowMs: 1000, max: 4, count: 8, from: 900, to: 1003 }]
 */
export function findSlidingWindowViolations(
    arrivals: readonly number[],
    limits: readonly WindowLimit[],
): SlidingWindowViolation[] {
    const times = [...arrivals].sort((a, b) => a - b);
    const violations: SlidingWindowViolation[] = [];
    for (const { windowMs, max } of limits) {
        let cluster: { position: number; end: number; worst: number } | undefined;
        let end = 0;
        for (const [start, from] of times.entries()) {
            while (end < times.length && (times[end] ?? Number.POSITIVE_INFINITY) < from + windowMs) end += 1;
            const count = end - start;
            if (count <= max) continue;
            const to = times[end - 1] ?? from;
            const violation = { windowMs, max, count, from, to };
            if (cluster !== undefined && from <= cluster.end) {
                cluster.end = Math.max(cluster.end, to);
                if (count > cluster.worst) {
                    cluster.worst = count;
                    violations[cluster.position] = violation;
                }
            } else {
                cluster = { position: violations.length, end: to, worst: count };
                violations.push(violation);
            }
        }
    }
    return violations;
}
