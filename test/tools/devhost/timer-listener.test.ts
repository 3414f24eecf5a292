// The timer listener: when a timer function runs, what it receives, one run at a time, errors, start-up runs, stop.
import type { InvocationContext as InvocationContextType } from '@azure/functions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvocationContext } from '../../../tools/devhost/functions-library.js';
import { InFlightInvocations } from '../../../tools/devhost/invocation.js';
import { parseSchedule } from '../../../tools/devhost/ncrontab.js';
import type { FunctionHandler } from '../../../tools/devhost/registry.js';
import { NO_RECORDED_TIME, isMonitoredSchedule, startTimerListener, toTimerInput, type TimerInput, type TimerListener } from '../../../tools/devhost/timer-listener.js';
import { toLocalFunction, type TimerFunction } from '../../../tools/devhost/triggers.js';
import { recordingLog } from './fixture-app.js';

/** The fake clock's start: a Monday, on the minute. */
const START = new Date('2024-01-01T10:00:00.000Z');

interface Call {
    input: TimerInput;
    context: InvocationContextType;
    at: string;
}

function timerFunction(schedule: string, handler: FunctionHandler, options: { runOnStartup?: boolean; useMonitor?: boolean } = {}): TimerFunction {
    const fn = toLocalFunction(
        { metadata: { name: 'sweep', bindings: { myTimer: { type: 'timerTrigger', direction: 'in', schedule, ...options } } }, handler },
        {},
    );
    if (fn.kind !== 'timer') throw new Error(`expected a timer function, got ${fn.kind}`);
    return fn;
}

/** A handler that records its calls; `hold()` makes the next calls wait until `release()`. */
function recordingHandler(): { handler: FunctionHandler; calls: Call[]; running: () => number; hold: () => void; release: () => void } {
    const calls: Call[] = [];
    let running = 0;
    let gate: Promise<void> | undefined;
    let open: () => void = () => undefined;
    return {
        calls,
        running: () => running,
        hold() {
            gate = new Promise((resolve) => {
                open = resolve;
            });
        },
        release() {
            gate = undefined;
            open();
        },
        handler: async (input, context) => {
            running += 1;
            calls.push({ input: input as TimerInput, context: context as InvocationContextType, at: new Date().toISOString() });
            try {
                await gate;
            } finally {
                running -= 1;
            }
        },
    };
}

