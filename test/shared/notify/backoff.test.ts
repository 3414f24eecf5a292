/** Specification of retry timing: full-jitter exponential back-off for transient failures and the back-off of a throttled webhook. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
    DEFAULT_RETRY_BASE_MS,
    DEFAULT_RETRY_MAX_MS,
    DEFAULT_THROTTLE_INITIAL_MS,
    DEFAULT_THROTTLE_MAX_MS,
    retryDelay,
    retryDelayCeiling,
    throttleBackoff,
} from '../../../shared/notify/backoff.js';

const lowest = (): number => 0;
const middle = (): number => 0.5;
const highest = (): number => 1;

const attempt = fc.integer({ min: -3, max: 80 });
const base = fc.integer({ min: 1, max: 10_000 });
const cap = fc.integer({ min: 1, max: 3_600_000 });
const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe('retryDelay', () => {
    it('waits nothing when the random draw is 0', () => {
        expect(retryDelay(5, { random: lowest })).toBe(0);
    });

    it('waits half the ceiling when the draw is 0.5', () => {
        expect(retryDelay(3, { baseMs: 1_000, maxMs: 60_000, random: middle })).toBe(2_000);
    });

    it('waits the whole ceiling when the draw is 1', () => {
        expect(retryDelay(3, { baseMs: 1_000, maxMs: 60_000, random: highest })).toBe(4_000);
    });

    it('starts from a 2 s ceiling and stops growing at 5 min by default', () => {
        expect(DEFAULT_RETRY_BASE_MS).toBe(2_000);
        expect(DEFAULT_RETRY_MAX_MS).toBe(300_000);
        expect(retryDelay(1, { random: highest })).toBe(2_000);
        expect(retryDelay(30, { random: highest })).toBe(300_000);
    });

    it('treats an attempt below 1 as the first', () => {
        expect(retryDelay(0, { baseMs: 1_000, random: highest })).toBe(1_000);
        expect(retryDelay(-2, { baseMs: 1_000, random: highest })).toBe(1_000);
    });

    it('clamps a random draw outside [0, 1]', () => {
        expect(retryDelay(1, { baseMs: 1_000, random: () => 7 })).toBe(1_000);
        expect(retryDelay(1, { baseMs: 1_000, random: () => -1 })).toBe(0);
    });

    it('stays within the ceiling after very many attempts', () => {
        expect(retryDelay(10_000, { baseMs: 1_000, maxMs: 60_000, random: highest })).toBe(60_000);
        expect(retryDelay(Number.POSITIVE_INFINITY, { baseMs: 1_000, maxMs: 60_000, random: highest })).toBe(60_000);
    });

    describe('properties', () => {
        it('is a whole number of milliseconds in [0, ceiling]', () => {
            fc.assert(
                fc.property(attempt, base, cap, unit, (n, baseMs, maxMs, draw) => {
                    const delay = retryDelay(n, { baseMs, maxMs, random: () => draw });
                    return Number.isInteger(delay) && delay >= 0 && delay <= retryDelayCeiling(n, { baseMs, maxMs }) && delay <= maxMs;
                }),
            );
        });

        it('has a ceiling that never decreases with the attempt', () => {
            fc.assert(
                fc.property(attempt, base, cap, (n, baseMs, maxMs) => {
                    return retryDelayCeiling(n + 1, { baseMs, maxMs }) >= retryDelayCeiling(n, { baseMs, maxMs });
                }),
            );
        });

        it('has a ceiling that doubles until it reaches the maximum', () => {
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 40 }), base, cap, (n, baseMs, maxMs) => {
                    const next = retryDelayCeiling(n + 1, { baseMs, maxMs });
                    return next === Math.min(maxMs, 2 * retryDelayCeiling(n, { baseMs, maxMs }));
                }),
            );
        });

        it('with the same draw, never waits less for a later attempt', () => {
            fc.assert(
                fc.property(attempt, base, cap, unit, (n, baseMs, maxMs, draw) => {
                    const options = { baseMs, maxMs, random: () => draw };
                    return retryDelay(n + 1, options) >= retryDelay(n, options);
                }),
            );
        });
    });
});

describe('throttleBackoff', () => {
    it('holds a webhook for the 30 s window after its first throttled answer', () => {
        expect(DEFAULT_THROTTLE_INITIAL_MS).toBe(30_000);
        expect(throttleBackoff(1)).toBe(30_000);
    });

    it('doubles with each throttled answer in a row', () => {
        expect([1, 2, 3, 4, 5].map((count) => throttleBackoff(count))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    });

    it('stops growing at one hour', () => {
        expect(DEFAULT_THROTTLE_MAX_MS).toBe(3_600_000);
        expect(throttleBackoff(7)).toBe(1_920_000);
        expect(throttleBackoff(8)).toBe(3_600_000);
        expect(throttleBackoff(1_000)).toBe(3_600_000);
    });

    it('treats a count below 1 as the first throttle', () => {
        expect(throttleBackoff(0)).toBe(30_000);
    });

    it('takes its own start and maximum', () => {
        expect(throttleBackoff(3, { initialMs: 1_000, maxMs: 3_000 })).toBe(3_000);
    });

    it('never decreases and stays between the start and the maximum', () => {
        fc.assert(
            fc.property(attempt, (count) => {
                const backoff = throttleBackoff(count);
                return (
                    backoff >= DEFAULT_THROTTLE_INITIAL_MS &&
                    backoff <= DEFAULT_THROTTLE_MAX_MS &&
                    throttleBackoff(count + 1) >= backoff
                );
            }),
        );
    });
});
