/** What the benchmarks start: a snapshot of the built app, Azurite, the local host and plain Node children, each stopped by a cleanup stack. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { copyFile, cp, mkdtemp, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAzurite, type AzuriteProcess } from '../devhost/azurite-process.js';

/** The repository root (this file runs from `dist/tools/bench/`). */
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** The built entry point of `npm start`, relative to an app folder. */
export const DEVHOST_MAIN = join('dist', 'tools', 'devhost', 'main.js');

/** How long the host may take to answer `GET /api/health` with 200 (it imports every function file). */
const HEALTH_TIMEOUT_MS = 30_000;
/** How long a child may take to exit after SIGTERM before the group is killed. */
const STOP_GRACE_MS = 10_000;
/** Pause between two probes of {@link waitUntil}. */
const POLL_INTERVAL_MS = 50;
/** Output kept per child for error messages. */
const MAX_KEPT_OUTPUT_CHARS = 16_384;
/** How long a child may take to print its first line (a port). */
const FIRST_LINE_TIMEOUT_MS = 15_000;

/** Settings the app reads: never inherited from the shell that starts a host, so they cannot leak into a run. */
const APP_SETTING =
    /^(AzureWebJobsStorage|TEAMS_|ALLOWED_WEBHOOK_HOSTS$|ALLOW_URL_TARGETS$|NOTIFICATIONS_QUEUE$|MENTION_REPLY_BUDGET_MS$|MENTION_MAX_AGE_SECONDS$|DELIVERY_|RETRY_MAX_AGE_SECONDS$|RATE_LIMIT_GUARD_MS$|SWEEP_SCHEDULE$|DIGEST_AFTER_SECONDS$|PORT$|HOST$|FUNCTIONS_REQUEST_BODY_SIZE_LIMIT$|ROUTES_ALERTS$)/;

/** Every cleanup with something still to stop, so a timed-out or interrupted run can stop it all. */
const LIVE_CLEANUPS = new Set<Cleanup>();

/** Stops, in reverse order, everything a benchmark started; each stop runs even when another fails. */
export class Cleanup {
    readonly #stops: (() => Promise<void>)[] = [];

    /** Registers `stop`; returns `value` for chaining. */
    add<T>(value: T, stop: () => Promise<void>): T {
        this.#stops.push(stop);
        LIVE_CLEANUPS.add(this);
        return value;
    }

    /** Runs every registered stop, last first; throws the first failure after all have run. */
    async run(): Promise<void> {
        LIVE_CLEANUPS.delete(this);
        let failure: unknown;
        for (const stop of this.#stops.splice(0).reverse()) {
            try {
                await stop();
            } catch (error) {
                failure ??= error;
            }
        }
        if (failure !== undefined) throw failure instanceof Error ? failure : new Error('a cleanup step failed', { cause: failure });
    }
}

/** Stops everything any benchmark started and has not stopped yet (after a timeout or a signal). */
export async function stopEverything(): Promise<void> {
    const results = await Promise.allSettled([...LIVE_CLEANUPS].map((cleanup) => cleanup.run()));
    const failed = results.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port assigned');
    return address.port;
}

/** Resolves after `ms` of real time. */
export function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true or `timeoutMs` passes; resolves to whether it became true. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() <= deadline) {
        if (await probe()) return true;
        await delay(POLL_INTERVAL_MS);
    }
    return probe();
}

let snapshot: Promise<string> | undefined;

/**
 * A private copy of the built app (dist/, package.json, host.json; node_modules linked), made once per
 * run, so a rebuild of dist/ elsewhere cannot pull files from under a running child. Removed at exit.
 */
export function appSnapshot(): Promise<string> {
    snapshot ??= (async () => {
        const folder = await mkdtemp(join(tmpdir(), 'teams-relay-bench-'));
        process.once('exit', () => {
            rmSync(folder, { recursive: true, force: true });
        });
        return copyBuiltApp(REPO_ROOT, folder);
    })();
    return snapshot;
}

/**
 * Copies what the local host runs from the repository at `root` into `folder`: dist/, package.json and
 * host.json, with node_modules linked. Resolves to `folder`.
 */
export async function copyBuiltApp(root: string, folder: string): Promise<string> {
    await cp(join(root, 'dist'), join(folder, 'dist'), { recursive: true });
    await copyFile(join(root, 'package.json'), join(folder, 'package.json'));
    await copyFile(join(root, 'host.json'), join(folder, 'host.json'));
    await symlink(join(root, 'node_modules'), join(folder, 'node_modules'), 'dir');
    return folder;
}

