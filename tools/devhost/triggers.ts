// Turns registered function metadata into the HTTP, queue and timer functions the local host serves.
import { parseSchedule, type TimerSchedule } from './ncrontab.js';
import type { FunctionHandler, Registration } from './registry.js';
import { resolveSettingExpressions, type Environment } from './settings.js';

/** The storage connection a queue trigger uses when its binding names none (Microsoft Learn, queue trigger). */
export const DEFAULT_STORAGE_CONNECTION = 'AzureWebJobsStorage';

/** Queue naming rules (Microsoft Learn, "Naming queues and metadata"): 3-63 lowercase letters, digits, single dashes. */
const QUEUE_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** An HTTP-triggered function. */
export interface HttpFunction {
    readonly kind: 'http';
    readonly name: string;
    /** Upper-case methods; `undefined` accepts every method. */
    readonly methods: readonly string[] | undefined;
    /** The route template without the prefix. */
    readonly route: string;
    readonly authLevel: string;
    readonly handler: FunctionHandler;
    readonly registration: Registration;
}

/** A storage-queue-triggered function. */
export interface QueueFunction {
    readonly kind: 'queue';
    readonly name: string;
    /** The queue name with `%SETTING%` expressions resolved, lower-cased as the host does. */
    readonly queueName: string;
    /** The app setting (prefix) holding the storage connection. */
    readonly connection: string;
    readonly handler: FunctionHandler;
    readonly registration: Registration;
}

/** A timer-triggered function. */
export interface TimerFunction {
    readonly kind: 'timer';
    readonly name: string;
    /** The schedule with `%SETTING%` expressions resolved, parsed. */
    readonly schedule: TimerSchedule;
    /** Invoke once as soon as the host has started. @default false */
    readonly runOnStartup: boolean;
    /** Keep a schedule status (last/next) and pass it to the handler; the host turns it off for sub-minute schedules. @default true */
    readonly useMonitor: boolean;
    readonly handler: FunctionHandler;
    readonly registration: Registration;
}

/** A function whose trigger the local host does not run. */
interface UnsupportedFunction {
    readonly kind: 'unsupported';
    readonly name: string;
    readonly triggerType: string;
}

/** Any registered function, classified by trigger. */
export type LocalFunction = HttpFunction | QueueFunction | TimerFunction | UnsupportedFunction;

function stringProperty(binding: Readonly<Record<string, unknown>>, key: string): string | undefined {
    const value = binding[key];
    return typeof value === 'string' ? value : undefined;
}

function toTimerFunction(registration: Registration, trigger: Readonly<Record<string, unknown>>, env: Environment): TimerFunction {
    const { metadata, handler } = registration;
    const declared = stringProperty(trigger, 'schedule');
    if (declared === undefined) throw new Error(`Timer function "${metadata.name}" has no schedule`);
    let schedule: TimerSchedule;
    try {
        // The host resolves the whole expression first (`nameResolver.ResolveWholeString`), so "%SWEEP_SCHEDULE%" works.
        schedule = parseSchedule(resolveSettingExpressions(declared, env));
    } catch (error) {
        throw new Error(`Timer function "${metadata.name}": ${(error as Error).message}`, { cause: error });
    }
    return {
        kind: 'timer',
        name: metadata.name,
        schedule,
        runOnStartup: trigger['runOnStartup'] === true,
        useMonitor: trigger['useMonitor'] !== false,
        handler,
        registration,
    };
}

/**
 * Classifies one registration by its trigger binding, resolving `%SETTING%` in queue names and timer
 * schedules from `env`.
 * @throws {Error} naming the function when its queue name or schedule is missing or invalid.
 */
export function toLocalFunction(registration: Registration, env: Environment): LocalFunction {
    const { metadata, handler } = registration;
    const trigger = Object.values(metadata.bindings).find(
        (binding) => binding.direction === 'in' && /trigger$/i.test(binding.type),
    );
    if (!trigger) throw new Error(`Function "${metadata.name}" has no trigger binding`);
    const type = trigger.type.toLowerCase();
    if (type === 'httptrigger') {
        const methods = trigger['methods'];
        return {
            kind: 'http',
            name: metadata.name,
            methods: Array.isArray(methods) ? methods.map((method) => String(method).toUpperCase()) : undefined,
            route: stringProperty(trigger, 'route') ?? metadata.name,
            authLevel: stringProperty(trigger, 'authLevel') ?? 'function',
            handler,
            registration,
        };
    }
    if (type === 'queuetrigger') {
        const declared = stringProperty(trigger, 'queueName');
        if (declared === undefined) throw new Error(`Queue function "${metadata.name}" has no queueName`);
        let queueName: string;
        try {
            queueName = resolveSettingExpressions(declared, env).toLowerCase();
        } catch (error) {
            throw new Error(`Queue function "${metadata.name}": ${(error as Error).message}`, { cause: error });
        }
        if (!QUEUE_NAME.test(queueName)) {
            throw new Error(`Queue function "${metadata.name}": "${queueName}" is not a valid queue name`);
        }
        const connection = stringProperty(trigger, 'connection');
        return {
            kind: 'queue',
            name: metadata.name,
            queueName,
            connection: connection === undefined || connection === '' ? DEFAULT_STORAGE_CONNECTION : connection,
            handler,
            registration,
        };
    }
    if (type === 'timertrigger') return toTimerFunction(registration, trigger, env);
    return { kind: 'unsupported', name: metadata.name, triggerType: trigger.type };
}
