/** The sliding-window auditor: catches bursts that fixed windows let through. */
import { describe, expect, it } from 'vitest';
import { findSlidingWindowViolations } from '../../../tools/simulator/index.js';
import { DAY_START, ManualClock, post, useSimulators } from './harness.js';

const ONE_SECOND_FOUR = { windowMs: 1_000, max: 4 };

describe('sliding-window audit', () => {
    const start = useSimulators();

    it('flags a burst across a fixed-window boundary that the fixed windows delivered', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        for (const ms of [900, 930, 960, 990, 1_000, 1_030, 1_060, 1_090]) {
            clock.now = DAY_START + ms;
            expect((await post(sim.connectorUrl('ops'), { text: 'x' })).text).toBe('1');
        }
        expect(sim.violations('ops')).toEqual([
            { windowMs: 1_000, max: 4, count: 8, from: DAY_START + 900, to: DAY_START + 1_090 },
        ]);
    });

    it('finds nothing in a trace that keeps every sliding window', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        for (let i = 0; i < 20; i += 1) {
            clock.now = DAY_START + i * 250;
            await post(sim.connectorUrl('ops'), { text: 'x' });
        }
        expect(sim.stats('ops').delivered).toBe(20);
        expect(sim.violations('ops')).toEqual([]);
    });

    it('audits delivered and throttled requests but not rejected or faulted ones', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        sim.inject('ops', { fault: 'status503', times: 2 });
        for (let i = 0; i < 2; i += 1) await post(sim.connectorUrl('ops'), { text: 'x' });
        for (let i = 0; i < 2; i += 1) await post(sim.connectorUrl('ops'), 'not json');
        for (let i = 0; i < 5; i += 1) await post(sim.connectorUrl('ops'), { text: 'x' });
        expect(sim.stats('ops')).toMatchObject({ fault: 2, rejected: 2, delivered: 4, throttled: 1 });
        expect(sim.violations('ops')).toMatchObject([{ windowMs: 1_000, count: 5 }]);
        expect(sim.violations('ops', [ONE_SECOND_FOUR], ['delivered'])).toEqual([]);
    });

    it('treats windows as half-open: arrivals exactly one window apart do not share it', () => {
        expect(findSlidingWindowViolations([0, 1, 2, 3, 1_000], [ONE_SECOND_FOUR])).toEqual([]);
        expect(findSlidingWindowViolations([0, 1, 2, 3, 999], [ONE_SECOND_FOUR])).toHaveLength(1);
    });

    it('reports one violation per overlapping stretch, with its worst interval', () => {
        const burst = [0, 10, 20, 30, 40, 50];
        const later = burst.map((ms) => ms + 10_000);
        expect(findSlidingWindowViolations([...burst, ...later], [ONE_SECOND_FOUR])).toEqual([
            { windowMs: 1_000, max: 4, count: 6, from: 0, to: 50 },
            { windowMs: 1_000, max: 4, count: 6, from: 10_000, to: 10_050 },
        ]);
    });

    it('checks every window and accepts unsorted arrivals', () => {
        const thirty = Array.from({ length: 61 }, (_, i) => (60 - i) * 400);
        expect(findSlidingWindowViolations(thirty, [ONE_SECOND_FOUR, { windowMs: 30_000, max: 60 }])).toEqual([
            { windowMs: 30_000, max: 60, count: 61, from: 0, to: 24_000 },
        ]);
    });
});