/** Starts an in-memory Azurite on free ports and registers its stop. */
export async function startBenchAzurite(cleanup: Cleanup): Promise<AzuriteProcess> {
    const azurite = await spawnAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
    return cleanup.add(azurite, () => azurite.stop());
}

/** A Node child process in its own process group. */
interface NodeChild {
    readonly pid: number;
    /** The last output of the child, stdout and stderr interleaved. */
    output(): string;
    /** SIGTERM to the group, SIGKILL after a grace period; resolves once the child exited. Safe to call twice. */
    stop(): Promise<void>;
}

/** Sends `signal` to every process of the group led by `pid`; a group already gone is no error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
}

/** Resolves once `child` has exited (at once when it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => { resolve(); }));
}

/** The inherited environment without any app setting, plus `settings`. */
export function appEnvironment(settings: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (!APP_SETTING.test(key)) env[key] = value;
    }
    return { ...env, ...settings };
}

/** Spawns `node <args>` in `cwd`, detached into its own group, keeping the tail of its output; registers its stop. */
export function spawnNode(cleanup: Cleanup, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): NodeChild & { readonly exited: Promise<void>; onOutput(listener: (text: string) => void): void } {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const { pid } = child;
    if (pid === undefined) throw new Error(`node ${args.join(' ')} did not start`);
    let output = '';
    const listeners: ((text: string) => void)[] = [];
    const collect = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        output = (output + text).slice(-MAX_KEPT_OUTPUT_CHARS);
        for (const listener of listeners) listener(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = exitOf(child);
    let stopping: Promise<void> | undefined;
    const handle = {
        pid,
        exited,
        output: () => output,
        onOutput: (listener: (text: string) => void) => {
            listeners.push(listener);
        },
        stop: () => {
            stopping ??= (async () => {
                if (child.exitCode !== null || child.signalCode !== null) return;
                signalGroup(pid, 'SIGTERM');
                const timer = delay(STOP_GRACE_MS).then(() => 'timeout' as const);
                if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
                    signalGroup(pid, 'SIGKILL');
                    await exited;
                }
                // Anything the child left in its group goes too.
                signalGroup(pid, 'SIGKILL');
            })();
            return stopping;
        },
    };
    return cleanup.add(handle, () => handle.stop());
}

/** Resolves with the first line a child prints on stdout or stderr (a child server announces its port so). */
export function firstLine(child: ReturnType<typeof spawnNode>): Promise<string> {
    return new Promise((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => {
            reject(new Error(`no output within ${FIRST_LINE_TIMEOUT_MS} ms:\n${child.output()}`));
        }, FIRST_LINE_TIMEOUT_MS);
        child.onOutput((chunk) => {
            text += chunk;
            const end = text.indexOf('\n');
            if (end >= 0) {
                clearTimeout(timer);
                resolve(text.slice(0, end).trim());
            }
        });
        void child.exited.then(() => {
            clearTimeout(timer);
            reject(new Error(`the child exited before printing a line:\n${child.output()}`));
        });
    });
}

/** A running `node dist/tools/devhost/main.js`. */
interface BenchHost extends NodeChild {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
}

/**
 * Starts the local host of `npm start` (`node dist/tools/devhost/main.js`) on a snapshot of the build, with
 * `storage` as `AzureWebJobsStorage` and `settings` added, and resolves once `GET /api/health` is 200.
 */
export async function startBenchHost(cleanup: Cleanup, storage: string, settings: Readonly<Record<string, string>>): Promise<BenchHost> {
    const port = await freePort();
    const app = await appSnapshot();
    const env = appEnvironment({ ...settings, AzureWebJobsStorage: storage, PORT: String(port) });
    const child = spawnNode(cleanup, [DEVHOST_MAIN, '--cwd', app], app, env);
    const url = `http://127.0.0.1:${port}`;
    const status = { exited: false };
    void child.exited.then(() => {
        status.exited = true;
    });
    const healthy = await waitUntil(async () => {
        if (status.exited) return true;
        try {
            const response = await fetch(`${url}/api/health`);
            await response.body?.cancel();
            return response.status === 200;
        } catch {
            return false;
        }
    }, HEALTH_TIMEOUT_MS);
    if (!healthy || status.exited) {
        await child.stop();
        throw new Error(`the local host did not become healthy:\n${child.output()}`);
    }
    return { ...child, url };
}
