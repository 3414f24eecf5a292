// Runs one timer-triggered function on its schedule as the host's TimerListener does: one invocation at a time.
import type { HostLog } from './log.js';
import { InFlightInvocations, createInvocationContext } from './invocation.js';
import { nextOccurrence, type TimerSchedule } from './ncrontab.js';
import type { TimerFunction } from './triggers.js';

/** Longest delay `setTimeout` honours (Node.js docs: larger values become 1 ms); longer waits are chained. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * `Last` and `LastUpdated` of a status nothing has been recorded in yet: .NET's default `DateTime`
 * (`TimerListener.StartAsync` initialises them with `ScheduleMonitor.DefaultDateTime`).
 */
export const NO_RECORDED_TIME = new Date('0001-01-01T00:00:00.000Z');

/** The window in which more than one occurrence marks a sub-minute schedule (`TimerSchedule.Create`: one minute). */
const MONITOR_WINDOW_MS = 60_000;

/** Last and next occurrence as the host keeps them (`ScheduleStatus`). */
interface ScheduleStatus {
    readonly last: Date;
    readonly next: Date;
    readonly lastUpdated: Date;
}

/**
 * The trigger input of a timer function: the host's `TimerInfo` as JSON, camel-cased by "@azure/functions".
 * `scheduleStatus` is `null` when the schedule is not monitored (sub-minute schedules, or `useMonitor: false`),
 * although the library's `Timer` type declares it always present.
 */
export interface TimerInput {
    readonly isPastDue: boolean;
    readonly schedule: { readonly adjustForDST: boolean };
    readonly scheduleStatus: { readonly last: string; readonly next: string; readonly lastUpdated: string } | null;
}

/**
 * Builds the timer object a handler receives. `adjustForDST` is true for NCRONTAB schedules and false for
 * constant intervals (`CronSchedule` / `ConstantSchedule`).
 * @example toTimerInput(parseSchedule('0 0 * * * *'), undefined, false) // { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: null }
 */
export function toTimerInput(schedule: TimerSchedule, status: ScheduleStatus | undefined, isPastDue: boolean): TimerInput {
    return {
        isPastDue,
        schedule: { adjustForDST: schedule.kind === 'cron' },
        scheduleStatus: status
            ? { last: status.last.toISOString(), next: status.next.toISOString(), lastUpdated: status.lastUpdated.toISOString() }
            : null,
    };
}

/**
 * Whether the host keeps a schedule status for `schedule`: not when more than one occurrence falls within a
 * minute of `now`, nor for an interval under a minute (`TimerSchedule.Create` turns `UseMonitor` off then).
 */
export function isMonitoredSchedule(schedule: TimerSchedule, useMonitor: boolean, now: Date): boolean {
    if (!useMonitor) return false;
    if (schedule.kind === 'interval') return schedule.intervalMs >= MONITOR_WINDOW_MS;
    const second = nextOccurrence(schedule, nextOccurrence(schedule, now));
    return second.getTime() >= now.getTime() + MONITOR_WINDOW_MS;
}

/** Options of one timer listener. */
interface TimerListenerOptions {
    readonly fn: TimerFunction;
    /** Invocations of the whole host, awaited on stop. */
    readonly inFlight: InFlightInvocations;
    readonly log: HostLog;
    /** The clock. @default () => new Date() */
    readonly now?: () => Date;
}

/** A running timer listener. */
export interface TimerListener {
    /** When the next scheduled invocation is due (a pending start-up run aside). */
    readonly nextRun: Date;
    /** Stops scheduling; an invocation already started keeps running and stays tracked in `inFlight`. Idempotent. */
    stop(): void;
}

function describe(error: unknown): string {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Schedules `options.fn`. Like the host, the next occurrence is computed from the start of the previous run and
 * the timer is only re-armed once that run has finished: occurrences that pass meanwhile are not queued, one run
 * follows at once and the rest are skipped. `runOnStartup` runs once straight after start. Handler errors are
 * logged and never stop the schedule.
 */
export function startTimerListener(options: TimerListenerOptions): TimerListener {
    const { fn, inFlight, log } = options;
    const now = options.now ?? ((): Date => new Date());
    const startedAt = now();
    const monitored = isMonitoredSchedule(fn.schedule, fn.useMonitor, startedAt);
    let status: ScheduleStatus = { last: NO_RECORDED_TIME, next: nextOccurrence(fn.schedule, startedAt), lastUpdated: NO_RECORDED_TIME };
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;

    function armAt(due: Date, onStartup: boolean): void {
        if (stopped) return;
        const wait = Math.max(due.getTime() - now().getTime(), 0);
        timer = setTimeout(() => {
            timer = undefined;
            if (wait > MAX_TIMER_DELAY_MS) armAt(due, onStartup);
            else void tick(onStartup);
        }, Math.min(wait, MAX_TIMER_DELAY_MS));
    }

    async function invoke(invocationTime: Date, onStartup: boolean): Promise<void> {
        const context = createInvocationContext(fn.registration, undefined, log);
        const input = toTimerInput(fn.schedule, monitored ? status : undefined, false);
        const reason = onStartup ? 'Timer fired on start-up (runOnStartup)' : `Timer fired at ${invocationTime.toISOString()}`;
        log('info', `Executing 'Functions.${fn.name}' (Reason='${reason}', Id=${context.invocationId})`);
        const started = Date.now();
        try {
            await fn.handler(input, context);
            log('info', `Executed 'Functions.${fn.name}' (Succeeded, Id=${context.invocationId}, Duration=${Date.now() - started}ms)`);
        } catch (error) {
            log('error', `Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}, Duration=${Date.now() - started}ms): ${describe(error)}`);
        }
        // A timer may fire a little early; counting from the due time keeps the same occurrence from running twice.
        const adjusted = !onStartup && status.next > invocationTime ? status.next : invocationTime;
        status = { last: adjusted, next: nextOccurrence(fn.schedule, adjusted), lastUpdated: adjusted };
    }

    async function tick(onStartup: boolean): Promise<void> {
        if (stopped) return;
        try {
            await inFlight.track(invoke(now(), onStartup));
        } catch (error) {
            log('error', `Error occurred during scheduled invocation for '${fn.name}': ${describe(error)}`);
        }
        armAt(status.next, false);
    }

    log('debug', `Timer '${fn.name}' (${fn.schedule.expression}): next occurrence ${status.next.toISOString()} (UTC)`);
    if (fn.runOnStartup) armAt(startedAt, true);
    else armAt(status.next, false);

    return {
        get nextRun(): Date {
            return status.next;
        },
        stop(): void {
            stopped = true;
            clearTimeout(timer);
            timer = undefined;
        },
    };
}