describe('startTimerListener', () => {
    const listeners: TimerListener[] = [];
    const inFlight = new InFlightInvocations();

    function start(fn: TimerFunction, log = recordingLog().log): TimerListener {
        const listener = startTimerListener({ fn, inFlight, log });
        listeners.push(listener);
        return listener;
    }

    beforeEach(() => {
        vi.useFakeTimers({ now: START });
    });

    afterEach(() => {
        for (const listener of listeners.splice(0)) listener.stop();
        vi.useRealTimers();
    });

    it('does not invoke before the first occurrence and reports it as the next run', async () => {
        const recorder = recordingHandler();
        const listener = start(timerFunction('0 */1 * * * *', recorder.handler));
        expect(listener.nextRun.toISOString()).toBe('2024-01-01T10:01:00.000Z');
        await vi.advanceTimersByTimeAsync(59_999);
        expect(recorder.calls).toEqual([]);
    });

    it('invokes at each occurrence with the timer object and a real InvocationContext', async () => {
        const recorder = recordingHandler();
        const listener = start(timerFunction('0 */1 * * * *', recorder.handler));
        await vi.advanceTimersByTimeAsync(60_000);
        expect(recorder.calls.map((call) => call.at)).toEqual(['2024-01-01T10:01:00.000Z']);
        const [first] = recorder.calls;
        expect(first?.input).toEqual({
            isPastDue: false,
            schedule: { adjustForDST: true },
            scheduleStatus: { last: NO_RECORDED_TIME.toISOString(), next: '2024-01-01T10:01:00.000Z', lastUpdated: NO_RECORDED_TIME.toISOString() },
        });
        expect(first?.context).toBeInstanceOf(InvocationContext);
        expect(first?.context.functionName).toBe('sweep');
        expect(first?.context.options.trigger.type).toBe('timerTrigger');
        expect(listener.nextRun.toISOString()).toBe('2024-01-01T10:02:00.000Z');

        await vi.advanceTimersByTimeAsync(60_000);
        expect(recorder.calls.map((call) => call.at)).toEqual(['2024-01-01T10:01:00.000Z', '2024-01-01T10:02:00.000Z']);
        expect(recorder.calls[1]?.input.scheduleStatus).toEqual({
            last: '2024-01-01T10:01:00.000Z',
            next: '2024-01-01T10:02:00.000Z',
            lastUpdated: '2024-01-01T10:01:00.000Z',
        });
        expect(recorder.calls[1]?.context.invocationId).not.toBe(first?.context.invocationId);
    });

    it('passes no schedule status for a schedule that fires more than once a minute', async () => {
        const recorder = recordingHandler();
        start(timerFunction('* * * * * *', recorder.handler));
        await vi.advanceTimersByTimeAsync(1000);
        expect(recorder.calls[0]?.input).toEqual({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: null });
    });

    it('runs a TimeSpan interval schedule every interval, without DST adjustment', async () => {
        const recorder = recordingHandler();
        start(timerFunction('00:00:02', recorder.handler));
        await vi.advanceTimersByTimeAsync(6000);
        expect(recorder.calls.map((call) => call.at)).toEqual(['2024-01-01T10:00:02.000Z', '2024-01-01T10:00:04.000Z', '2024-01-01T10:00:06.000Z']);
        expect(recorder.calls[0]?.input.schedule).toEqual({ adjustForDST: false });
    });

    it('runs once straight after start when runOnStartup is set, then keeps to the schedule', async () => {
        const recorder = recordingHandler();
        const listener = start(timerFunction('0 0 0 1 Jan *', recorder.handler, { runOnStartup: true }));
        await vi.advanceTimersByTimeAsync(0);
        expect(recorder.calls.map((call) => call.at)).toEqual([START.toISOString()]);
        expect(listener.nextRun.toISOString()).toBe('2025-01-01T00:00:00.000Z');
        await vi.advanceTimersByTimeAsync(60 * 60_000);
        expect(recorder.calls).toHaveLength(1);
    });

    it('waits beyond the longest setTimeout delay for a distant occurrence', async () => {
        const recorder = recordingHandler();
        start(timerFunction('0 0 0 1 Jan *', recorder.handler));
        const untilNewYear = Date.parse('2025-01-01T00:00:00.000Z') - START.getTime();
        await vi.advanceTimersByTimeAsync(untilNewYear - 1);
        expect(recorder.calls).toEqual([]);
        await vi.advanceTimersByTimeAsync(1);
        expect(recorder.calls.map((call) => call.at)).toEqual(['2025-01-01T00:00:00.000Z']);
    });

    it('runs one invocation at a time: occurrences during a long run are skipped and one run follows it', async () => {
        const recorder = recordingHandler();
        recorder.hold();
        start(timerFunction('* * * * * *', recorder.handler));
        await vi.advanceTimersByTimeAsync(1000);
        expect(recorder.running()).toBe(1);
        await vi.advanceTimersByTimeAsync(2500);
        expect(recorder.calls).toHaveLength(1);

        recorder.release();
        await vi.advanceTimersByTimeAsync(0);
        await vi.advanceTimersByTimeAsync(500);
        expect(recorder.calls.map((call) => call.at)).toEqual([
            '2024-01-01T10:00:01.000Z',
            '2024-01-01T10:00:03.500Z',
            '2024-01-01T10:00:04.000Z',
        ]);
    });

    it('logs a failing handler and keeps the schedule', async () => {
        const logged = recordingLog();
        let calls = 0;
        start(
            timerFunction('* * * * * *', () => {
                calls += 1;
                if (calls === 1) throw new Error('sweep failed');
            }),
            logged.log,
        );
        await vi.advanceTimersByTimeAsync(2000);
        expect(calls).toBe(2);
        const failure = logged.lines.find((line) => line.level === 'error');
        expect(failure?.message).toMatch(/^Executed 'Functions\.sweep' \(Failed, Id=[0-9a-f-]{36}, Duration=\d+ms\): Error: sweep failed/);
        expect(logged.lines.filter((line) => line.message.startsWith("Executed 'Functions.sweep' (Succeeded"))).toHaveLength(1);
    });

    it('stops scheduling on stop() while a running invocation stays tracked until it finishes', async () => {
        const recorder = recordingHandler();
        recorder.hold();
        const listener = start(timerFunction('* * * * * *', recorder.handler));
        await vi.advanceTimersByTimeAsync(1000);
        listener.stop();
        expect(inFlight.size).toBe(1);
        recorder.release();
        await vi.advanceTimersByTimeAsync(0);
        expect(inFlight.size).toBe(0);
        await vi.advanceTimersByTimeAsync(10_000);
        expect(recorder.calls).toHaveLength(1);
        expect(vi.getTimerCount()).toBe(0);
    });

    it('never invokes when stopped before the first occurrence', async () => {
        const recorder = recordingHandler();
        start(timerFunction('* * * * * *', recorder.handler, { runOnStartup: true })).stop();
        await vi.advanceTimersByTimeAsync(5000);
        expect(recorder.calls).toEqual([]);
        expect(vi.getTimerCount()).toBe(0);
    });
});

