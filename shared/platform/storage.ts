/** Azure Storage clients built from the app's storage setting, in one place: connection strings, the emulator and managed identity. */
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

import type { StorageSetting } from './config.js';
import { createLazyCredential } from './identity.js';

export { createLazyCredential } from './identity.js';

/** The outbox table: one partition per webhook (pending jobs, job index, sending state). Table names are letters and digits only. */
export const OUTBOX_TABLE_NAME = 'TeamsRelayOutbox';

/** The dead-letter table. */
export const DEAD_LETTER_TABLE_NAME = 'TeamsRelayDeadLetters';

export { WAKEUP_QUEUE_SUFFIX, wakeupQueueName } from './queue-names.js';

/** The emulator's well-known account (Microsoft Learn, "Use the Azurite emulator", connection strings). */
export const DEVELOPMENT_ACCOUNT_NAME = 'devstoreaccount1';

/** The emulator account's published key (Microsoft Learn, "Use the Azurite emulator", HTTP connection strings). */
export const DEVELOPMENT_ACCOUNT_KEY =
    'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The emulator's default ports (Microsoft Learn, "Use the Azurite emulator": blob 10000, queue 10001, table 10002). */
export const DEVELOPMENT_STORAGE_PORTS = { blob: 10_000, queue: 10_001, table: 10_002 } as const;

/** The emulator's default host. */
const DEVELOPMENT_STORAGE_HOST = '127.0.0.1';

/** `UseDevelopmentStorage=true`, in any case, optionally followed by more options (which are ignored). */
const DEVELOPMENT_STORAGE_PATTERN = /^\s*UseDevelopmentStorage\s*=\s*true\s*(;|$)/i;

/** Host suffixes of public-cloud storage endpoints for identity-based settings given only an account name. */
const PUBLIC_QUEUE_HOST_SUFFIX = 'queue.core.windows.net';
const PUBLIC_TABLE_HOST_SUFFIX = 'table.core.windows.net';

/** True for `UseDevelopmentStorage=true` (any case, optionally with more options). */
export function isDevelopmentStorage(connectionString: string): boolean {
    return DEVELOPMENT_STORAGE_PATTERN.test(connectionString);
}

/**
 * The connection string as both SDKs take it: for `UseDevelopmentStorage=true` the emulator's full
 * connection string on its default ports (both SDKs know the shortcut, but only `@azure/data-tables`
 * accepts it in any case and with spaces; expanding it here gives one behaviour for both), and an
 * account-key string without `DefaultEndpointsProtocol` completed with its endpoints' protocol.
 *
 * @example
 * expandConnectionString('UseDevelopmentStorage=true');
 * // 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;...;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;...'
 */
export function expandConnectionString(connectionString: string): string {
    if (!isDevelopmentStorage(connectionString)) {
        return withEndpointsProtocol(connectionString);
    }
    const endpoint = (port: number): string => `http://${DEVELOPMENT_STORAGE_HOST}:${port}/${DEVELOPMENT_ACCOUNT_NAME}`;
    return [
        'DefaultEndpointsProtocol=http',
        `AccountName=${DEVELOPMENT_ACCOUNT_NAME}`,
        `AccountKey=${DEVELOPMENT_ACCOUNT_KEY}`,
        `BlobEndpoint=${endpoint(DEVELOPMENT_STORAGE_PORTS.blob)}`,
        `QueueEndpoint=${endpoint(DEVELOPMENT_STORAGE_PORTS.queue)}`,
        `TableEndpoint=${endpoint(DEVELOPMENT_STORAGE_PORTS.table)}`,
    ].join(';');
}

/**
 * Adds `DefaultEndpointsProtocol` to an account-key connection string that names its endpoints but not
 * the protocol (common for the emulator on other ports): both SDKs take a string without it for a SAS
 * string and then fail. The protocol is the one of the endpoints.
 */
