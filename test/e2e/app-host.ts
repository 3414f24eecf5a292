// The `npm start` host as a child process for end-to-end tests: spawn, wait for health, stop, and poll with deadlines.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { developmentConnectionString, parseListeningPorts, type AzuritePorts } from '../../tools/devhost/azurite-process.js';
import type { OutboxStore } from '../../shared/notify/outbox/index.js';
import { createTableOutboxStore } from '../../shared/notify/outbox/table-store.js';
import { DEAD_LETTER_TABLE_NAME, OUTBOX_TABLE_NAME } from '../../shared/platform/storage.js';
import { appEnvironment, copyBuiltApp, DEVHOST_MAIN, exitOf, freePort, signalGroup, waitUntil } from '../../tools/bench/processes.js';
import type { ReceivedRequest } from '../../tools/simulator/index.js';
import { eventually } from '../support/eventually.js';

export { eventually };

/** The repository root: the host reads `package.json` `main` and `host.json` from there. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** A running `node dist/tools/devhost/main.js`, in its own process group. */
export interface AppHost {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    readonly port: number;
    readonly pid: number;
    /** Everything the host printed so far, stdout and stderr interleaved. */
    output(): string;
    /** Kills the whole process group with SIGKILL, as a crash would, and waits until it is gone. */
    crash(): Promise<void>;
    /** SIGTERM to the process group, SIGKILL after a grace period; resolves once no process of the group is left. Safe to call twice. */
    stop(): Promise<void>;
    /** How the host process ended, or `undefined` while it runs. */
    exitStatus(): HostExit | undefined;
}

/** How a host process ended: its exit code, or the signal that ended it. */
export interface HostExit {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
}

/** What {@link startAppHost} needs: the storage connection string and the app settings of this test. */
export interface AppHostOptions {
    /** `AzureWebJobsStorage`: the test Azurite's connection string. */
    readonly storage: string;
    /** App settings (`TEAMS_WEBHOOK_<ALIAS>`, `NOTIFICATIONS_QUEUE`, ...), added to the environment. */
    readonly settings?: Readonly<Record<string, string>>;
}

/** How long a host may take to answer `GET /api/health` with 200: a cold start imports every function file. */
const HEALTH_TIMEOUT_MS = 20_000;

/** How long a host may take to exit after SIGTERM (it drains in-flight invocations) before it is killed. */
const STOP_GRACE_MS = 10_000;

/** True while any process of the group led by `pid` exists. */
export function processGroupAlive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/** Resolves to whether the group led by `pid` was gone within `timeoutMs`. */
function waitForGroupGone(pid: number, timeoutMs: number): Promise<boolean> {
    return waitUntil(() => !processGroupAlive(pid), timeoutMs);
}

/** The last `lines` lines of a host's output, for error messages. */
export function tail(text: string, lines = 40): string {
    return text.split('\n').slice(-lines).join('\n');
}

/** dist/ counts as built once nothing in it changed for this long (tsc writes file by file). */
const SETTLED_BUILD_MS = 2_000;
/** How long to wait for a build that is under way elsewhere. */
const BUILD_WAIT_MS = 30_000;

let snapshot: Promise<string> | undefined;

/** The newest modification time under `folder` (ms), or undefined when it holds no entry point yet. */
async function builtAt(folder: string): Promise<number | undefined> {
    if (!existsSync(join(folder, DEVHOST_MAIN))) {
        return undefined;
    }
    const entries = await readdir(join(folder, 'dist'), { recursive: true, withFileTypes: true });
    const times = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).mtimeMs));
    return Math.max(...times);
}

/**
 * A private copy of the built app (dist/, package.json, host.json; node_modules linked), made once per
 * test worker: a `npm run build` elsewhere (another test run, the CLI rebuilding a stale dist/) empties
 * dist/ first, and must not pull the files from under a running or starting host.
 */
function appSnapshot(): Promise<string> {
    snapshot ??= (async () => {
        await eventually(
            `a complete build in ${join(REPO_ROOT, 'dist')} (run npm run build)`,
            async () => {
                const newest = await builtAt(REPO_ROOT);
                return newest !== undefined && Date.now() - newest >= SETTLED_BUILD_MS ? true : undefined;
            },
            BUILD_WAIT_MS,
        );
        return copyBuiltApp(REPO_ROOT, await mkdtemp(join(tmpdir(), 'teams-relay-e2e-')));
    })();
    return snapshot;
}

/** Deletes the copy of the built app; call it in `afterAll`, once every host of the file has stopped. */
export async function removeAppSnapshot(): Promise<void> {
    const pending = snapshot;
    snapshot = undefined;
    if (pending !== undefined) {
        await rm(await pending, { recursive: true, force: true });
    }
}

/**
 * Spawns `node dist/tools/devhost/main.js` (what `npm start` runs after building), on a snapshot of the
 * built app, in its own process group on a free port, and resolves once `GET /api/health` answers 200. Set `E2E_HOST_OUTPUT=1` to echo
 * the host's output.
 * @example
 * const host = await startAppHost({ storage: azurite.connectionString, settings: { NOTIFICATIONS_QUEUE: 'jobs-1' } });
 * await host.stop();
 */
