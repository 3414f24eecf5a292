// Stands in for the worker's "@azure/functions-core" module, so app.http/app.storageQueue/app.hook register with us.
import { createRequire } from 'node:module';

/** The module name "@azure/functions" requires lazily to find the worker (src/utils/tryGetCoreApiLazy.ts). */
const CORE_MODULE_NAME = '@azure/functions-core';

/**
 * Where the local host puts its core API for the package `@azure/functions-core` of this repository
 * (`tools/devhost/functions-core`, a development dependency, so ordinary package resolution finds it
 * from "@azure/functions"); that package exports what it finds here. Keep in step with its `index.js`.
 */
const CORE_API_KEY = Symbol.for('teams-relay.devhost.functions-core.api');

/** One binding of a registered function, as `toCoreFunctionMetadata` builds it from the `app.*` options. */
interface CoreBinding {
    readonly type: string;
    readonly direction: 'in' | 'out';
    readonly [property: string]: unknown;
}

/** Function metadata as the worker receives it (functions-core `FunctionMetadata`). */
interface CoreFunctionMetadata {
    readonly name: string;
    readonly bindings: Readonly<Record<string, CoreBinding>>;
    readonly retryOptions?: unknown;
}

/** The user's handler exactly as passed to `app.*`: `(triggerInput, context) => result`. */
export type FunctionHandler = (input: unknown, context: unknown) => unknown;

/** A function registered by a function module. */
export interface Registration {
    readonly metadata: CoreFunctionMetadata;
    readonly handler: FunctionHandler;
}

/**
 * A hook registered through `app.hook.*`; the callback receives the core hook context (functions-core
 * `AppStartContext`, `PreInvocationContext`, ...), which "@azure/functions" wraps for the app's handler.
 */
export interface HookRegistration {
    readonly hookName: string;
    readonly callback: (context: object) => unknown;
}

/** Everything the loaded function modules registered. */
interface Registrations {
    readonly functions: readonly Registration[];
    readonly hooks: readonly HookRegistration[];
}

/** Log levels of the worker's system log (functions-core `RpcLogLevel` names as the library passes them). */
type SystemLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

interface Collector {
    readonly functions: Registration[];
    readonly hooks: HookRegistration[];
    readonly systemLog: (level: SystemLogLevel, message: string) => void;
}

class CoreDisposable {
    #callback: (() => void) | undefined;
    constructor(callback: () => void) {
        this.#callback = callback;
    }
    dispose(): void {
        this.#callback?.();
        this.#callback = undefined;
    }
}

interface CoreState {
    /** The object handed to "@azure/functions"; it caches it, so it never changes. */
    readonly api: object;
    collector: Collector | undefined;
    programmingModel: unknown;
    /** Serialises loads, since registrations arrive on a process-wide object. */
    queue: Promise<unknown>;
}

/** One state per process, even if this module is evaluated twice (test runners may do that). */
const STATE_KEY = Symbol.for('teams-relay.devhost.functions-core');

function coreState(): CoreState {
    const holder = globalThis as unknown as Record<symbol, CoreState | undefined>;
    const existing = holder[STATE_KEY];
    if (existing) return existing;
    const state: CoreState = {
        api: {},
        collector: undefined,
        programmingModel: undefined,
        queue: Promise.resolve(),
    };
    const requireCollector = (what: string): Collector => {
        if (!state.collector) {
            throw new Error(`${what} was called outside the loading of function modules; register functions at module top level`);
        }
        return state.collector;
    };
    Object.assign(state.api, {
        Disposable: CoreDisposable,
        version: '4.0.0-local',
        setProgrammingModel(model: unknown): void {
            state.programmingModel = model;
        },
        getProgrammingModel(): unknown {
            return state.programmingModel;
        },
        registerFunction(metadata: CoreFunctionMetadata, handler: FunctionHandler): CoreDisposable {
            const collector = requireCollector(`Registering function "${metadata.name}"`);
            const registration: Registration = { metadata, handler };
            collector.functions.push(registration);
            return new CoreDisposable(() => {
                const index = collector.functions.indexOf(registration);
                if (index >= 0) collector.functions.splice(index, 1);
            });
        },
        registerHook(hookName: string, callback: HookRegistration['callback']): CoreDisposable {
            const collector = requireCollector(`Registering the ${hookName} hook`);
            const registration: HookRegistration = { hookName, callback };
            collector.hooks.push(registration);
            return new CoreDisposable(() => {
                const index = collector.hooks.indexOf(registration);
                if (index >= 0) collector.hooks.splice(index, 1);
            });
        },
        log(level: SystemLogLevel, _category: string, message: string): void {
            if (state.collector) state.collector.systemLog(level, message);
            else if (level === 'warning' || level === 'error' || level === 'critical') console.warn(message);
        },
    });
    holder[STATE_KEY] = state;
    return state;
}

/**
 * Makes `require('@azure/functions-core')` return the local core API in this process, by publishing it
 * where this repository's `@azure/functions-core` package reads it. Must run before "@azure/functions"
 * first asks for it: the package caches a failed lookup for good and stays in test mode. Idempotent.
 */
export function installCoreApi(): void {
    (globalThis as unknown as Record<symbol, object | undefined>)[CORE_API_KEY] = coreState().api;
}

/**
 * Runs `load` (which imports function modules) and returns what those modules registered through
 * "@azure/functions". Loads are serialised process-wide.
 */
export function collectRegistrations(
    load: () => Promise<void>,
    systemLog: (level: SystemLogLevel, message: string) => void,
): Promise<Registrations> {
    installCoreApi();
    const state = coreState();
    const run = async (): Promise<Registrations> => {
        const collector: Collector = { functions: [], hooks: [], systemLog };
        state.collector = collector;
        try {
            await load();
        } finally {
            state.collector = undefined;
        }
        return { functions: collector.functions, hooks: collector.hooks };
    };
    const result = state.queue.then(run, run);
    state.queue = result.catch(() => undefined);
    return result;
}

/**
 * Verifies that "@azure/functions" in this process talks to the local core API rather than having
 * cached "no worker" (which happens when anything used the package before `installCoreApi`).
 * @throws {Error} explaining the load-order problem.
 */
export async function assertCoreApiConnected(): Promise<void> {
    const { app } = await import('@azure/functions');
    const probe = await collectRegistrations(() => {
        app.hook.appStart(() => undefined);
        return Promise.resolve();
    }, () => undefined);
    if (probe.hooks.length !== 1) {
        const library = createRequire(import.meta.url).resolve('@azure/functions');
        try {
            createRequire(library).resolve(CORE_MODULE_NAME);
        } catch {
            throw new Error(
                `"${CORE_MODULE_NAME}" cannot be found from "@azure/functions": run "npm ci", which links it to tools/devhost/functions-core`,
            );
        }
        throw new Error(
            '"@azure/functions" was used before the local host installed its "@azure/functions-core" and is stuck ' +
                'in test mode; start the local host before importing function modules',
        );
    }
}
