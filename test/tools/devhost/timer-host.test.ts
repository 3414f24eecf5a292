// End to end: the in-process local host running the fixture's timer functions (every second, and on start-up).
import { describe, expect, it } from 'vitest';
import { developmentConnectionString, formatBanner, startLocalHost } from '../../../tools/devhost/index.js';
import { FIXTURE_APP, eventually, freePort, recordingLog } from './fixture-app.js';
import { useStarted } from '../../support/use-started.js';

/** What `functions/ticker.js` records per invocation. */
interface Recorded {
    functionName: string;
    invocationId: string;
    timer: unknown;
    startedAt: number;
}

/** The key under which the fixture keeps its invocations on globalThis. */
const INVOCATIONS = Symbol.for('teams-relay.devhost.fixture.timer-invocations');

/** The fixture's `tick` schedule, `* * * * * *`: one occurrence per second. */
const TICK_PERIOD_MS = 1000;
/** Leeway for a tick that was already due when stop() was called to show up. */
const TICK_SLACK_MS = 250;

function recorded(functionName: string): Recorded[] {
    const holder = globalThis as unknown as Record<symbol, Recorded[] | undefined>;
    return (holder[INVOCATIONS] ?? []).filter((entry) => entry.functionName === functionName);
}

describe('local host with timer functions', () => {
    const logged = recordingLog();
    const host = useStarted('the local host', async () => {
        Reflect.deleteProperty(globalThis, INVOCATIONS);
        // Timer triggers need no storage locally; the connection only has to be well formed.
        const [blobPort, queuePort, tablePort] = await Promise.all([freePort(), freePort(), freePort()]);
        return startLocalHost({
            cwd: FIXTURE_APP,
            port: 0,
            functionFiles: ['functions/ticker.js', 'functions/health.js'],
            env: { AzureWebJobsStorage: developmentConnectionString({ blobPort, queuePort, tablePort }) },
            log: logged.log,
        });
    });

    it('lists timer functions with their schedule and next run, and prints them in the banner', () => {
        const byName = new Map(host.functions.map((fn) => [fn.name, fn]));
        const tick = byName.get('tick');
        expect(tick).toMatchObject({ kind: 'timer', schedule: '* * * * * *', runOnStartup: false });
        expect(tick?.kind === 'timer' ? tick.nextRun.getTime() : 0).toBeGreaterThan(Date.now() - TICK_PERIOD_MS);
        const startup = byName.get('startupTick');
        expect(startup).toMatchObject({ kind: 'timer', schedule: '0 0 0 1 Jan *', runOnStartup: true });
        const nextNewYear = `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`;
        const banner = formatBanner(host);
        expect(banner).toMatch(/ {4}tick: timerTrigger '\* \* \* \* \* \*' \(next \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\)/);
        expect(banner).toContain(`    startupTick: timerTrigger '0 0 0 1 Jan *' (next ${nextNewYear}, also on start-up)`);
    });

    it('runs a timer function on its schedule with the timer object and a real context', async () => {
        const ticks = await eventually('two ticks', () => {
            const list = recorded('tick');
            return Promise.resolve(list.length >= 2 ? list : undefined);
        });
        expect(ticks[0]?.timer).toEqual({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: null });
        expect(ticks[0]?.invocationId).toMatch(/^[0-9a-f-]{36}$/);
        expect(ticks[1]?.invocationId).not.toBe(ticks[0]?.invocationId);
        expect(logged.lines.some((line) => line.message.startsWith("Executed 'Functions.tick' (Succeeded"))).toBe(true);
    });

    it('runs a runOnStartup function once right after start, with its schedule status', async () => {
        const [first] = await eventually('the start-up run', () => {
            const list = recorded('startupTick');
            return Promise.resolve(list.length >= 1 ? list : undefined);
        });
        expect(first?.timer).toMatchObject({
            isPastDue: false,
            schedule: { adjustForDST: true },
            scheduleStatus: { last: '0001-01-01T00:00:00.000Z', next: `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z` },
        });
        expect(recorded('startupTick')).toHaveLength(1);
    });

    it('stops running timer functions on stop()', async () => {
        await eventually('a tick', () => Promise.resolve(recorded('tick').length > 0 ? true : undefined));
        await host.stop();
        const stoppedAt = Date.now();
        const count = recorded('tick').length;
        // Proving that nothing more happens needs one schedule period to pass.
        await eventually('one schedule period', () => Promise.resolve(Date.now() >= stoppedAt + TICK_PERIOD_MS + TICK_SLACK_MS ? true : undefined));
        expect(recorded('tick')).toHaveLength(count);
        expect(recorded('tick').every((entry) => entry.startedAt <= stoppedAt)).toBe(true);
    });
});
