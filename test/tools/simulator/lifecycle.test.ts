/** Simulator lifecycle and robustness: stop, reset, recording order, waiting, routing, garbage. */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTeamsSimulator } from '../../../tools/simulator/index.js';
import { card, envelope, ManualClock, post, useSimulators } from './harness.js';

describe('simulator lifecycle', () => {
    const start = useSimulators();

    it('listens on 127.0.0.1 on a free port by default', async () => {
        const sim = await start();
        expect(sim.baseUrl).toBe(`http://127.0.0.1:${sim.port}`);
        expect(sim.port).toBeGreaterThan(0);
        expect(sim.connectorUrl('ops').startsWith(sim.baseUrl)).toBe(true);
    });

    it('stop() closes hung connections of several webhooks at once and is idempotent', async () => {
        const sim = await start();
        sim.inject('*', { fault: 'hang' });
        const pending = [post(sim.connectorUrl('a'), { text: 'x' }), post(sim.workflowsUrl('b'), envelope(card()))];
        await sim.waitForRequests(2);
        await sim.stop();
        await sim.stop();
        const settled = await Promise.allSettled(pending);
        expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    });

    it('stop() rejects pending waits', async () => {
        const sim = await startTeamsSimulator();
        const waiting = sim.waitForRequests(1);
        await sim.stop();
        await expect(waiting).rejects.toThrow(/stopped/);
    });

    it('records every request in arrival order with the clock time and the answer', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        await post(sim.connectorUrl('ops'), { text: 'first' });
        clock.advance(5);
        await post(sim.workflowsUrl('dev'), envelope(card()));
        clock.advance(5);
        await post(sim.connectorUrl('ops'), '{');
        expect(sim.received().map(({ webhook, dialect, at, status, answer, outcome }) => ({ webhook, dialect, at: at - clock.now, status, answer, outcome }))).toEqual([
            { webhook: 'ops', dialect: 'connector', at: -10, status: 200, answer: '1', outcome: 'delivered' },
            { webhook: 'dev', dialect: 'workflows', at: -5, status: 202, answer: '', outcome: 'delivered' },
            { webhook: 'ops', dialect: 'connector', at: 0, status: 400, answer: 'Bad payload received by generic incoming webhook', outcome: 'rejected' },
        ]);
        expect(sim.received('ops')[1]?.bodyText).toBe('{');
        expect(sim.received('ops')[1]).not.toHaveProperty('json');
        expect(sim.stats('ops')).toEqual({ delivered: 1, throttled: 0, rejected: 1, fault: 0, total: 2, throttledInFlow: 0, notRendered: 0 });
    });

    it('reports each request to onRequest', async () => {
        const seen: string[] = [];
        const sim = await start({ onRequest: (record) => seen.push(`${record.webhook}:${record.status}`) });
        await post(sim.connectorUrl('ops'), { text: 'x' });
        expect(seen).toEqual(['ops:200']);
    });

    it('reset() forgets records, counters, removals and faults', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [{ windowMs: 1_000, max: 1 }] });
        await post(sim.connectorUrl('ops'), { text: 'x' });
        sim.remove('dev');
        sim.inject('*', { fault: 'status503' });
        sim.reset();
        expect(sim.received()).toEqual([]);
        expect((await post(sim.connectorUrl('ops'), { text: 'x' })).text).toBe('1');
        expect((await post(sim.connectorUrl('dev'), { text: 'x' })).text).toBe('1');
    });

    it('answers unknown paths with 404 and other methods with 405, recording neither', async () => {
        const sim = await start();
        expect((await post(`${sim.baseUrl}/api/other`, { text: 'x' })).status).toBe(404);
        expect((await fetch(sim.connectorUrl('ops'))).status).toBe(405);
        expect(sim.received()).toEqual([]);
    });

    it('survives garbage: binary bodies, deep nesting and an upload cut short', async () => {
        const sim = await start();
        const binary = await fetch(sim.connectorUrl('ops'), { method: 'POST', body: new Uint8Array([0xff, 0xfe, 0x00, 0x80]) });
        expect(binary.status).toBe(400);
        const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
        expect((await post(sim.connectorUrl('ops'), `{"type":"message","attachments":${deep}}`)).text).toContain('HTTP error');
        await new Promise<void>((resolve) => {
            const cut = request(sim.connectorUrl('ops'), { method: 'POST', headers: { 'content-length': '1000' } });
            cut.on('error', () => {
                resolve();
            });
            cut.write('{"text":', () => {
                cut.destroy();
                resolve();
            });
        });
        expect((await post(sim.connectorUrl('ops'), { text: 'still up' })).text).toBe('1');
    });
});
