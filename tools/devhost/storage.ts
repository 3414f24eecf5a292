// Storage for the local host: resolves connections, starts the embedded Azurite when needed, creates queues.
import { connect } from 'node:net';
import { QueueServiceClient } from '@azure/storage-queue';
import { developmentConnectionString, spawnAzurite, type AzuriteProcess, type AzuritePorts } from './azurite-process.js';
import type { HostLog } from './log.js';
import type { Environment } from './settings.js';

/** The storage emulator's fixed ports (Microsoft Learn, "Use Azurite": blob 10000, queue 10001, table 10002). */
const EMULATOR_PORTS: AzuritePorts = { blobPort: 10000, queuePort: 10001, tablePort: 10002 };
/** The connection string that means "the local emulator" (Microsoft Learn, storage connection strings). */
export const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';
/** How long to wait for a port probe to connect; loopback answers at once. */
const PORT_PROBE_TIMEOUT_MS = 1_000;

/** Suffixes of identity-based connection settings (Microsoft Learn, "Identity-based connections"). */
const IDENTITY_SUFFIXES = ['__accountName', '__queueServiceUri', '__serviceUri', '__credential'] as const;

/** True for `UseDevelopmentStorage=true` (any case, optionally with more options). */
export function isDevelopmentStorage(connectionString: string): boolean {
    return /^\s*UseDevelopmentStorage\s*=\s*true\s*(;|$)/i.test(connectionString);
}

/**
 * Finds the connection string for a binding's `connection` setting: the setting itself, then
 * `AzureWebJobs<name>`, as the host looks them up.
 * @throws {Error} naming the setting when it is missing or identity-based (which needs `@azure/identity`).
 */
export function resolveConnectionString(name: string, env: Environment): string {
    for (const key of [name, `AzureWebJobs${name}`]) {
        const value = env[key];
        if (value !== undefined && value !== '') return value;
    }
    const identityKey = [name, `AzureWebJobs${name}`]
        .flatMap((key) => IDENTITY_SUFFIXES.map((suffix) => `${key}${suffix}`))
        .find((key) => env[key] !== undefined);
    if (identityKey !== undefined) {
        throw new Error(
            `Storage connection "${name}" is identity-based (${identityKey}); the local host supports only ` +
                `connection strings. Set "${name}" to a connection string or to ${DEVELOPMENT_STORAGE}.`,
        );
    }
    throw new Error(`Storage connection "${name}" is not configured: set the app setting "${name}"`);
}

/** The concrete connection string for the emulator on its fixed ports, or `connectionString` itself. */
export function expandConnectionString(connectionString: string): string {
    return isDevelopmentStorage(connectionString) ? developmentConnectionString(EMULATOR_PORTS) : connectionString;
}

/** Resolves whether something accepts TCP connections on `port` of 127.0.0.1. */
export function isPortListening(port: number, host = '127.0.0.1'): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect({ port, host });
        const finish = (listening: boolean): void => {
            socket.destroy();
            resolve(listening);
        };
        socket.setTimeout(PORT_PROBE_TIMEOUT_MS, () => { finish(false); });
        socket.once('connect', () => { finish(true); });
        socket.once('error', () => { finish(false); });
    });
}

/** Storage the local host is using. */
export interface LocalStorage {
    /** A human-readable description for the start-up banner. */
    readonly description: string;
    /** The embedded emulator, when the host started one. */
    readonly embedded: AzuriteProcess | undefined;
    /** A queue service client for a binding's connection setting. */
    queueService(connection: string): QueueServiceClient;
    /** Stops the embedded emulator, if any. */
    stop(): Promise<void>;
}

/**
 * Prepares storage for the given connection settings: when one of them is `UseDevelopmentStorage=true` and
 * nothing listens on the emulator ports, starts an in-memory Azurite on them.
 * @throws {Error} naming the setting that cannot be used, or the emulator ports that are half taken.
 */
export async function prepareStorage(connections: readonly string[], env: Environment, log: HostLog): Promise<LocalStorage> {
    const resolved = new Map(connections.map((name) => [name, resolveConnectionString(name, env)]));
    const needsEmulator = [...resolved.values()].some(isDevelopmentStorage);
    let embedded: AzuriteProcess | undefined;
    let description = [...new Set([...resolved.entries()].map(([name, value]) => `${name}: ${describeConnection(value)}`))].join(', ');
    if (needsEmulator) {
        const ports = [EMULATOR_PORTS.blobPort, EMULATOR_PORTS.queuePort, EMULATOR_PORTS.tablePort];
        const listening = await Promise.all(ports.map((port) => isPortListening(port)));
        if (listening.every((taken) => !taken)) {
            log('info', 'Starting embedded Azurite (in memory) on ports 10000-10002');
            embedded = await spawnAzurite(EMULATOR_PORTS);
            description = `embedded Azurite (in memory, pid ${embedded.pid}) on http://127.0.0.1:10000-10002`;
        } else if (listening.every(Boolean)) {
            description = 'the storage emulator already listening on http://127.0.0.1:10000-10002';
        } else {
            const taken = ports.filter((_port, index) => listening[index]).join(', ');
            throw new Error(
                `UseDevelopmentStorage=true needs Azurite on ports 10000-10002, but only ${taken} listen(s); ` +
                    'stop whatever holds them or start a full Azurite',
            );
        }
    }
    const clients = new Map<string, QueueServiceClient>();
    return {
        description,
        embedded,
        queueService(connection: string): QueueServiceClient {
            const existing = clients.get(connection);
            if (existing) return existing;
            const connectionString = resolved.get(connection) ?? resolveConnectionString(connection, env);
            const client = QueueServiceClient.fromConnectionString(expandConnectionString(connectionString));
            clients.set(connection, client);
            return client;
        },
        async stop(): Promise<void> {
            await embedded?.stop();
        },
    };
}

/** Describes a connection string without its key. */
export function describeConnection(connectionString: string): string {
    if (isDevelopmentStorage(connectionString)) return DEVELOPMENT_STORAGE;
    const parts = new Map(
        connectionString
            .split(';')
            .map((part) => part.split('=', 2))
            .filter((pair): pair is [string, string] => pair.length === 2)
            .map(([key, value]) => [key.toLowerCase(), value]),
    );
    const queueEndpoint = parts.get('queueendpoint');
    if (queueEndpoint !== undefined) return queueEndpoint;
    const account = parts.get('accountname');
    return account === undefined ? 'a connection string' : `account ${account}`;
}
