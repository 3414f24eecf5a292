/** Injected faults: each kind in both dialects, scripted counts, seeded random rates, scoping. */
import { describe, expect, it } from 'vitest';
import {
    CONNECTOR_WRAPPER_PREFIX,
    DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS,
    WORKFLOWS_THROTTLED_CODE,
    type FaultKind,
    type FaultSpec,
    type TeamsSimulator,
} from '../../../tools/simulator/index.js';
import { card, envelope, ManualClock, post, useSimulators } from './harness.js';

const SECOND = 1_000;

async function sendText(sim: TeamsSimulator, name = 'ops'): Promise<string> {
    return (await post(sim.connectorUrl(name), { text: 'x' })).text;
}

describe('injected faults', () => {
    const start = useSimulators();

    it.each([
        ['status503', 503, 'Service Unavailable'],
        ['wrapped500', 200, `${CONNECTOR_WRAPPER_PREFIX} 500 with`],
        ['throttle', 200, `${CONNECTOR_WRAPPER_PREFIX} 429 with`],
        ['wrapped413', 200, `${CONNECTOR_WRAPPER_PREFIX} 413 with`],
        ['wrapped400', 200, `${CONNECTOR_WRAPPER_PREFIX} 400 with`],
        ['gone', 410, ''],
    ] as const)('%s answers a connector request with %i', async (fault: FaultKind, status, text) => {
        const sim = await start();
        sim.inject('ops', { fault });
        const answer = await post(sim.connectorUrl('ops'), { text: 'x' });
        expect(answer.status).toBe(status);
        expect(answer.text.startsWith(text)).toBe(true);
        expect(sim.received('ops')).toMatchObject([{ outcome: 'fault', fault, status }]);
    });

    it.each([
        ['status503', 503],
        ['wrapped500', 500],
        ['throttle', 429],
        ['wrapped413', 413],
        ['wrapped400', 400],
        ['gone', 410],
    ] as const)('%s answers a Workflows request with the bare status %i', async (fault: FaultKind, status) => {
        const sim = await start();
        sim.inject('*', { fault });
        const answer = await post(sim.workflowsUrl('ops'), envelope(card()));
        expect(answer.status).toBe(status);
        if (fault === 'throttle') expect(answer.text).toContain(WORKFLOWS_THROTTLED_CODE);
    });

    it('throttles a Workflows trigger with a real 429 and the default Retry-After', async () => {
        const sim = await start();
        sim.inject('ops', { fault: 'throttle', times: 1 });
        const response = await fetch(sim.workflowsUrl('ops'), { method: 'POST', body: JSON.stringify(envelope(card())) });
        expect(response.status).toBe(429);
        expect(response.headers.get('retry-after')).toBe(String(DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS));
        expect(sim.received('ops')).toMatchObject([{ outcome: 'fault', fault: 'throttle', status: 429 }]);
        expect(sim.received('ops')[0]).not.toHaveProperty('flowPost');
    });

    it.each([
        ['throttle', { seconds: 20 }, 429, '20'],
        ['throttle', { seconds: 20, format: 'http-date' }, 429, 'Thu, 23 Nov 2023 00:00:21 GMT'],
        ['throttle', 'none', 429, null],
        ['status503', { seconds: 120 }, 503, '120'],
        ['status503', undefined, 503, null],
    ] as const)('%s with retryAfter %j gives a Workflows %i with Retry-After %s', async (fault, retryAfter, status, header) => {
        const clock = new ManualClock(Date.UTC(2023, 10, 23, 0, 0, 0, 400));
        const sim = await start({ clock: clock.read });
        sim.inject('*', { fault, ...(retryAfter === undefined ? {} : { retryAfter }) });
        const response = await fetch(sim.workflowsUrl('ops'), { method: 'POST', body: JSON.stringify(envelope(card())) });
        expect(response.status).toBe(status);
        const value = response.headers.get('retry-after');
        expect(value).toBe(header);
        if (typeof retryAfter === 'object' && 'format' in retryAfter) {
            expect(Date.parse(value ?? '') - clock.now).toBeGreaterThanOrEqual(retryAfter.seconds * 1_000);
        }
    });

    it('never puts Retry-After on a connector answer, as Teams sends none', async () => {
        const sim = await start();
        sim.inject('*', { fault: 'status503', retryAfter: { seconds: 30 } });
        const response = await fetch(sim.connectorUrl('ops'), { method: 'POST', body: JSON.stringify({ text: 'x' }) });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBeNull();
    });

    it('reset destroys the socket without an answer', async () => {
        const sim = await start();
        sim.inject('ops', { fault: 'reset', times: 1 });
        await expect(post(sim.connectorUrl('ops'), { text: 'x' })).rejects.toThrow(TypeError);
        expect(sim.received('ops')).toMatchObject([{ outcome: 'fault', fault: 'reset', status: 0, answer: '' }]);
        expect(await sendText(sim)).toBe('1');
    });

    it('hang never answers, and stop() ends the hung request', async () => {
        const sim = await start();
        sim.inject('ops', { fault: 'hang' });
        const pending = post(sim.connectorUrl('ops'), { text: 'x' });
        const [record] = await sim.waitForRequests(1, 'ops');
        expect(record).toMatchObject({ outcome: 'fault', fault: 'hang', status: 0 });
        await sim.stop();
        await expect(pending).rejects.toThrow(TypeError);
    });

    it('hang with delayMs gives the normal answer late and records its real outcome', async () => {
        const sim = await start();
        sim.inject('ops', { fault: 'hang', delayMs: 20, times: 1 });
        expect(await post(sim.connectorUrl('ops'), { text: 'x' })).toMatchObject({ status: 200, text: '1' });
        expect(sim.received('ops')).toMatchObject([{ outcome: 'delivered', fault: 'hang', status: 200 }]);
    });

    it('forced throttling does not touch the window counters', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [{ windowMs: SECOND, max: 1 }] });
        sim.inject('ops', { fault: 'throttle', times: 3 });
        for (let i = 0; i < 3; i += 1) expect(await sendText(sim)).toContain('HTTP error 429');
        expect(await sendText(sim)).toBe('1');
        expect(sim.stats('ops')).toEqual({ delivered: 1, throttled: 0, rejected: 0, fault: 3, total: 4, throttledInFlow: 0, notRendered: 0 });
    });

    it('scripts consecutive requests with times, in injection order', async () => {
        const sim = await start();
        sim.inject('ops', { fault: 'status503', times: 1 });
        sim.inject('ops', { fault: 'wrapped500', times: 2 });
        const statuses = [];
        for (let i = 0; i < 4; i += 1) statuses.push(await sendText(sim));
        expect(statuses.map((text) => (text.includes('HTTP error 500') ? 500 : text))).toEqual(['Service Unavailable', 500, 500, '1']);
    });

    it('applies a webhook rule before a global one and leaves other webhooks to the global one', async () => {
        const sim = await start();
        sim.inject('*', { fault: 'gone' });
        sim.inject('ops', { fault: 'status503', times: 1 });
        expect((await post(sim.connectorUrl('ops'), { text: 'x' })).status).toBe(503);
        expect((await post(sim.connectorUrl('ops'), { text: 'x' })).status).toBe(410);
        expect((await post(sim.connectorUrl('dev'), { text: 'x' })).status).toBe(410);
    });

    it('clearFaults removes every rule, and the returned function removes one', async () => {
        const sim = await start();
        const removeRule = sim.inject('ops', { fault: 'gone' });
        removeRule();
        expect(await sendText(sim)).toBe('1');
        sim.inject('*', { fault: 'gone' });
        sim.clearFaults();
        expect(await sendText(sim)).toBe('1');
    });

    it('draws random faults from a seeded RNG, the same for the same seed', async () => {
        const limits = [{ windowMs: SECOND, max: 1_000 }];
        const traces: string[][] = [];
        for (const seed of [7, 7, 8]) {
            const sim = await start({ limits, seed });
            sim.inject('*', { fault: 'status503', rate: 0.3 });
            const trace = [];
            for (let i = 0; i < 40; i += 1) trace.push(await sendText(sim) === '1' ? '.' : 'F');
            traces.push(trace);
            const { fault, delivered } = sim.stats('ops');
            expect(fault).toBeGreaterThan(3);
            expect(delivered).toBeGreaterThan(15);
        }
        expect(traces[0]).toEqual(traces[1]);
        expect(traces[0]).not.toEqual(traces[2]);
    });

    it('rejects a bad fault spec', async () => {
        const sim = await start();
        expect(() => sim.inject('ops', { fault: 'reset', rate: 1.5 })).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'reset', times: 0 })).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'explode' as FaultKind })).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'gone', retryAfter: { seconds: 5 } })).toThrow(/retryAfter applies to throttle and status503/);
        expect(() => sim.inject('ops', { fault: 'throttle', retryAfter: { seconds: -1 } })).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'throttle', retryAfter: { seconds: 1.5 } })).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'throttle', retryAfter: { seconds: Number.NaN } })).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'throttle', retryAfter: { seconds: 5, format: 'minutes' } } as unknown as FaultSpec)).toThrow(RangeError);
        expect(() => sim.inject('ops', { fault: 'throttle', retryAfter: {} } as unknown as FaultSpec)).toThrow(RangeError);
    });

    it('answers a removed webhook with 410 before any fault', async () => {
        const sim = await start();
        sim.inject('ops', { fault: 'status503' });
        sim.remove('ops');
        expect((await post(sim.connectorUrl('ops'), { text: 'x' })).status).toBe(410);
        expect(sim.received('ops')).toMatchObject([{ outcome: 'rejected' }]);
    });
});
