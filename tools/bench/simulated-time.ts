/**
 * Simulated time for code that reads `Date.now()` and schedules with `setTimeout` (rate-limiter-flexible's
 * memory store): both are replaced in this process while a simulation runs, and timers fire in order
 * as the simulation moves the clock. Nothing else may run meanwhile; the originals are restored after.
 */

interface PendingTimer {
    readonly id: number;
    readonly at: number;
    readonly callback: () => void;
}

/** A handle shaped like Node's `Timeout` where callers use it (`unref`, `ref`, `hasRef`). */
class SimulatedTimeout {
    constructor(readonly id: number) {}
    unref(): this {
        return this;
    }
    ref(): this {
        return this;
    }
    hasRef(): boolean {
        return false;
    }
    [Symbol.toPrimitive](): number {
        return this.id;
    }
}

/** The simulated clock handed to the simulation. */
interface SimulatedClock {
    now(): number;
    /** Moves the clock forward to `time` (never back), firing every timer due on the way, in order. */
    advanceTo(time: number): void;
}

/** Most timers fired in one `advanceTo`; a bound against a callback that keeps rescheduling itself. */
const MAX_TIMERS_PER_ADVANCE = 1_000_000;

/**
 * Runs `simulation` with `Date.now`, `setTimeout` and `clearTimeout` on a simulated clock starting at
 * `start`; restores the real ones afterwards, even when it throws.
 *
 * @example
 * const sends = await withSimulatedTime(0, async (clock) => { clock.advanceTo(1_000); return Date.now(); }); // 1000
 */
export async function withSimulatedTime<T>(start: number, simulation: (clock: SimulatedClock) => Promise<T>): Promise<T> {
    let now = start;
    let nextId = 1;
    const pending: PendingTimer[] = [];
    const realNow = Date.now;
    const realSetTimeout = globalThis.setTimeout;
    const realClearTimeout = globalThis.clearTimeout;

    const fakeSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): SimulatedTimeout => {
        const id = nextId++;
        pending.push({ id, at: now + Math.max(0, ms ?? 0), callback: () => { callback(...args); } });
        return new SimulatedTimeout(id);
    };
    const fakeClearTimeout = (handle: unknown): void => {
        const id = handle instanceof SimulatedTimeout ? handle.id : Number(handle);
        const index = pending.findIndex((timer) => timer.id === id);
        if (index >= 0) pending.splice(index, 1);
    };
    const clock: SimulatedClock = {
        now: () => now,
        advanceTo(time: number): void {
            for (let fired = 0; fired < MAX_TIMERS_PER_ADVANCE; fired++) {
                let due: PendingTimer | undefined;
                for (const timer of pending) {
                    if (timer.at <= time && (due === undefined || timer.at < due.at)) due = timer;
                }
                if (due === undefined) break;
                pending.splice(pending.indexOf(due), 1);
                now = Math.max(now, due.at);
                due.callback();
            }
            now = Math.max(now, time);
        },
    };

    Date.now = () => now;
    globalThis.setTimeout = fakeSetTimeout as unknown as typeof setTimeout;
    globalThis.clearTimeout = fakeClearTimeout;
    try {
        return await simulation(clock);
    } finally {
        Date.now = realNow;
        globalThis.setTimeout = realSetTimeout;
        globalThis.clearTimeout = realClearTimeout;
    }
}
