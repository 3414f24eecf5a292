// Runs Azurite (blob, queue, table; in memory, no telemetry) as a child process and reports its ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { DEVELOPMENT_ACCOUNT_KEY, DEVELOPMENT_ACCOUNT_NAME } from '../../shared/platform/azure.js';

/** How long Azurite may take to listen on all three ports; it usually needs about one second. */
const STARTUP_TIMEOUT_MS = 30_000;
/** How long Azurite may take to close its servers after SIGTERM before it is killed. */
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** Azurite prints one line like this per service once it listens (dist/src/azurite.js). */
const LISTENING_LINE = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/[^:\s]+:(\d+)/g;
/**
 * Runs inside the child before Azurite: it must not keep the child alive through the IPC channel, and it
 * ends the child when the parent goes away, so a crashed parent never leaves an emulator behind.
 */
const ORPHAN_GUARD =
    "process.channel.unref();process.once('disconnect',()=>process.exit(0));require(process.argv[1]);";

/** Ports to listen on; 0 picks a free one. */
export interface AzuritePorts {
    readonly blobPort: number;
    readonly queuePort: number;
    readonly tablePort: number;
}

/** A running Azurite child process. */
export interface AzuriteProcess extends AzuritePorts {
    /** Process id of the emulator. */
    readonly pid: number;
    /** A connection string for the development account on this emulator's ports. */
    readonly connectionString: string;
    /** Stops the emulator (SIGTERM, then SIGKILL after a grace period); safe to call twice. */
    stop(): Promise<void>;
}

/**
 * Builds the development-account connection string for Azurite on the given ports.
 * @example developmentConnectionString({ blobPort: 10000, queuePort: 10001, tablePort: 10002 })
 */
export function developmentConnectionString(ports: AzuritePorts, host = '127.0.0.1'): string {
    const endpoints = { Blob: ports.blobPort, Queue: ports.queuePort, Table: ports.tablePort };
    const account = ['DefaultEndpointsProtocol=http', `AccountName=${DEVELOPMENT_ACCOUNT_NAME}`, `AccountKey=${DEVELOPMENT_ACCOUNT_KEY}`];
    const services = Object.entries(endpoints).map(([service, port]) => `${service}Endpoint=http://${host}:${port}/${DEVELOPMENT_ACCOUNT_NAME}`);
    return `${[...account, ...services].join(';')};`;
}

/** Path of Azurite's command-line entry point inside the installed package. */
function azuriteEntryPoint(): string {
    const require = createRequire(import.meta.url);
    return require.resolve('azurite/dist/src/azurite.js');
}

/**
 * Parses Azurite's start-up output into the ports it listens on, once all three are known.
 * @example parseListeningPorts('Azurite Queue service is successfully listening at http://127.0.0.1:10001')
 */
export function parseListeningPorts(output: string): Partial<Record<'Blob' | 'Queue' | 'Table', number>> {
    const ports: Partial<Record<'Blob' | 'Queue' | 'Table', number>> = {};
    for (const match of output.matchAll(LISTENING_LINE)) {
        const service = match[1] as 'Blob' | 'Queue' | 'Table';
        ports[service] = Number(match[2]);
    }
    return ports;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            child.off('exit', onExit);
            resolve(false);
        }, timeoutMs);
        const onExit = (): void => {
            clearTimeout(timer);
            resolve(true);
        };
        child.once('exit', onExit);
    });
}

/**
 * Starts Azurite in memory with telemetry off on the given ports (0 = any free port) and resolves once
 * all three services listen.
 * @example const azurite = await spawnAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 }); await azurite.stop();
 */
export async function spawnAzurite(ports: AzuritePorts, host = '127.0.0.1'): Promise<AzuriteProcess> {
    const args = [
        '-e',
        ORPHAN_GUARD,
        azuriteEntryPoint(),
        '--inMemoryPersistence',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--loose',
        '--silent',
        '--blobHost', host, '--blobPort', String(ports.blobPort),
        '--queueHost', host, '--queuePort', String(ports.queuePort),
        '--tableHost', host, '--tablePort', String(ports.tablePort),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const pid = child.pid;
    if (pid === undefined) throw new Error('Azurite could not be started: spawning node failed');

    let output = '';
    const listening = await new Promise<AzuritePorts>((resolve, reject) => {
        const timer = setTimeout(() => {
            fail(new Error(`Azurite did not listen within ${STARTUP_TIMEOUT_MS} ms. Output:\n${output}`));
        }, STARTUP_TIMEOUT_MS);
        const onData = (chunk: Buffer): void => {
            output += chunk.toString('utf8');
            const found = parseListeningPorts(output);
            if (found.Blob !== undefined && found.Queue !== undefined && found.Table !== undefined) {
                cleanup();
                resolve({ blobPort: found.Blob, queuePort: found.Queue, tablePort: found.Table });
            }
        };
        const onExit = (code: number | null): void => {
            fail(new Error(`Azurite exited with code ${String(code)} before listening. Output:\n${output}`));
        };
        const cleanup = (): void => {
            clearTimeout(timer);
            child.stdout?.off('data', onData);
            child.stderr?.off('data', onData);
            child.off('exit', onExit);
        };
        const fail = (error: Error): void => {
            cleanup();
            child.kill('SIGKILL');
            reject(error);
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', onExit);
    });
    // Keep draining the pipes so a chatty emulator never blocks on a full buffer.
    child.stdout?.resume();
    child.stderr?.resume();

    let stopping: Promise<void> | undefined;
    return {
        pid,
        ...listening,
        connectionString: developmentConnectionString(listening, host),
        stop(): Promise<void> {
            stopping ??= (async () => {
                if (child.exitCode !== null || child.signalCode !== null) return;
                child.kill('SIGTERM');
                if (!(await waitForExit(child, SHUTDOWN_TIMEOUT_MS))) {
                    child.kill('SIGKILL');
                    await waitForExit(child, SHUTDOWN_TIMEOUT_MS);
                }
            })();
            return stopping;
        },
    };
}
