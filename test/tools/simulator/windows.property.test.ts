/** Properties of the simulator's window arithmetic: the sliding log behind connection budgets, and when fixed windows reopen. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WindowLimit } from '../../../tools/simulator/index.js';
import { FixedWindowCounter, SlidingWindowLog, findSlidingWindowViolations } from '../../../tools/simulator/windows.js';

const limit = fc.record({ windowMs: fc.integer({ min: 1, max: 600_000 }), max: fc.integer({ min: 0, max: 30 }) });
const limits = fc.array(limit, { minLength: 1, maxLength: 3 });
/** Arrival times, sorted, with repeats (several requests in one millisecond). */
const arrivals = fc.array(fc.integer({ min: 0, max: 2_000_000 }), { maxLength: 200 }).map((times) => times.sort((a, b) => a - b));

describe('SlidingWindowLog', () => {
    it('admits only what keeps every sliding interval within its max, and refuses only what would break one', () => {
        fc.assert(
            fc.property(limits, arrivals, (windows: WindowLimit[], times) => {
                const log = new SlidingWindowLog(windows);
                const admitted: number[] = [];
                for (const time of times) {
                    const exceeded = log.exceeded(time);
                    if (exceeded === undefined) {
                        log.add(time);
                        admitted.push(time);
                    } else {
                        expect(findSlidingWindowViolations([...admitted, time], [exceeded.limit])).not.toEqual([]);
                    }
                }
                expect(findSlidingWindowViolations(admitted, windows)).toEqual([]);
            }),
            { numRuns: 300 },
        );
    });

    it('refuses nothing from a stream that keeps every window', () => {
        fc.assert(
            fc.property(limits, arrivals, (windows: WindowLimit[], times) => {
                fc.pre(findSlidingWindowViolations(times, windows).length === 0);
                const log = new SlidingWindowLog(windows);
                for (const time of times) {
                    expect(log.exceeded(time)).toBeUndefined();
                    log.add(time);
                }
            }),
            { numRuns: 300 },
        );
    });
});

describe('FixedWindowCounter.reopensAt', () => {
    it('names the first moment a request passes again, when nothing more is counted', () => {
        fc.assert(
            fc.property(limits, fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 3 }), arrivals, fc.nat(100_000), (windows: WindowLimit[], offsets, times, after) => {
                const counter = new FixedWindowCounter(windows, offsets);
                for (const time of times) counter.add(time);
                const now = (times.at(-1) ?? 0) + after;
                const reopens = counter.reopensAt(now);
                expect(reopens).toBeGreaterThanOrEqual(now);
                const passes = windows.every((window) => window.max > 0);
                if (passes) expect(counter.exceeded(reopens)).toBeUndefined();
                if (reopens > now) expect(counter.exceeded(reopens - 1)).toBeDefined();
                else expect(counter.exceeded(now) === undefined || !passes).toBe(true);
            }),
            { numRuns: 300 },
        );
    });
});
