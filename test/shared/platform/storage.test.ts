// Storage clients from configuration: the emulator shortcut, explicit endpoints against Azurite, identity-based URLs.
import { describe, expect, it } from 'vitest';

import type { StorageSetting } from '../../../shared/platform/config.js';
import {
    DEAD_LETTER_TABLE_NAME,
    DEVELOPMENT_ACCOUNT_KEY,
    OUTBOX_TABLE_NAME,
    createQueueClient,
    createTableClient,
    expandConnectionString,
    isDevelopmentStorage,
    wakeupQueueName,
} from '../../../shared/platform/storage.js';
import { useAzurite } from '../../support/azurite.js';

const azurite = useAzurite();

/** A connection string naming only the account, its key and the endpoints, as people write for Azurite on other ports. */
function explicitEndpoints(): string {
    return [
        'AccountName=devstoreaccount1',
        `AccountKey=${DEVELOPMENT_ACCOUNT_KEY}`,
        `QueueEndpoint=http://127.0.0.1:${azurite.queuePort}/devstoreaccount1`,
        `TableEndpoint=http://127.0.0.1:${azurite.tablePort}/devstoreaccount1`,
    ].join(';');
}

describe('names', () => {
    it('names the wake-up queue after the notifications queue', () => {
        expect(wakeupQueueName('notifications')).toBe('notifications-wakeup');
    });

    it('uses table names of letters and digits only', () => {
        expect(OUTBOX_TABLE_NAME).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
        expect(DEAD_LETTER_TABLE_NAME).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
    });
});

describe('expandConnectionString', () => {
    it('expands UseDevelopmentStorage=true to the emulator on its default ports', () => {
        const expanded = expandConnectionString('UseDevelopmentStorage=true');
        expect(expanded).toContain('AccountName=devstoreaccount1');
        expect(expanded).toContain(`AccountKey=${DEVELOPMENT_ACCOUNT_KEY}`);
        expect(expanded).toContain('QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1');
        expect(expanded).toContain('TableEndpoint=http://127.0.0.1:10002/devstoreaccount1');
    });

    it('recognises the shortcut in any case and with spaces', () => {
        expect(isDevelopmentStorage(' usedevelopmentstorage = TRUE ;')).toBe(true);
        expect(isDevelopmentStorage('UseDevelopmentStorage=false')).toBe(false);
    });

    it('leaves a complete connection string as it is', () => {
        const cloud = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
        expect(expandConnectionString(cloud)).toBe(cloud);
    });

    it('adds the endpoints’ protocol to a connection string that names only endpoints', () => {
        expect(expandConnectionString(explicitEndpoints())).toBe(`DefaultEndpointsProtocol=http;${explicitEndpoints()}`);
    });
});

describe('clients from a connection string, against Azurite', () => {
    const settings = (): Record<string, StorageSetting> => ({
        'the development account string': { kind: 'connectionString', connectionString: azurite.connectionString },
        'explicit endpoints': { kind: 'connectionString', connectionString: explicitEndpoints() },
    });

    for (const name of ['the development account string', 'explicit endpoints']) {
        it(`sends and receives queue messages with ${name}`, async () => {
            const storage = settings()[name];
            if (storage === undefined) throw new Error(name);
            const queue = createQueueClient(storage, `q-${name.length}-${Date.now()}`);
            await queue.createIfNotExists();
            await queue.sendMessage('hello');
            const received = await queue.receiveMessages();
            expect(received.receivedMessageItems.map((message) => message.messageText)).toEqual(['hello']);
        });

        it(`writes and reads table entities with ${name}`, async () => {
            const storage = settings()[name];
            if (storage === undefined) throw new Error(name);
            const table = createTableClient(storage, `T${name.length}x${Date.now()}`);
            await table.createTable();
            await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
            expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(42);
        });
    }
});

describe('clients from identity-based settings (no network)', () => {
    it('builds the public endpoints from the account name', () => {
        const storage: StorageSetting = { kind: 'identity', accountName: 'relaystore', clientId: '00000000-0000-0000-0000-000000000001' };
        expect(createQueueClient(storage, 'notifications-wakeup').url).toBe('https://relaystore.queue.core.windows.net/notifications-wakeup');
        const table = createTableClient(storage, OUTBOX_TABLE_NAME);
        expect(table.url).toBe('https://relaystore.table.core.windows.net');
        expect(table.tableName).toBe(OUTBOX_TABLE_NAME);
    });

    it('prefers explicit service URIs', () => {
        const storage: StorageSetting = {
            kind: 'identity',
            accountName: 'ignored',
            queueServiceUri: 'https://queues.example.net/',
            tableServiceUri: 'https://tables.example.net',
        };
        expect(createQueueClient(storage, 'notifications').url).toBe('https://queues.example.net/notifications');
        expect(createTableClient(storage, DEAD_LETTER_TABLE_NAME).url).toBe('https://tables.example.net');
    });

    it('refuses an identity setting with neither account name nor service URI', () => {
        expect(() => createQueueClient({ kind: 'identity', tableServiceUri: 'https://tables.example.net' }, 'notifications')).toThrow(/accountName/);
    });
});