describe('isMonitoredSchedule', () => {
    it.each([
        ['0 */1 * * * *', true, true],
        ['0 0 9 * * Mon-Fri', true, true],
        ['0 0 9 * * Mon-Fri', false, false],
        ['* * * * * *', true, false],
        ['0,30 * * * * *', true, false],
        ['00:01:00', true, true],
        ['00:00:30', true, false],
    ] as const)('%s with useMonitor %s keeps a status: %s', (schedule, useMonitor, expected) => {
        // Not on a minute boundary: the host counts occurrences in the minute after now, end excluded.
        expect(isMonitoredSchedule(parseSchedule(schedule), useMonitor, new Date('2024-01-01T10:00:10.000Z'))).toBe(expected);
    });
});

describe('toTimerInput', () => {
    it('formats the schedule status as ISO strings', () => {
        const status = { last: new Date('2024-01-01T10:00:00Z'), next: new Date('2024-01-01T10:05:00Z'), lastUpdated: new Date('2024-01-01T10:00:00Z') };
        expect(toTimerInput(parseSchedule('0 */5 * * * *'), status, true)).toEqual({
            isPastDue: true,
            schedule: { adjustForDST: true },
            scheduleStatus: { last: '2024-01-01T10:00:00.000Z', next: '2024-01-01T10:05:00.000Z', lastUpdated: '2024-01-01T10:00:00.000Z' },
        });
    });
});

describe('toLocalFunction with a timer trigger', () => {
    const handler: FunctionHandler = () => undefined;
    const registration = (binding: Record<string, unknown>): Parameters<typeof toLocalFunction>[0] => ({
        metadata: { name: 'sweep', bindings: { myTimer: { type: 'timerTrigger', direction: 'in', ...binding } } },
        handler,
    });

    it('reads the schedule, runOnStartup and useMonitor', () => {
        const fn = toLocalFunction(registration({ schedule: '0 */1 * * * *', runOnStartup: true, useMonitor: false }), {});
        expect(fn).toMatchObject({ kind: 'timer', name: 'sweep', runOnStartup: true, useMonitor: false, schedule: { kind: 'cron', expression: '0 */1 * * * *' } });
    });

    it('defaults to no start-up run and a monitored schedule', () => {
        expect(toLocalFunction(registration({ schedule: '0 */1 * * * *' }), {})).toMatchObject({ runOnStartup: false, useMonitor: true });
    });

    it('resolves %SETTING% in the schedule', () => {
        const fn = toLocalFunction(registration({ schedule: '%SWEEP_SCHEDULE%' }), { SWEEP_SCHEDULE: '0 0 9 * * Mon-Fri' });
        expect(fn).toMatchObject({ kind: 'timer', schedule: { expression: '0 0 9 * * Mon-Fri' } });
    });

    it('names the function and the setting when the setting is missing', () => {
        expect(() => toLocalFunction(registration({ schedule: '%SWEEP_SCHEDULE%' }), {})).toThrow(
            'Timer function "sweep": App setting "SWEEP_SCHEDULE" (used as %SWEEP_SCHEDULE%) is not defined',
        );
    });

    it('names the function and the expression when the schedule is invalid', () => {
        expect(() => toLocalFunction(registration({ schedule: '0 */5 * * *' }), {})).toThrow(
            /^Timer function "sweep": Invalid timer schedule "0 \*\/5 \* \* \*": expected 6 fields/,
        );
    });

    it('refuses a timer function without a schedule', () => {
        expect(() => toLocalFunction(registration({}), {})).toThrow('Timer function "sweep" has no schedule');
    });
});
