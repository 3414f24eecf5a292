// Builds real InvocationContext objects and keeps count of invocations in flight for a graceful stop.
import { randomUUID } from 'node:crypto';
import type { FunctionTrigger, InvocationContext as InvocationContextType, TriggerMetadata } from '@azure/functions';
import { InvocationContext } from './functions-library.js';
import { formatLogArguments, toHostLogLevel, type HostLog } from './log.js';
import type { Registration } from './registry.js';

/**
 * Creates the context a handler receives: a fresh invocation id, the function's trigger options, the
 * trigger metadata, and a log handler that prefixes each line with the function name.
 */
export function createInvocationContext(
    registration: Registration,
    triggerMetadata: TriggerMetadata | undefined,
    log: HostLog,
): InvocationContextType {
    const functionName = registration.metadata.name;
    const invocationId = randomUUID();
    const triggerEntry = Object.entries(registration.metadata.bindings).find(
        ([, binding]) => binding.direction === 'in' && /trigger$/i.test(binding.type),
    );
    const trigger: FunctionTrigger = triggerEntry
        ? { ...triggerEntry[1], name: triggerEntry[0], type: triggerEntry[1].type }
        : { name: 'unknown', type: 'unknown' };
    return new InvocationContext({
        invocationId,
        functionName,
        ...(triggerMetadata === undefined ? {} : { triggerMetadata }),
        options: { trigger },
        logHandler: (level, ...args) => {
            log(toHostLogLevel(level), `[${functionName}] ${formatLogArguments(args)}`);
        },
    });
}

/** Counts running invocations so a stop can wait for them. */
export class InFlightInvocations {
    #running = new Set<Promise<unknown>>();
    #idle: (() => void)[] = [];

    /** Number of invocations still running. */
    get size(): number {
        return this.#running.size;
    }

    /** Tracks `work` until it settles; returns it unchanged. */
    track<T>(work: Promise<T>): Promise<T> {
        const settled = work.then(
            () => undefined,
            () => undefined,
        );
        this.#running.add(settled);
        void settled.then(() => {
            this.#running.delete(settled);
            const waiting = this.#idle;
            this.#idle = [];
            for (const wake of waiting) wake();
        });
        return work;
    }

    /** Resolves the next time an invocation finishes (immediately when none runs). */
    whenOneFinishes(): Promise<void> {
        if (this.#running.size === 0) return Promise.resolve();
        return new Promise((resolve) => this.#idle.push(resolve));
    }

    /** Waits until nothing runs or `timeoutMs` passes; true when everything finished. */
    async drain(timeoutMs: number): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        while (this.#running.size > 0) {
            const remaining = deadline - Date.now();
            if (remaining <= 0) return false;
            let timer: NodeJS.Timeout | undefined;
            const timedOut = new Promise<'timeout'>((resolve) => {
                timer = setTimeout(() => { resolve('timeout'); }, remaining);
            });
            const outcome = await Promise.race([Promise.allSettled([...this.#running]), timedOut]);
            clearTimeout(timer);
            if (outcome === 'timeout') return this.#running.size === 0;
        }
        return true;
    }
}