export async function startAppHost(options: AppHostOptions): Promise<AppHost> {
    const port = await freePort();
    const env = appEnvironment({ ...options.settings, AzureWebJobsStorage: options.storage, PORT: String(port) });
    const app = await appSnapshot();
    const child = spawn(process.execPath, [DEVHOST_MAIN, '--cwd', app], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const { pid } = child;
    if (pid === undefined) {
        throw new Error('node dist/tools/devhost/main.js did not start');
    }
    let output = '';
    const echo = process.env['E2E_HOST_OUTPUT'] === '1';
    const collect = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        output += text;
        if (echo) {
            process.stdout.write(text.replace(/^(?=.)/gm, `[host ${pid}] `));
        }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = exitOf(child);

    let stopping: Promise<void> | undefined;
    const host: AppHost = {
        url: `http://127.0.0.1:${port}`,
        port,
        pid,
        output: () => output,
        exitStatus: () => (child.exitCode === null && child.signalCode === null ? undefined : { code: child.exitCode, signal: child.signalCode }),
        async crash() {
            signalGroup(pid, 'SIGKILL');
            await exited;
            await waitForGroupGone(pid, STOP_GRACE_MS);
        },
        stop() {
            stopping ??= (async () => {
                signalGroup(pid, 'SIGTERM');
                if (!(await waitForGroupGone(pid, STOP_GRACE_MS))) {
                    signalGroup(pid, 'SIGKILL');
                    await waitForGroupGone(pid, STOP_GRACE_MS);
                }
                await exited;
                if (processGroupAlive(pid)) {
                    throw new Error(`processes of the host group ${pid} are still running after SIGKILL`);
                }
            })();
            return stopping;
        },
    };
    const exitedEarly = exited.then(() => {
        throw new Error(`node dist/tools/devhost/main.js exited before it was healthy:\n${tail(output)}`);
    });
    const healthy = eventually(
        `GET ${host.url}/api/health to answer 200`,
        async () => {
            const response = await fetch(`${host.url}/api/health`);
            await response.body?.cancel();
            return response.status === 200 ? true : undefined;
        },
        HEALTH_TIMEOUT_MS,
        () => tail(output),
    );
    try {
        await Promise.race([healthy, exitedEarly]);
    } catch (error) {
        await host.stop();
        throw error;
    } finally {
        healthy.catch(() => undefined);
        exitedEarly.catch(() => undefined);
    }
    return host;
}

/** Hosts started by one test file, stopped together in `afterEach`/`afterAll`. */
export class AppHosts {
    readonly #running: AppHost[] = [];

    /** Starts a host and remembers it for {@link stopAll}. */
    async start(options: AppHostOptions): Promise<AppHost> {
        const host = await startAppHost(options);
        this.#running.push(host);
        return host;
    }

    /** Stops every host started so far, each even when another fails to stop; then throws the first failure. */
    async stopAll(): Promise<void> {
        const hosts = this.#running.splice(0);
        const results = await Promise.allSettled(hosts.map((host) => host.stop()));
        const failed = results.find((result) => result.status === 'rejected');
        if (failed !== undefined) {
            throw failed.reason;
        }
    }

    /** The output of every host started so far, labelled by pid, for failure messages. */
    outputs(): string {
        return this.#running.map((host) => `--- host ${host.pid} ---\n${tail(host.output())}`).join('\n');
    }
}

/** A queue name no other test uses, valid for `NOTIFICATIONS_QUEUE` (leaves room for `-poison` and `-wakeup`). */
export function uniqueQueueName(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** The outbox and dead-letter store of the app, on the test's storage. */
export function openOutboxStore(connectionString: string): OutboxStore {
    return createTableOutboxStore({
        outbox: TableClient.fromConnectionString(connectionString, OUTBOX_TABLE_NAME, { allowInsecureConnection: true }),
        deadLetters: TableClient.fromConnectionString(connectionString, DEAD_LETTER_TABLE_NAME, { allowInsecureConnection: true }),
    });
}

/** A client for one queue of the test's storage. */
export function openQueue(connectionString: string, name: string): QueueClient {
    return new QueueClient(connectionString, name);
}

/**
 * The text of a notification as the webhook received it: `text` of a connector `{text}` body, or
 * the first TextBlock of an Adaptive Card envelope (the simulator parses only bodies it judged, so
 * the raw text is parsed for requests an injected fault answered).
 */
export function receivedText(record: ReceivedRequest): string | undefined {
    const body = record.json ?? parseJson(record.bodyText);
    if (typeof body !== 'object' || body === null) {
        return undefined;
    }
    if ('text' in body && typeof body.text === 'string') {
        return body.text;
    }
    if ('attachments' in body && Array.isArray(body.attachments)) {
        const [attachment] = body.attachments as unknown[];
        const content = (attachment as { content?: { body?: { text?: unknown }[] } } | undefined)?.content;
        const text = content?.body?.[0]?.text;
        return typeof text === 'string' ? text : undefined;
    }
    return undefined;
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

/** The texts a webhook received with a `delivered` outcome, in arrival order. */
export function deliveredTexts(records: readonly ReceivedRequest[]): string[] {
    return records.filter((record) => record.outcome === 'delivered').map((record) => receivedText(record) ?? '');
}

/** How long an on-disk Azurite may take to listen on its three ports (it loads its database first). */
const DISK_AZURITE_START_MS = 30_000;
/** How long an on-disk Azurite may take to save its database and exit after SIGTERM before it is killed. */
const DISK_AZURITE_STOP_MS = 10_000;
/** Ends the emulator when the test process goes away, so a crashed test run never leaves one behind. */
const AZURITE_ORPHAN_GUARD = "process.channel.unref();process.once('disconnect',()=>process.exit(0));require(process.argv[1]);";

/** An Azurite that keeps its data in a folder on disk and can be stopped and started again on the same ports. */
export interface DiskAzurite extends AzuritePorts {
    /** The development account's connection string; the same across restarts. */
    readonly connectionString: string;
    /** The folder holding the emulator's databases and message contents. */
    readonly location: string;
    /** Whether the emulator process is running. */
    running(): boolean;
    /** Starts the emulator again on the same ports and folder; resolves once all three services listen. */
    start(): Promise<void>;
    /** SIGTERM (Azurite saves its databases on the way out), SIGKILL after a grace period. Safe to call when stopped. */
    stop(): Promise<void>;
    /** Stops the emulator and deletes its folder. */
    remove(): Promise<void>;
}

/**
 * Starts Azurite with `--location <new temp folder>` (on disk, telemetry off) on three ports picked
 * free once, so {@link DiskAzurite.start} after {@link DiskAzurite.stop} brings the same storage back
 * at the same address, as a storage outage ends. Remove it in `afterAll`.
 * @example
 * const storage = await startDiskAzurite();
 * await storage.stop(); await storage.start();
 * await storage.remove();
 */
export async function startDiskAzurite(): Promise<DiskAzurite> {
    const location = await mkdtemp(join(tmpdir(), 'teams-relay-azurite-'));
    const ports: AzuritePorts = { blobPort: await freePort(), queuePort: await freePort(), tablePort: await freePort() };
    const entryPoint = createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
    let child: ChildProcess | undefined;

    async function start(): Promise<void> {
        if (child !== undefined && child.exitCode === null && child.signalCode === null) {
            return;
        }
        const args = [
            '-e', AZURITE_ORPHAN_GUARD, entryPoint,
            '--location', location,
            '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent',
            '--blobHost', '127.0.0.1', '--blobPort', String(ports.blobPort),
            '--queueHost', '127.0.0.1', '--queuePort', String(ports.queuePort),
            '--tableHost', '127.0.0.1', '--tablePort', String(ports.tablePort),
        ];
        const started = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        child = started;
        let output = '';
        const collect = (chunk: Buffer): void => {
            output += chunk.toString('utf8');
        };
        started.stdout?.on('data', collect);
        started.stderr?.on('data', collect);
        const exited = exitOf(started);
        try {
            await Promise.race([
                eventually(`Azurite listening on ${ports.blobPort}, ${ports.queuePort} and ${ports.tablePort}`, () => {
                    const found = parseListeningPorts(output);
                    return found.Blob !== undefined && found.Queue !== undefined && found.Table !== undefined ? true : undefined;
                }, DISK_AZURITE_START_MS, () => output),
                exited.then(() => {
                    throw new Error(`Azurite exited before it listened:\n${output}`);
                }),
            ]);
        } catch (error) {
            await stop();
            throw error;
        }
    }

    async function stop(): Promise<void> {
        const running = child;
        if (running === undefined || running.exitCode !== null || running.signalCode !== null) {
            return;
        }
        const exited = exitOf(running);
        running.kill('SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => { resolve(true); }, DISK_AZURITE_STOP_MS))]);
        if (timedOut) {
            running.kill('SIGKILL');
            await exited;
        }
    }

    await start();
    return {
        ...ports,
        connectionString: developmentConnectionString(ports),
        location,
        running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
        start,
        stop,
        async remove() {
            await stop();
            await rm(location, { recursive: true, force: true });
        },
    };
}

/**
 * Tears a scenario down: stops its hosts, then removes the `dist/` snapshot and runs the other stops
 * in order, even when stopping the hosts failed.
 *
 * @example
 * afterAll(() => tearDownScenario(hosts, () => sim?.stop(), () => azurite?.stop()));
 */
export async function tearDownScenario(hosts: AppHosts, ...stops: readonly (() => Promise<unknown> | undefined)[]): Promise<void> {
    try {
        await hosts.stopAll();
    } finally {
        await removeAppSnapshot();
        for (const stop of stops) {
            await stop();
        }
    }
}