function withEndpointsProtocol(connectionString: string): string {
    if (
        connectionString.trim() === '' ||
        connectionStringValue(connectionString, 'DefaultEndpointsProtocol') !== undefined ||
        connectionStringValue(connectionString, 'AccountKey') === undefined
    ) {
        return connectionString;
    }
    const endpoint =
        connectionStringValue(connectionString, 'QueueEndpoint') ??
        connectionStringValue(connectionString, 'TableEndpoint') ??
        connectionStringValue(connectionString, 'BlobEndpoint');
    const protocol = endpoint?.toLowerCase().startsWith('http:') ? 'http' : 'https';
    return `DefaultEndpointsProtocol=${protocol};${connectionString.trim()}`;
}

/** The value of one `Key=value` part of a connection string (keys are case-insensitive), if present. */
function connectionStringValue(connectionString: string, key: string): string | undefined {
    for (const part of connectionString.split(';')) {
        const equals = part.indexOf('=');
        if (equals > 0 && part.slice(0, equals).trim().toLowerCase() === key.toLowerCase()) {
            return part.slice(equals + 1).trim();
        }
    }
    return undefined;
}

/**
 * True when the connection string sends table traffic over plain http (the emulator, or
 * `DefaultEndpointsProtocol=http`). `@azure/data-tables` refuses http unless told to allow it.
 */
function usesInsecureTableEndpoint(connectionString: string): boolean {
    const tableEndpoint = connectionStringValue(connectionString, 'TableEndpoint');
    if (tableEndpoint !== undefined) {
        return tableEndpoint.toLowerCase().startsWith('http:');
    }
    return connectionStringValue(connectionString, 'DefaultEndpointsProtocol')?.toLowerCase() === 'http';
}

/** The queue service URL of an identity-based setting: the explicit URI, else the account's public endpoint. */
export function queueServiceUrl(storage: Extract<StorageSetting, { kind: 'identity' }>): string {
    return serviceUrl(storage.queueServiceUri, storage.accountName, PUBLIC_QUEUE_HOST_SUFFIX, 'queueServiceUri');
}

/** The table service URL of an identity-based setting: the explicit URI, else the account's public endpoint. */
export function tableServiceUrl(storage: Extract<StorageSetting, { kind: 'identity' }>): string {
    return serviceUrl(storage.tableServiceUri, storage.accountName, PUBLIC_TABLE_HOST_SUFFIX, 'tableServiceUri');
}

function serviceUrl(explicit: string | undefined, accountName: string | undefined, hostSuffix: string, key: string): string {
    if (explicit !== undefined) {
        return explicit.replace(/\/+$/, '');
    }
    if (accountName === undefined) {
        throw new TypeError(`Identity-based storage needs AzureWebJobsStorage__accountName or AzureWebJobsStorage__${key}`);
    }
    return `https://${accountName}.${hostSuffix}`;
}

/**
 * A client for one queue, from the app's storage setting.
 *
 * @example
 * const queue = createQueueClient(getConfig().storage, wakeupQueueName(getConfig().queues.notifications));
 */
export function createQueueClient(storage: StorageSetting, queueName: string): QueueClient {
    if (storage.kind === 'connectionString') {
        return new QueueClient(expandConnectionString(storage.connectionString), queueName);
    }
    return new QueueClient(`${queueServiceUrl(storage)}/${encodeURIComponent(queueName)}`, createLazyCredential(storage.clientId));
}

/**
 * A client for one table, from the app's storage setting. Plain-http endpoints (the emulator) are
 * allowed only for connection strings that name them.
 *
 * @example
 * const outbox = createTableClient(getConfig().storage, OUTBOX_TABLE_NAME);
 */
export function createTableClient(storage: StorageSetting, tableName: string): TableClient {
    if (storage.kind === 'connectionString') {
        const connectionString = expandConnectionString(storage.connectionString);
        return TableClient.fromConnectionString(connectionString, tableName, {
            allowInsecureConnection: usesInsecureTableEndpoint(connectionString),
        });
    }
    return new TableClient(tableServiceUrl(storage), tableName, createLazyCredential(storage.clientId));
}
