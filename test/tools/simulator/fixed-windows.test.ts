/** Fixed-window throttling on the injected clock: the five windows of docs/teams-facts.md, offsets, block, counting. */
import { describe, expect, it } from 'vitest';
import type { TeamsSimulator } from '../../../tools/simulator/index.js';
import { DAY_START, ManualClock, post, useSimulators } from './harness.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;

async function send(sim: TeamsSimulator, name = 'ops'): Promise<string> {
    const answer = await post(sim.connectorUrl(name), { text: 'x' });
    if (answer.text === '1') return 'delivered';
    return answer.text.includes('HTTP error 429') ? 'throttled' : answer.text;
}

/** Sets the clock to `sinceDayStart` ms into the simulated day, then sends to `sim`'s ops webhook. */
async function sendAt(clock: ManualClock, sinceDayStart: number, sim: TeamsSimulator): Promise<string> {
    clock.now = DAY_START + sinceDayStart;
    return send(sim);
}

describe('fixed windows', () => {
    const start = useSimulators();

    it('passes 4 in a second, throttles the 5th, and passes again the next second', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const outcomes = [];
        for (let i = 0; i < 5; i += 1) {
            outcomes.push(await send(sim));
            clock.advance(100);
        }
        expect(outcomes).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'throttled']);
        expect(await sendAt(clock, SECOND, sim)).toBe('delivered');
    });

    it('throttles the 61st request of a 30 s window', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        for (let i = 0; i < 60; i += 1) {
            expect(await sendAt(clock, Math.floor(i / 4) * SECOND, sim)).toBe('delivered');
        }
        expect(await sendAt(clock, 15 * SECOND, sim)).toBe('throttled');
        expect(await sendAt(clock, 30 * SECOND, sim)).toBe('delivered');
    });

    it('throttles the 101st request of an hour though every 30 s window has room', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        for (let i = 0; i < 100; i += 1) {
            expect(await sendAt(clock, i * 30 * SECOND, sim)).toBe('delivered');
        }
        expect(sim.stats('ops').delivered).toBe(100);
        expect(await sendAt(clock, 100 * 30 * SECOND - 1, sim)).toBe('throttled');
        expect(await sendAt(clock, HOUR + 1_500 * SECOND, sim)).toBe('delivered');
    });

    it('counts each webhook separately', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [{ windowMs: SECOND, max: 1 }] });
        expect(await send(sim, 'ops')).toBe('delivered');
        expect(await send(sim, 'dev')).toBe('delivered');
        expect((await post(sim.workflowsUrl('ops'), { type: 'message', attachments: [{ contentType: 'x', contentUrl: null, content: {} }] })).status).toBe(202);
        expect(await send(sim, 'ops')).toBe('throttled');
    });

    it('moves window boundaries with windowOffsetsMs', async () => {
        const clock = new ManualClock();
        const aligned = await start({ clock: clock.read });
        const shifted = await start({ clock: clock.read, windowOffsetsMs: [500] });
        for (const ms of [100, 200, 300, 400]) {
            clock.now = DAY_START + ms;
            await send(aligned);
            await send(shifted);
        }
        expect(await sendAt(clock, 600, aligned)).toBe('throttled');
        expect(await send(shifted)).toBe('delivered');
        expect(await sendAt(clock, 1_100, aligned)).toBe('delivered');
    });

    it('applies a single offset number to every window', async () => {
        const clock = new ManualClock();
        const limits = [{ windowMs: SECOND, max: 10 }, { windowMs: 10 * SECOND, max: 1 }];
        const sim = await start({ clock: clock.read, limits, windowOffsetsMs: 3 * SECOND });
        expect(await sendAt(clock, 2_900, sim)).toBe('delivered');
        expect(await sendAt(clock, 3_000, sim)).toBe('delivered');
        expect(await sendAt(clock, 12_999, sim)).toBe('throttled');
    });

    it('counts throttled requests in every window by default', async () => {
        const clock = new ManualClock();
        const limits = [{ windowMs: SECOND, max: 1 }, { windowMs: 10 * SECOND, max: 3 }];
        const counting = await start({ clock: clock.read, limits });
        const lenient = await start({ clock: clock.read, limits, countThrottled: false });
        const trace = [];
        for (const at of [0, 1, 1_000, 2_000]) {
            clock.now = DAY_START + at;
            trace.push([await send(counting), await send(lenient)]);
        }
        expect(trace).toEqual([
            ['delivered', 'delivered'],
            ['throttled', 'throttled'],
            ['delivered', 'delivered'],
            ['throttled', 'delivered'],
        ]);
    });

    it('blocks a webhook for blockAfterThrottleMs after it exceeds the 30 s window', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, blockAfterThrottleMs: 3 * HOUR });
        for (let i = 0; i < 60; i += 1) {
            clock.now = DAY_START + Math.floor(i / 4) * SECOND;
            await send(sim);
        }
        expect(await sendAt(clock, 15 * SECOND, sim)).toBe('throttled');
        expect(await sendAt(clock, 2 * HOUR, sim)).toBe('throttled');
        expect(sim.received('ops').at(-1)?.reason).toMatch(/^blocked until/);
        expect(await sendAt(clock, 15 * SECOND + 3 * HOUR, sim)).toBe('delivered');
    });

    it('does not block after exceeding only the 1 s window', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, blockAfterThrottleMs: 3 * HOUR });
        for (let i = 0; i < 5; i += 1) await send(sim);
        expect(await sendAt(clock, SECOND, sim)).toBe('delivered');
    });
});
