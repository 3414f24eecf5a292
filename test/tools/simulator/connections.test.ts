/** Teams connections behind Workflows: the Flow-bot budget per flow owner, throttled inside the flow, never refused. */
import { describe, expect, it } from 'vitest';
import {
    CONNECTION_CALLS_LIMIT,
    FLOW_BOT_POSTS_LIMIT,
    REPORT_VERSION,
    type SimulatorReport,
    type TeamsSimulator,
} from '../../../tools/simulator/index.js';
import { card, DAY_START, envelope, ManualClock, post, useSimulators } from './harness.js';

const SECOND = 1_000;
const FIVE_MINUTES = 300 * SECOND;

/** Posts one card to a flow URL and returns the status. */
async function postCard(url: string): Promise<number> {
    return (await post(url, envelope(card()))).status;
}

/** Posts `count` cards, `gapMs` apart on the clock, alternating over `urls`; returns every status. */
async function postSpaced(clock: ManualClock, urls: readonly string[], count: number, gapMs: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) {
        if (i > 0) clock.advance(gapMs);
        statuses.push(await postCard(urls[i % urls.length] ?? ''));
    }
    return statuses;
}

async function readStats(sim: TeamsSimulator): Promise<SimulatorReport> {
    const response = await fetch(sim.statsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return (await response.json()) as SimulatorReport;
}

describe('Teams connections behind Workflows', () => {
    const start = useSimulators();

    it('answers 202 to 30 posts in 300 s to one connection, and records the 26th on as throttled inside the flow', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const statuses = await postSpaced(clock, [sim.workflowsUrl('ops')], 30, 10 * SECOND);
        expect(statuses).toEqual(Array.from({ length: 30 }, () => 202));
        const records = sim.received('ops');
        expect(records.map((record) => record.flowPost)).toEqual([...Array.from({ length: 25 }, () => 'posted'), ...Array.from({ length: 5 }, () => 'throttled')]);
        expect(records[25]).toMatchObject({ status: 202, answer: '', outcome: 'delivered', rendered: false, connection: 'default' });
        expect(records[25]?.reason).toBe(`throttled inside the flow: its connection is over ${FLOW_BOT_POSTS_LIMIT.max} per ${FLOW_BOT_POSTS_LIMIT.windowMs} ms`);
        expect(sim.stats('ops')).toEqual({ delivered: 30, throttled: 0, rejected: 0, fault: 0, total: 30, throttledInFlow: 5, notRendered: 0 });
        expect(sim.connectionStats()).toEqual({ flows: ['ops'], accepted: 30, posted: 25, throttledInFlow: 5, notRendered: 0 });
        expect(sim.connectionViolations()).toEqual([{ windowMs: FIVE_MINUTES, max: 25, count: 30, from: DAY_START, to: DAY_START + 290 * SECOND }]);
    });

    it('posts all of 25 in 300 s, and the 26th exactly 300 s after the first: 0 throttled inside the flow', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        await postSpaced(clock, [sim.workflowsUrl('ops')], 25, 12 * SECOND);
        clock.now = DAY_START + FIVE_MINUTES - 1;
        await postCard(sim.workflowsUrl('ops'));
        expect(sim.connectionStats()).toMatchObject({ posted: 25, throttledInFlow: 1 });
        clock.now = DAY_START + FIVE_MINUTES;
        expect(await postCard(sim.workflowsUrl('ops'))).toBe(202);
        expect(sim.received('ops').at(-1)?.flowPost).toBe('posted');
        expect(sim.connectionStats()).toMatchObject({ accepted: 27, posted: 26, throttledInFlow: 1 });
    });

    it('lets two flows of one owner share one budget: 25 posts between them', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        await postSpaced(clock, [sim.workflowsUrl('ops'), sim.workflowsUrl('alerts')], 30, 5 * SECOND);
        expect(sim.connectionStats()).toEqual({ flows: ['ops', 'alerts'], accepted: 30, posted: 25, throttledInFlow: 5, notRendered: 0 });
        expect(sim.stats('ops').throttledInFlow + sim.stats('alerts').throttledInFlow).toBe(5);
        expect(sim.stats('ops').throttledInFlow).toBeGreaterThan(0);
        expect(sim.stats('alerts').throttledInFlow).toBeGreaterThan(0);
    });

    it.each([
        ['the connections option, by webhook name', { connections: { alerts: 'bob' } }, undefined],
        ['the URL\'s connection parameter', {}, 'bob'],
    ] as const)('gives two owners (set by %s) a budget each', async (_case, options, inUrl) => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, ...options });
        const alerts = sim.workflowsUrl('alerts', inUrl === undefined ? {} : { connection: inUrl });
        await postSpaced(clock, [sim.workflowsUrl('ops'), alerts], 30, 5 * SECOND);
        expect(sim.connectionStats('default')).toEqual({ flows: ['ops'], accepted: 15, posted: 15, throttledInFlow: 0, notRendered: 0 });
        expect(sim.connectionStats('bob')).toEqual({ flows: ['alerts'], accepted: 15, posted: 15, throttledInFlow: 0, notRendered: 0 });
        expect(sim.report().totals.throttledInFlow).toBe(0);
        expect(sim.received('alerts').every((record) => record.connection === 'bob')).toBe(true);
    });

    it('maps a flow to its owner by flow id, and lets a default connection of another name stand for the rest', async () => {
        const sim = await start({ connections: { abc123: 'carol' }, defaultConnection: 'team-bot' });
        await postCard(`${sim.baseUrl}/powerautomate/automations/direct/cu/3/workflows/abc123/triggers/manual/paths/invoke?sig=x`);
        await postCard(sim.workflowsUrl('ops'));
        expect(Object.keys(sim.report().connections)).toEqual(['carol', 'team-bot']);
        expect(sim.connectionStats()).toMatchObject({ flows: ['ops'] });
    });

    it('applies the 100 calls per 60 s of a connection', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [], connectionLimits: [CONNECTION_CALLS_LIMIT] });
        const url = sim.workflowsUrl('ops');
        for (let i = 0; i < 101; i += 1) {
            clock.now = DAY_START + i * 500;
            expect(await postCard(url)).toBe(202);
        }
        expect(sim.connectionStats()).toMatchObject({ posted: 100, throttledInFlow: 1 });
        expect(sim.received('ops').at(-1)?.reason).toContain('over 100 per 60000 ms');
    });

    it('runs no flow for a request the trigger refused: 429, 400 and faults spend no connection budget', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [{ windowMs: SECOND, max: 1 }], connectionLimits: [{ windowMs: FIVE_MINUTES, max: 1 }] });
        expect(await postCard(sim.workflowsUrl('ops'))).toBe(202);
        expect(await postCard(sim.workflowsUrl('ops'))).toBe(429);
        expect((await post(sim.workflowsUrl('ops'), { text: 'x' })).status).toBe(400);
        sim.inject('ops', { fault: 'status503', times: 1 });
        expect(await postCard(sim.workflowsUrl('ops'))).toBe(503);
        expect(sim.connectionStats()).toEqual({ flows: ['ops'], accepted: 1, posted: 1, throttledInFlow: 0, notRendered: 0 });
    });

    it('counts a card Teams cannot show against the budget and as not rendered', async () => {
        const sim = await start({ connectionLimits: [{ windowMs: FIVE_MINUTES, max: 1 }] });
        await post(sim.workflowsUrl('ops'), envelope(card('1.5')));
        await post(sim.workflowsUrl('ops'), envelope(card('1.4')));
        expect(sim.connectionStats()).toMatchObject({ accepted: 2, posted: 1, throttledInFlow: 1, notRendered: 1 });
        expect(sim.stats('ops')).toMatchObject({ notRendered: 1, throttledInFlow: 1 });
    });

    it('forgets the budgets on reset()', async () => {
        const sim = await start({ connectionLimits: [{ windowMs: FIVE_MINUTES, max: 1 }] });
        await postCard(sim.workflowsUrl('ops'));
        sim.reset();
        await postCard(sim.workflowsUrl('ops'));
        expect(sim.connectionStats()).toMatchObject({ accepted: 1, posted: 1, throttledInFlow: 0 });
    });

    it('answers GET /simulator/stats with the report, in its stable JSON shape, and records no request', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, connectionLimits: [{ windowMs: FIVE_MINUTES, max: 2 }] });
        await postSpaced(clock, [sim.workflowsUrl('ops'), sim.workflowsUrl('alerts')], 3, SECOND);
        await post(sim.connectorUrl('legacy'), { text: 'x' });
        const report = await readStats(sim);
        expect(report).toEqual({
            version: REPORT_VERSION,
            webhooks: {
                ops: { dialect: 'workflows', connection: 'default', delivered: 2, throttled: 0, rejected: 0, fault: 0, total: 2, throttledInFlow: 1, notRendered: 0 },
                alerts: { dialect: 'workflows', connection: 'default', delivered: 1, throttled: 0, rejected: 0, fault: 0, total: 1, throttledInFlow: 0, notRendered: 0 },
                legacy: { dialect: 'connector', delivered: 1, throttled: 0, rejected: 0, fault: 0, total: 1, throttledInFlow: 0, notRendered: 0 },
            },
            connections: { default: { flows: ['ops', 'alerts'], accepted: 3, posted: 2, throttledInFlow: 1, notRendered: 0 } },
            totals: { delivered: 4, throttled: 0, rejected: 0, fault: 0, total: 4, throttledInFlow: 1, notRendered: 0 },
        });
        expect(report).toEqual(sim.report());
        expect(sim.received()).toHaveLength(4);
        expect((await fetch(sim.statsUrl, { method: 'POST', body: '{}' })).status).toBe(405);
        expect((await fetch(`${sim.statsUrl}?pretty=1`)).status).toBe(200);
    });

    it('takes any connection name a URL carries, and falls back to the default for a blank one', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const base = sim.workflowsUrl('ops');
        for (const name of ['__proto__', 'Zoë 🚀', '%', ' ', '']) {
            clock.advance(SECOND);
            expect(await postCard(`${base}&connection=${encodeURIComponent(name)}`)).toBe(202);
        }
        const report = await readStats(sim);
        expect(Object.keys(report.connections)).toEqual(['__proto__', 'Zoë 🚀', '%', 'default']);
        expect(report.connections['default']?.accepted).toBe(2);
        expect(Object.getPrototypeOf(report.connections)).toBe(Object.prototype);
    });

    it('refuses blank connection names and bad connection limits in its options', async () => {
        await expect(start({ defaultConnection: ' ' })).rejects.toThrow(/defaultConnection/);
        await expect(start({ connections: { ops: '' } })).rejects.toThrow(/connections\.ops/);
        await expect(start({ connectionLimits: [{ windowMs: 0, max: 25 }] })).rejects.toThrow(RangeError);
        const sim = await start();
        expect(() => sim.workflowsUrl('ops', { connection: '\t' })).toThrow(RangeError);
    });
});
