/** One CLI test's storage on the test's Azurite: a queue name and tables of its own, the outbox store on them, and a scratch folder. */
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { StorageSetting } from '../../../shared/platform/config.js';
import type { OutboxStore } from '../../../shared/notify/outbox/index.js';
import { createTableOutboxStore, type TableOutboxStoreOptions } from '../../../shared/notify/outbox/table-store.js';
import { createTableClient, DEAD_LETTER_TABLE_NAME, OUTBOX_TABLE_NAME } from '../../../shared/platform/storage.js';
import { scratchFolder, type ScratchFolder } from './run-main.js';

/** Table names take letters and digits only. */
const TABLE_SUFFIX_CHARS = 12;
/** Queue names are at most 63 characters; this leaves room for the `-poison` and `-wakeup` suffixes. */
const QUEUE_NAME_CHARS = 50;

/** What {@link cliStorage} made for one test. */
export interface CliStorage {
    /** A notifications queue name no other test uses. */
    readonly queueName: string;
    readonly folder: ScratchFolder;
    /** The outbox store on this test's tables. */
    readonly store: OutboxStore;
    /** Opens this test's copy of the table `name`: what the CLI's `openTable` is given. */
    readonly openTable: (setting: StorageSetting, name: string) => TableClient;
}

/** Makes one test's queue name, tables (created) and scratch folder. Remove `folder` in `afterEach`. */
export async function cliStorage(connectionString: string, options: TableOutboxStoreOptions = {}): Promise<CliStorage> {
    const queueName = `notify-${randomUUID()}`.slice(0, QUEUE_NAME_CHARS);
    const tableSuffix = randomUUID().replace(/-/g, '').slice(0, TABLE_SUFFIX_CHARS);
    const openTable = (setting: StorageSetting, name: string): TableClient => createTableClient(setting, `${name}${tableSuffix}`);
    const setting: StorageSetting = { kind: 'connectionString', connectionString };
    const store = createTableOutboxStore({ outbox: openTable(setting, OUTBOX_TABLE_NAME), deadLetters: openTable(setting, DEAD_LETTER_TABLE_NAME) }, options);
    await store.ensureTables();
    return { queueName, folder: await scratchFolder(), store, openTable };
}
