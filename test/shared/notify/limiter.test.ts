/** Specification of the sliding-window limiter: Teams' five windows, the jitter guard, and properties checked against a brute-force auditor. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { SystemError } from '../../../shared/platform/errors.js';
import {
    DEFAULT_JITTER_GUARD_MS,
    MAX_JITTER_GUARD_MS,
    nextSendTime,
    pruneHistory,
    type SlidingWindowLimit,
    TEAMS_WEBHOOK_LIMITS,
    windowUsage,
} from '../../../shared/notify/limiter.js';

/** Milliseconds in the Teams windows, for readable expectations (same numbers as the Teams docs table). */
const SECOND = 1_000 as const;
const HALF_MINUTE = 30_000 as const;
const HOUR = 3_600_000 as const;
const DAY = 86_400_000 as const;
/** An arbitrary epoch-ms origin, so no test depends on times near zero. */
const T0 = 1_700_000_000_000 as const;
/** The guard used where a test wants the windows' exact edges. */
const NO_GUARD = { guardMs: 0 } as const;

/**
 * Independent auditor: the most sends any half-open interval [x, x + width) holds, over every x.
 * The maximum is reached with x at a send, so trying each send as the left edge is exhaustive.
 */
function busiestInterval(sends: readonly number[], width: number): number {
    let busiest = 0;
    for (const left of sends) {
        const inside = sends.filter((send) => send >= left && send < left + width).length;
        busiest = Math.max(busiest, inside);
    }
    return busiest;
}

/** True when no interval of any window (widened by the guard) holds more than its max. */
function withinEveryWindow(sends: readonly number[], limits: readonly SlidingWindowLimit[], guardMs: number): boolean {
    return limits.every((limit) => busiestInterval(sends, limit.windowMs + guardMs) <= limit.max);
}

/**
 * Independent feasibility check of one more send at `t`: every interval containing `t` keeps within
 * its max. Only intervals whose left edge is at a send no later than `t` (or at `t`) need trying.
 */
function sendFitsAt(history: readonly number[], t: number, limits: readonly SlidingWindowLimit[], guardMs: number): boolean {
    const sends = [...history, t];
    return limits.every((limit) => {
        const width = limit.windowMs + guardMs;
        return sends
            .filter((left) => left <= t && left > t - width)
            .every((left) => sends.filter((send) => send >= left && send < left + width).length <= limit.max);
    });
}

/** Brute force: the earliest feasible time among now and every window edge after a send. */
function earliestFeasible(history: readonly number[], now: number, limits: readonly SlidingWindowLimit[], guardMs: number): number {
    const candidates = [now, ...history.flatMap((send) => limits.map((limit) => send + limit.windowMs + guardMs))]
        .filter((candidate) => candidate >= now)
        .sort((a, b) => a - b);
    const found = candidates.find((candidate) => sendFitsAt(history, candidate, limits, guardMs));
    if (found === undefined) {
        throw new Error('no feasible candidate: the brute force missed one');
    }
    return found;
}

/** A sender with a backlog that always sends at the earliest allowed time; returns its send times. */
function greedySends(count: number, start: number, limits: readonly SlidingWindowLimit[], guardMs: number): number[] {
    const sends: number[] = [];
    let now = start;
    for (let sent = 0; sent < count; sent += 1) {
        now = nextSendTime(sends, now, limits, { guardMs });
        sends.push(now);
    }
    return sends;
}

/** Small random limit sets, so the properties exercise every window shape quickly. */
const arbitraryLimits = fc.array(
    fc.record({
        windowMs: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 20 }).map((tenths) => tenths * 100)),
        max: fc.integer({ min: 1, max: 6 }),
    }),
    { minLength: 1, maxLength: 4 },
);

/** Random send histories around T0, unsorted, with duplicates and entries after `now`. */
const arbitraryHistory = fc.array(
    fc.oneof(
        fc.integer({ min: T0 - 4_000, max: T0 + 2_000 }),
        fc.integer({ min: -40, max: 20 }).map((tenths) => T0 + tenths * 100),
    ),
    { maxLength: 24 },
);

/** Guards, often zero or on the same 100 ms grid, so sends exactly one window apart occur often. */
const arbitraryGuard = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 }), fc.constant(100));

