/** Retry timing as pure functions: exponential back-off with full jitter for transient failures, and the back-off of a throttled webhook. */

/**
 * First retry ceiling for a transient failure (a Teams 5xx, a timeout, a reset). Teams faults are
 * usually gone within seconds, so the first retry comes soon.
 *
 * @default 2000
 */
export const DEFAULT_RETRY_BASE_MS = 2_000 as const;

/**
 * Largest retry ceiling for a transient failure. Five minutes keeps a backlog moving soon after a
 * Teams outage ends, while a long outage costs one probe per webhook every few minutes.
 *
 * @default 300000 (5 min)
 */
export const DEFAULT_RETRY_MAX_MS = 300_000 as const;

/**
 * First back-off after Teams throttled a webhook: the 30 s window of the Teams rate-limit table. Teams
 * sends no Retry-After, and whichever window was crossed, a full 30 s lets Teams' fixed 30 s and 1 s
 * windows roll over, whatever their alignment.
 *
 * @default 30000
 */
export const DEFAULT_THROTTLE_INITIAL_MS = 30_000 as const;

/**
 * Longest back-off of a throttled webhook: the 1 h window of the Teams table. Reports say a webhook
 * over the 30 s limit stayed blocked for hours, so the back-off doubles rather than hammering it; at
 * the cap a blocked webhook is probed once an hour, which costs 1 of its 100 hourly sends.
 *
 * @default 3600000 (1 h)
 */
export const DEFAULT_THROTTLE_MAX_MS = 3_600_000 as const;

/** Both back-offs double per step. */
const GROWTH_FACTOR = 2 as const;

/** Options of {@link retryDelay}. */
interface RetryDelayOptions {
    /**
     * Ceiling of the first retry's delay.
     * @default DEFAULT_RETRY_BASE_MS (2000)
     */
    readonly baseMs?: number;
    /**
     * Largest ceiling, whatever the attempt.
     * @default DEFAULT_RETRY_MAX_MS (300000)
     */
    readonly maxMs?: number;
    /** A uniform random number in [0, 1], e.g. `Math.random`; injected so the function stays pure. */
    readonly random: () => number;
}

/** Options of {@link throttleBackoff}. */
interface ThrottleBackoffOptions {
    /**
     * Back-off after the first throttled answer.
     * @default DEFAULT_THROTTLE_INITIAL_MS (30000)
     */
    readonly initialMs?: number;
    /**
     * Largest back-off.
     * @default DEFAULT_THROTTLE_MAX_MS (3600000)
     */
    readonly maxMs?: number;
}

/**
 * The ceiling of {@link retryDelay} for `attempt`: `min(maxMs, baseMs × 2^(attempt − 1))`, never
 * decreasing with `attempt`. An `attempt` below 1 (or not a number) counts as 1.
 *
 * @example
 * retryDelayCeiling(3, { baseMs: 1_000, maxMs: 60_000 }); // 4000
 */
export function retryDelayCeiling(attempt: number, options: Omit<RetryDelayOptions, 'random'> = {}): number {
    return exponentialCap(attempt, options.baseMs ?? DEFAULT_RETRY_BASE_MS, options.maxMs ?? DEFAULT_RETRY_MAX_MS);
}

/**
 * How long to wait before retry number `attempt` (1 for the first retry) after a transient failure:
 * "full jitter", a uniform draw in [0, ceiling] with the ceiling of {@link retryDelayCeiling}, in whole
 * milliseconds (rounded down, so never above the ceiling).
 *
 * Full jitter rather than decorrelated jitter: it needs no state beyond the attempt count (which the
 * outbox already keeps), and in Marc Brooker's comparison, "Exponential Backoff And Jitter" (AWS
 * Architecture Blog, 2015), it does about as little total work as decorrelated jitter and spreads
 * competing retries best.
 *
 * @example
 * retryDelay(1, { random: Math.random }); // somewhere in [0, 2000]
 * retryDelay(3, { baseMs: 1_000, maxMs: 60_000, random: () => 0.5 }); // 2000
 */
export function retryDelay(attempt: number, options: RetryDelayOptions): number {
    const ceiling = retryDelayCeiling(attempt, options);
    const draw = options.random();
    const unit = Number.isNaN(draw) ? 1 : Math.min(1, Math.max(0, draw));
    return Math.floor(unit * ceiling);
}

/**
 * How long to hold all sends to a webhook after its `consecutiveThrottles`-th throttled answer in a
 * row (1 for the first): `initialMs × 2^(n − 1)`, capped at `maxMs`. Deterministic: one sender at a
 * time posts to a webhook, so there is no crowd of retries to spread out. A count below 1 counts as 1.
 *
 * @example
 * throttleBackoff(1); // 30000
 * throttleBackoff(4); // 240000
 * throttleBackoff(20); // 3600000
 */
export function throttleBackoff(consecutiveThrottles: number, options: ThrottleBackoffOptions = {}): number {
    return exponentialCap(
        consecutiveThrottles,
        options.initialMs ?? DEFAULT_THROTTLE_INITIAL_MS,
        options.maxMs ?? DEFAULT_THROTTLE_MAX_MS,
    );
}

/** `min(capMs, firstMs × 2^(step − 1))` for a step of at least 1; safe for any step, however large. */
function exponentialCap(step: number, firstMs: number, capMs: number): number {
    const cap = Math.max(0, capMs);
    const first = Math.min(Math.max(0, firstMs), cap);
    if (first === 0 || Number.isNaN(first)) {
        return 0;
    }
    const doublings = Number.isFinite(step) ? Math.max(0, Math.floor(step) - 1) : step > 0 ? Number.POSITIVE_INFINITY : 0;
    return Math.min(cap, first * GROWTH_FACTOR ** doublings);
}
