// Runs the app's function modules the way the Functions host does: settings, registration, storage, HTTP, queues, timers.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveFunctionFiles, readMainPattern } from './function-files.js';
import { readHostSettings, type HostSettings, type QueueOptions } from './host-json.js';
import { compileRoutes, startHttpServer, type RunningHttpServer } from './http-server.js';
import { InFlightInvocations } from './invocation.js';
import { consoleLog, toHostLogLevel, type HostLog } from './log.js';
import { POISON_QUEUE_SUFFIX, startQueueListener, type QueueListener } from './queue-listener.js';
import { isRunHook, runAppHooks, withInvocationHooks, type AppHooks } from './hooks.js';
import { assertCoreApiConnected, collectRegistrations, installCoreApi } from './registry.js';
import {
    applyEnvironment,
    DEFAULT_REQUEST_BODY_SIZE_LIMIT,
    hostFromEnvironment,
    isLoopback,
    planEnvironment,
    portFromEnvironment,
    readLocalSettings,
    REQUEST_BODY_SIZE_SETTING,
    requestBodyLimitFromEnvironment,
} from './settings.js';
import { DEVELOPMENT_STORAGE, prepareStorage, type LocalStorage } from './storage.js';
import { startTimerListener, type TimerListener } from './timer-listener.js';
import {
    DEFAULT_STORAGE_CONNECTION,
    toLocalFunction,
    type HttpFunction,
    type LocalFunction,
    type QueueFunction,
    type TimerFunction,
} from './triggers.js';

/** How long a stop waits for running invocations before closing anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Options of {@link startLocalHost}. */
interface LocalHostOptions {
    /** Port for HTTP functions; 0 picks a free one. @default `PORT` from the settings, else 7071 */
    readonly port?: number;
    /** Address to listen on. @default `HOST` from the settings, else 127.0.0.1 (loopback only) */
    readonly host?: string;
    /** Project folder holding package.json, host.json and local.settings.json. @default process.cwd() */
    readonly cwd?: string;
    /** Function entry points (paths or globs, relative to `cwd`). @default package.json `main` */
    readonly functionFiles?: string | readonly string[];
    /** Settings that win over the environment and local.settings.json; restored on stop. */
    readonly env?: Readonly<Record<string, string>>;
    /** Overrides of host.json `extensions.queues` (durations in ms). */
    readonly queues?: Partial<QueueOptions>;
    /** Log sink. @default consoleLog */
    readonly log?: HostLog;
}

/** A function as the local host serves it. */
type LocalFunctionInfo =
    | { readonly kind: 'http'; readonly name: string; readonly methods: readonly string[] | undefined; readonly url: string; readonly authLevel: string }
    | { readonly kind: 'queue'; readonly name: string; readonly queueName: string; readonly connection: string }
    | {
          readonly kind: 'timer';
          readonly name: string;
          /** The schedule expression after `%SETTING%` resolution. */
          readonly schedule: string;
          readonly runOnStartup: boolean;
          /** The next scheduled occurrence (UTC) when the host started. */
          readonly nextRun: Date;
      }
    | { readonly kind: 'unsupported'; readonly name: string; readonly triggerType: string };

/** A running local host. */
export interface LocalHost {
    /** Base URL, e.g. `http://127.0.0.1:7071`: the listen address, or loopback when it listens on every interface. */
    readonly url: string;
    readonly port: number;
    /** The address it listens on, e.g. `127.0.0.1` or `0.0.0.0`. */
    readonly host: string;
    /** What storage is in use, for people. */
    readonly storage: string;
    /** Process id of the embedded Azurite, when the host started one. */
    readonly embeddedAzuritePid: number | undefined;
    readonly functions: readonly LocalFunctionInfo[];
    /** Stops polling and timers, lets running invocations finish (bounded), closes the server and the embedded Azurite. */
    stop(): Promise<void>;
}

/** Module URLs this process has imported already; importing them again needs a fresh URL to re-register. */
const importedModules = new Map<string, number>();

async function importFunctionModule(file: string): Promise<void> {
    const url = pathToFileURL(file).href;
    const count = importedModules.get(url) ?? 0;
    importedModules.set(url, count + 1);
    await import(count === 0 ? url : `${url}?load=${count}`);
}