describe('TEAMS_WEBHOOK_LIMITS', () => {
    it('lists the five windows of the Teams incoming-webhook table', () => {
        expect(TEAMS_WEBHOOK_LIMITS).toEqual([
            { windowMs: 1_000, max: 4 },
            { windowMs: 30_000, max: 60 },
            { windowMs: 3_600_000, max: 100 },
            { windowMs: 7_200_000, max: 150 },
            { windowMs: 86_400_000, max: 1_800 },
        ]);
    });
});

describe('nextSendTime', () => {
    it('allows a send at once when there is no history', () => {
        expect(nextSendTime([], T0)).toBe(T0);
    });

    it('allows four sends within one second', () => {
        expect(nextSendTime([T0, T0, T0], T0)).toBe(T0);
    });

    it('holds the fifth send of a burst until the first leaves the 1 s window widened by the guard', () => {
        expect(nextSendTime([T0, T0 + 10, T0 + 20, T0 + 30], T0 + 40)).toBe(T0 + SECOND + DEFAULT_JITTER_GUARD_MS);
    });

    it('lets a send fall between two sends exactly one window apart, since no window holds both', () => {
        expect(nextSendTime([T0 - 500, T0 + 500], T0, [{ windowMs: SECOND, max: 2 }], NO_GUARD)).toBe(T0);
    });

    it('uses a 50 ms guard by default', () => {
        expect(DEFAULT_JITTER_GUARD_MS).toBe(50);
    });

    it('without a guard allows a send exactly one window after the send it displaces', () => {
        expect(nextSendTime([T0, T0, T0, T0], T0, TEAMS_WEBHOOK_LIMITS, NO_GUARD)).toBe(T0 + SECOND);
    });

    it('widens the window by a custom guard', () => {
        expect(nextSendTime([T0, T0, T0, T0], T0, TEAMS_WEBHOOK_LIMITS, { guardMs: 200 })).toBe(T0 + SECOND + 200);
    });

    it('also widens the long windows by the guard, since jitter moves a send across any window edge', () => {
        const sixtyInOneBurst = Array.from({ length: 60 }, () => T0);
        expect(nextSendTime(sixtyInOneBurst, T0 + 20_000, [{ windowMs: HALF_MINUTE, max: 60 }], { guardMs: 75 })).toBe(
            T0 + HALF_MINUTE + 75,
        );
    });

    it('sends sixty at four per second, then holds the 61st for the 30 s window', () => {
        const sends = greedySends(61, T0, TEAMS_WEBHOOK_LIMITS, 0);
        expect(sends.slice(0, 4)).toEqual([T0, T0, T0, T0]);
        expect(sends[59]).toBe(T0 + 14 * SECOND);
        expect(sends[60]).toBe(T0 + HALF_MINUTE);
    });

    it('sends the 100th within the first hour, then holds the 101st for the hour window', () => {
        const sends = greedySends(101, T0, TEAMS_WEBHOOK_LIMITS, 0);
        expect(sends[99]).toBeLessThan(T0 + 3 * HALF_MINUTE);
        expect(sends[100]).toBe(T0 + HOUR);
    });

    it('holds the 1801st send of a day until the first send leaves the 24 h window', () => {
        const sends = greedySends(1_801, T0, TEAMS_WEBHOOK_LIMITS, 0);
        expect(sends[1_799]).toBeLessThan(T0 + DAY);
        expect(sends[1_800]).toBe(T0 + DAY);
    });

    it('under a backlog reaches the full daily budget of 1800 sends in 24 hours', () => {
        const sends = greedySends(1_800, T0, TEAMS_WEBHOOK_LIMITS, DEFAULT_JITTER_GUARD_MS);
        expect(nonLast(sends)).toBeLessThan(T0 + DAY);
    });

    it('does not wait when budget is free after an idle spell', () => {
        expect(nextSendTime([T0, T0 + 10, T0 + 20, T0 + 30], T0 + 5_000)).toBe(T0 + 5_000);
    });

    it('accepts an unsorted history', () => {
        expect(nextSendTime([T0 + 30, T0, T0 + 20, T0 + 10], T0 + 40, TEAMS_WEBHOOK_LIMITS, NO_GUARD)).toBe(T0 + SECOND);
    });

    it('counts sends recorded after now, such as another instance sending with a clock ahead of ours', () => {
        const ahead = [T0 + 100, T0 + 100, T0 + 100, T0 + 100];
        expect(nextSendTime(ahead, T0, TEAMS_WEBHOOK_LIMITS, NO_GUARD)).toBe(T0 + 100 + SECOND);
    });

    it('allows a send before future sends when it keeps a full window clear of them', () => {
        const ahead = [T0 + 5_000, T0 + 5_000, T0 + 5_000, T0 + 5_000];
        expect(nextSendTime(ahead, T0, TEAMS_WEBHOOK_LIMITS, NO_GUARD)).toBe(T0);
    });

    it('refuses a send that would crowd the window of sends made a moment later', () => {
        const ahead = [T0 + 500, T0 + 500, T0 + 500, T0 + 500];
        expect(nextSendTime(ahead, T0, TEAMS_WEBHOOK_LIMITS, NO_GUARD)).toBe(T0 + 500 + SECOND);
    });

    it('fits a send into a gap between past and future sends when the gap is wide enough', () => {
        const limits = [{ windowMs: SECOND, max: 2 }];
        expect(nextSendTime([T0, T0, T0 + 3_000, T0 + 3_000], T0 + 100, limits, NO_GUARD)).toBe(T0 + SECOND);
    });

    it('skips a gap between past and future sends that is too narrow', () => {
        const limits = [{ windowMs: SECOND, max: 2 }];
        expect(nextSendTime([T0, T0, T0 + 1_500, T0 + 1_500], T0 + 100, limits, NO_GUARD)).toBe(T0 + 1_500 + SECOND);
    });

    it('rejects a time that is not a finite number', () => {
        expect(() => nextSendTime([T0, Number.NaN], T0)).toThrow(SystemError);
        expect(() => nextSendTime([], Number.POSITIVE_INFINITY)).toThrow(SystemError);
    });

    it('rejects a window that allows no send', () => {
        expect(() => nextSendTime([], T0, [{ windowMs: SECOND, max: 0 }])).toThrow(SystemError);
    });

    it('rejects a negative guard', () => {
        expect(() => nextSendTime([], T0, TEAMS_WEBHOOK_LIMITS, { guardMs: -1 })).toThrow(SystemError);
    });

    describe('properties', () => {
        it('a greedy sender on random arrivals never exceeds any window', () => {
            fc.assert(
                fc.property(
                    arbitraryLimits,
                    arbitraryGuard,
                    fc.array(fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.constant(0)), { minLength: 1, maxLength: 40 }),
                    (limits, guardMs, gaps) => {
                        const sends: number[] = [];
                        let arrival: number = T0;
                        let ready: number = T0;
                        for (const gap of gaps) {
                            arrival += gap;
                            const sent = nextSendTime(sends, Math.max(arrival, ready), limits, { guardMs });
                            sends.push(sent);
                            ready = sent;
                        }
                        return withinEveryWindow(sends, limits, guardMs);
                    },
                ),
                { numRuns: 300 },
            );
        });

        it('a greedy sender with the Teams windows never exceeds any of them', () => {
            fc.assert(
                fc.property(fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 160 }), (gaps) => {
                    const sends: number[] = [];
                    let arrival: number = T0;
                    for (const gap of gaps) {
                        arrival += gap;
                        sends.push(nextSendTime(sends, Math.max(arrival, sends.at(-1) ?? arrival)));
                    }
                    return withinEveryWindow(sends, TEAMS_WEBHOOK_LIMITS, DEFAULT_JITTER_GUARD_MS);
                }),
                { numRuns: 40 },
            );
        });

        it('the answer is a time at which one more send fits, whatever the history', () => {
            fc.assert(
                fc.property(arbitraryLimits, arbitraryHistory, arbitraryGuard, (limits, history, guardMs) => {
                    return sendFitsAt(history, nextSendTime(history, T0, limits, { guardMs }), limits, guardMs);
                }),
                { numRuns: 300 },
            );
        });

        it('the answer is never later than the earliest feasible time found by brute force', () => {
            fc.assert(
                fc.property(arbitraryLimits, arbitraryHistory, arbitraryGuard, (limits, history, guardMs) => {
                    return nextSendTime(history, T0, limits, { guardMs }) <= earliestFeasible(history, T0, limits, guardMs);
                }),
                { numRuns: 300 },
            );
        });

        it('the answer is never earlier than now', () => {
            fc.assert(
                fc.property(arbitraryLimits, arbitraryHistory, fc.integer({ min: T0 - 5_000, max: T0 + 5_000 }), (limits, history, now) => {
                    return nextSendTime(history, now, limits) >= now;
                }),
                { numRuns: 300 },
            );
        });

        it('the answer does not depend on the order of the history', () => {
            fc.assert(
                fc.property(arbitraryLimits, arbitraryHistory, (limits, history) => {
                    const sorted = [...history].sort((a, b) => a - b);
                    return nextSendTime(history, T0, limits) === nextSendTime(sorted, T0, limits);
                }),
                { numRuns: 200 },
            );
        });
    });
});