function functionInfo(fn: LocalFunction, baseUrl: string, routePrefix: string, timers: ReadonlyMap<TimerFunction, TimerListener>): LocalFunctionInfo {
    switch (fn.kind) {
        case 'http': {
            const path = [routePrefix, fn.route].filter((part) => part !== '').join('/');
            return { kind: 'http', name: fn.name, methods: fn.methods, url: `${baseUrl}/${path}`, authLevel: fn.authLevel };
        }
        case 'queue':
            return { kind: 'queue', name: fn.name, queueName: fn.queueName, connection: fn.connection };
        case 'timer': {
            const listener = timers.get(fn);
            if (!listener) throw new Error(`Timer function "${fn.name}" has no listener`);
            return { kind: 'timer', name: fn.name, schedule: fn.schedule.expression, runOnStartup: fn.runOnStartup, nextRun: listener.nextRun };
        }
        case 'unsupported':
            return fn;
    }
}

/** The host part of a URL that reaches `host`: loopback for a wildcard address, brackets around IPv6. */
function urlHost(host: string): string {
    if (host === '0.0.0.0') return '127.0.0.1';
    if (host === '::') return '[::1]';
    return host.includes(':') ? `[${host}]` : host;
}

/** Runs the appStart or appTerminate hooks; a failing appStart stops the start (as it fails the worker's), a failing appTerminate is logged. */
async function runAppLifecycleHooks(hooks: AppHooks, name: 'appStart' | 'appTerminate', log: HostLog): Promise<void> {
    try {
        await runAppHooks(hooks, name);
    } catch (error) {
        log('error', `The ${name} hook failed: ${String(error)}`);
        if (name === 'appStart') throw error;
    }
}

/**
 * Starts the local host in this process and resolves once storage, queues, pollers and the HTTP server
 * are ready.
 * @throws {Error} naming the bad setting, file or port; everything started so far is stopped again.
 * @example const host = await startLocalHost({ port: 0 }); await fetch(`${host.url}/api/health`); await host.stop();
 */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
    installCoreApi();
    const log = options.log ?? consoleLog;
    const cwd = resolve(options.cwd ?? process.cwd());
    const cleanups: (() => Promise<void> | void)[] = [];
    const cleanUp = async (): Promise<void> => {
        for (const cleanup of cleanups.reverse()) {
            try {
                await cleanup();
            } catch (error) {
                log('warn', `Shutdown step failed: ${String(error)}`);
            }
        }
        cleanups.length = 0;
    };
    try {
        const localValues = await readLocalSettings(cwd);
        const changes = planEnvironment({ current: process.env, localValues, overrides: options.env ?? {} });
        if (process.env[DEFAULT_STORAGE_CONNECTION] === undefined && changes[DEFAULT_STORAGE_CONNECTION] === undefined) {
            changes[DEFAULT_STORAGE_CONNECTION] = DEVELOPMENT_STORAGE;
        }
        cleanups.push(applyEnvironment(changes));
        const port = options.port ?? portFromEnvironment(process.env);
        const listen = options.host === undefined ? hostFromEnvironment(process.env) : { host: options.host, loopback: isLoopback(options.host) };
        const maxBodyBytes = requestBodyLimitFromEnvironment(process.env);

        const fromHostJson = await readHostSettings(cwd);
        const settings: HostSettings = { ...fromHostJson, queues: { ...fromHostJson.queues, ...options.queues } };

        const patterns = options.functionFiles ?? (await readMainPattern(cwd));
        const patternList = typeof patterns === 'string' ? [patterns] : [...patterns];
        const files = [...new Set((await Promise.all(patternList.map((pattern) => resolveFunctionFiles(pattern, cwd)))).flat())];
        if (files.length === 0) {
            throw new Error(`No function files match ${patternList.join(', ')} in ${cwd}; run "npm run build" first`);
        }

        await assertCoreApiConnected();
        const registrations = await collectRegistrations(async () => {
            for (const file of files) {
                try {
                    await importFunctionModule(file);
                } catch (error) {
                    throw new Error(`Loading function module ${file} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
                }
            }
        }, (level, message) => { log(toHostLogLevel(level), message); });

        const hooks: AppHooks = { registered: registrations.hooks, appHookData: {}, appLevelHookData: {}, functionAppDirectory: cwd };
        const functions = registrations.functions.map((registration) => toLocalFunction(withInvocationHooks(registration, hooks), process.env));
        const names = new Set<string>();
        for (const fn of functions) {
            if (names.has(fn.name.toLowerCase())) throw new Error(`Function name "${fn.name}" is registered twice`);
            names.add(fn.name.toLowerCase());
            if (fn.kind === 'unsupported') log('warn', `Function "${fn.name}" has a ${fn.triggerType} trigger, which the local host does not run`);
            if (fn.kind === 'http' && fn.authLevel !== 'anonymous') {
                log('info', `Function "${fn.name}" has authLevel "${fn.authLevel}"; keys are not enforced locally (as with func start)`);
            }
        }
        for (const hook of registrations.hooks) {
            if (!isRunHook(hook.hookName)) log('warn', `The ${hook.hookName} hook is not run by the local host`);
        }
        const httpFunctions = functions.filter((fn): fn is HttpFunction => fn.kind === 'http');
        const queueFunctions = functions.filter((fn): fn is QueueFunction => fn.kind === 'queue');
        const timerFunctions = functions.filter((fn): fn is TimerFunction => fn.kind === 'timer');

        const connections = [...new Set(queueFunctions.map((fn) => fn.connection))];
        const optionalDefault = connections.includes(DEFAULT_STORAGE_CONNECTION) ? [] : [DEFAULT_STORAGE_CONNECTION];
        let storage: LocalStorage;
        try {
            storage = await prepareStorage([...connections, ...optionalDefault], process.env, log);
        } catch (error) {
            if (optionalDefault.length === 0) throw error;
            // The app's own code may use AzureWebJobsStorage differently; the host itself needs only the triggers' connections.
            log('warn', `${DEFAULT_STORAGE_CONNECTION}: ${(error as Error).message}`);
            storage = await prepareStorage(connections, process.env, log);
        }
        cleanups.push(() => storage.stop());
        if (storage.embedded) {
            // The embedded emulator listens on the fixed ports that UseDevelopmentStorage=true points at.
            log('debug', `Embedded Azurite pid ${storage.embedded.pid}`);
        }

        for (const fn of queueFunctions) {
            const service = storage.queueService(fn.connection);
            await service.getQueueClient(fn.queueName).createIfNotExists();
            if (storage.embedded) await service.getQueueClient(`${fn.queueName}${POISON_QUEUE_SUFFIX}`).createIfNotExists();
        }

        const inFlight = new InFlightInvocations();
        const listeners: QueueListener[] = queueFunctions.map((fn) => {
            const service = storage.queueService(fn.connection);
            return startQueueListener({
                fn,
                queue: service.getQueueClient(fn.queueName),
                poisonQueue: service.getQueueClient(`${fn.queueName}${POISON_QUEUE_SUFFIX}`),
                settings: settings.queues,
                inFlight,
                log,
            });
        });
        cleanups.push(async () => {
            await Promise.all(listeners.map((listener) => listener.stop()));
        });

        await runAppLifecycleHooks(hooks, 'appStart', log);
        cleanups.push(() => runAppLifecycleHooks(hooks, 'appTerminate', log));

        let server: RunningHttpServer;
        try {
            server = await startHttpServer({ routes: compileRoutes(httpFunctions, settings.routePrefix), inFlight, log, maxBodyBytes }, port, listen.host);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'EADDRINUSE') {
                throw new Error(`Port ${port} is already in use; set PORT to another port (0 picks a free one)`, { cause: error });
            }
            if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
                throw new Error(`HOST ${listen.host} is not an address of this machine; set HOST to one (default 127.0.0.1)`, { cause: error });
            }
            throw error;
        }
        if (!listen.loopback) {
            log(
                'warn',
                `Listening on ${listen.host}, beyond this machine: function keys are not enforced locally, so anyone who can reach port ${server.port} can call every function (POST /api/notifications included). Unset HOST to listen on 127.0.0.1 only.`,
            );
        }
        if (maxBodyBytes !== DEFAULT_REQUEST_BODY_SIZE_LIMIT) {
            log('debug', `Request bodies over ${maxBodyBytes} bytes are refused (${REQUEST_BODY_SIZE_SETTING})`);
        }
        cleanups.push(() => server.close());

        // Started last, so a start-up run never begins in a host that then fails to start.
        const timers = new Map(timerFunctions.map((fn) => [fn, startTimerListener({ fn, inFlight, log })]));
        const stopTimers = (): void => {
            for (const listener of timers.values()) listener.stop();
        };
        cleanups.push(stopTimers);

        const url = `http://${urlHost(listen.host)}:${server.port}`;
        let stopping: Promise<void> | undefined;
        return {
            url,
            port: server.port,
            host: listen.host,
            storage: storage.description,
            embeddedAzuritePid: storage.embedded?.pid,
            functions: functions.map((fn) => functionInfo(fn, url, settings.routePrefix, timers)),
            stop(): Promise<void> {
                stopping ??= (async () => {
                    server.stopAccepting();
                    await Promise.all(listeners.map((listener) => listener.stop()));
                    stopTimers();
                    if (!(await inFlight.drain(SHUTDOWN_GRACE_MS))) {
                        log('warn', `${inFlight.size} invocation(s) still running after ${SHUTDOWN_GRACE_MS} ms; stopping anyway`);
                    }
                    await cleanUp();
                })();
                return stopping;
            },
        };
    } catch (error) {
        await cleanUp();
        throw error;
    }
}