describe('windowUsage', () => {
    it('reports used and remaining sends per window', () => {
        const usage = windowUsage([T0, T0 + 500], T0 + 900);
        expect(usage[0]).toEqual({ windowMs: SECOND, max: 4, used: 2, remaining: 2 });
        expect(usage[4]).toEqual({ windowMs: DAY, max: 1_800, used: 2, remaining: 1_798 });
    });

    it('stops counting a send once it is a full window old', () => {
        expect(windowUsage([T0], T0 + SECOND)[0]?.used).toBe(0);
        expect(windowUsage([T0], T0 + SECOND - 1)[0]?.used).toBe(1);
    });

    it('counts sends recorded after now', () => {
        expect(windowUsage([T0 + 100], T0)[0]?.used).toBe(1);
    });

    it('never reports a negative remainder when the history is over the limit', () => {
        expect(windowUsage([T0, T0, T0, T0, T0, T0], T0)[0]).toEqual({ windowMs: SECOND, max: 4, used: 6, remaining: 0 });
    });
});

describe('pruneHistory', () => {
    const defaultGuard = { guardMs: DEFAULT_JITTER_GUARD_MS } as const;

    it('drops sends older than the longest window and its guard', () => {
        const old = T0 - DAY - DEFAULT_JITTER_GUARD_MS;
        expect(pruneHistory([old, old + 1, T0], T0, TEAMS_WEBHOOK_LIMITS, defaultGuard)).toEqual([old + 1, T0]);
    });

    it('keeps a send the 24 h window counts only because of a wide guard', () => {
        const insideGuard = T0 - DAY - MAX_JITTER_GUARD_MS + 1;
        expect(pruneHistory([insideGuard, T0], T0, TEAMS_WEBHOOK_LIMITS, { guardMs: MAX_JITTER_GUARD_MS })).toEqual([insideGuard, T0]);
        expect(pruneHistory([insideGuard, T0], T0, TEAMS_WEBHOOK_LIMITS, defaultGuard)).toEqual([T0]);
    });

    it('returns the kept sends ascending', () => {
        expect(pruneHistory([T0 + 2, T0, T0 + 1], T0, TEAMS_WEBHOOK_LIMITS, defaultGuard)).toEqual([T0, T0 + 1, T0 + 2]);
    });

    it('keeps exactly what the decision needs, whatever the guard', () => {
        fc.assert(
            fc.property(arbitraryLimits, arbitraryHistory, arbitraryGuard, (limits, history, guardMs) => {
                const options = { guardMs };
                return nextSendTime(pruneHistory(history, T0, limits, options), T0, limits, options) === nextSendTime(history, T0, limits, options);
            }),
            { numRuns: 200 },
        );
    });

    it('pruned with the widest allowed guard, serves a decision with any narrower guard', () => {
        fc.assert(
            fc.property(arbitraryLimits, arbitraryHistory, fc.integer({ min: 0, max: MAX_JITTER_GUARD_MS }), (limits, history, guardMs) => {
                const kept = pruneHistory(history, T0, limits, { guardMs: MAX_JITTER_GUARD_MS });
                return nextSendTime(kept, T0, limits, { guardMs }) === nextSendTime(history, T0, limits, { guardMs });
            }),
            { numRuns: 200 },
        );
    });
});

/** The last element of a non-empty array. */
function nonLast(values: readonly number[]): number {
    const last = values.at(-1);
    if (last === undefined) {
        throw new Error('expected a non-empty array');
    }
    return last;
}
