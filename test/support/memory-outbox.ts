/**
 * An in-memory {@link OutboxStore} for tests that need no storage server: the whole contract of
 * `shared/notify/outbox`, on the Table store's own row layout and converters (`table-rows.ts`), so jobs
 * are ordered by RowKey (their `order`, then their id) and read back through the job schema exactly
 * as from Azure Table Storage. Rows carry ETags; state writes are conditional on them.
 */
import { emptyConnectionState, emptyWebhookState, untriedJob, type AddJobResult, type ConditionalDeadLetterResult, type ConnectionState, type DeliveryConfirmation, type DeadLetter, type JobAttempt, type NewDeadLetter, type NewOutboxJob, type OutboxJob, type OutboxStore, type WebhookState } from '../../shared/notify/outbox/index.js';
import { CONNECTION_ROW_KEY, DEAD_LETTER_ID_PATTERN, DEAD_LETTER_PARTITION, DELIVERED_RETENTION_MS, INDEX_ROW_PREFIX, JOB_ROW_PREFIX, MESSAGE_KEY_ROW_PREFIX, STATE_ROW_KEY, assertPartitionKey, connectionPartitionKey, deadLetterRowKey, deliveredIndexProperties, encodedJobId, fromConnectionEntity, fromDeadLetterEntity, fromIndexEntity, fromJobEntity, fromMessageKeyEntity, fromStateEntity, indexRowKey, jobRowKey, messageKeyProperties, messageKeyRowKey, prunedSends, queuedIndexProperties, toConnectionProperties, toDeadLetterProperties, toJobProperties, toStateProperties } from '../../shared/notify/outbox/table-rows.js';
import type { MessageKeyKind, RecordedMessage } from '../../shared/notify/relay.js';

/** The table names shown in errors about corrupt rows. */
const OUTBOX_TABLE = 'memoryoutbox';
const DEAD_LETTER_TABLE = 'memorydeadletters';

/** Hex digits of a dead letter id's unique part (see `DEAD_LETTER_ID_PATTERN`). */
const DEAD_LETTER_UNIQUE_DIGITS = 12;

type PropertyValue = string | number | { readonly value: number; readonly type: string };

/** A stored row: its properties as the Table service would return them, and its ETag. */
interface Row {
    readonly properties: Readonly<Record<string, string | number>>;
    readonly etag: string;
}

/** Options of {@link createMemoryOutboxStore}. */
export interface MemoryOutboxStoreOptions {
    /** The clock (epoch ms), for pruning the send log and delivered markers. @default Date.now */
    readonly now?: () => number;
}

/** Runs `work` on a later microtask, as a storage call would answer: its errors reject, never throw. */
function later<T>(work: () => T): Promise<T> {
    return Promise.resolve().then(work);
}

/** Typed values (`{ value, type: 'Double' }`) come back from the Table service as plain numbers. */
function plain(properties: Readonly<Record<string, PropertyValue>>): Record<string, string | number> {
    const result: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(properties)) {
        result[name] = typeof value === 'object' ? value.value : value;
    }
    return result;
}

/**
 * A fresh, empty in-memory outbox.
 *
 * @example
 * const store = createMemoryOutboxStore({ now: clock.now });
 * await store.addJob({ webhookKey: 'k', jobId: 'a', order: 1, job: { to: 'ops', text: 'hi' }, alias: 'ops', acceptedAt: 1 });
 */
export function createMemoryOutboxStore(options: MemoryOutboxStoreOptions = {}): OutboxStore {
    const now = options.now ?? Date.now;
    const partitions = new Map<string, Map<string, Row>>();
    const deadLetters = new Map<string, Row>();
    let versions = 0;
    let deadLetterCount = 0;

    const nextEtag = (): string => {
        versions += 1;
        return `W/"${versions}"`;
    };

    function partition(webhookKey: string): Map<string, Row> {
        let rows = partitions.get(webhookKey);
        if (rows === undefined) {
            rows = new Map();
            partitions.set(webhookKey, rows);
        }
        return rows;
    }

    function write(webhookKey: string, rowKey: string, properties: Readonly<Record<string, PropertyValue>>): Row {
        const row = { properties: plain(properties), etag: nextEtag() };
        partition(webhookKey).set(rowKey, row);
        return row;
    }

    function entity(partitionKey: string, rowKey: string, row: Row): Record<string, unknown> {
        return { partitionKey, rowKey, etag: row.etag, ...row.properties };
    }

    function deadLetterOf(rowKey: string, row: Row): DeadLetter {
        return fromDeadLetterEntity(DEAD_LETTER_TABLE, { partitionKey: DEAD_LETTER_PARTITION, rowKey, etag: row.etag, ...row.properties });
    }

    function jobRowKeys(webhookKey: string): string[] {
        return [...partition(webhookKey).keys()].filter((rowKey) => rowKey.startsWith(JOB_ROW_PREFIX)).sort();
    }

    function readJob(webhookKey: string, rowKey: string): OutboxJob {
        const row = partition(webhookKey).get(rowKey);
        if (row === undefined) {
            throw new TypeError(`No job row ${rowKey}`);
        }
        return fromJobEntity(OUTBOX_TABLE, entity(webhookKey, rowKey, row));
    }

    function indexOf(webhookKey: string, id: string): ReturnType<typeof fromIndexEntity> | undefined {
        const index = partition(webhookKey).get(indexRowKey(id));
        return index === undefined ? undefined : fromIndexEntity(OUTBOX_TABLE, entity(webhookKey, indexRowKey(id), index));
    }

    /** Removes a job's index row while it still says queued at the job's row (a delivered marker stays). */
    function removeQueuedIndexRow(job: OutboxJob): void {
        const id = encodedJobId(job.jobId);
        const marker = indexOf(job.webhookKey, id);
        if (marker?.status === 'queued' && marker.jobRowKey === jobRowKey(job.order, id)) {
            partition(job.webhookKey).delete(indexRowKey(id));
        }
    }

    function writeDeadLetter(entry: NewDeadLetter): DeadLetter {
        deadLetterCount += 1;
        const rowKey = deadLetterRowKey(entry.deadLetteredAt, deadLetterCount.toString(16).padStart(DEAD_LETTER_UNIQUE_DIGITS, '0'));
        const row = { properties: plain(toDeadLetterProperties(entry)), etag: nextEtag() };
        deadLetters.set(rowKey, row);
        return deadLetterOf(rowKey, row);
    }

    /** Deletes the delivered markers older than `olderThan`, matched on their stored properties as the Table store's query matches them. */
    function pruneMarkers(webhookKey: string, olderThan: number): number {
        const rows = partition(webhookKey);
        let pruned = 0;
        for (const [rowKey, row] of [...rows]) {
            const { status, deliveredAt } = row.properties;
            if (rowKey.startsWith(INDEX_ROW_PREFIX) && status === 'delivered' && typeof deliveredAt === 'number' && deliveredAt < Math.trunc(olderThan)) {
                rows.delete(rowKey);
                pruned += 1;
            }
        }
        return pruned;
    }

    return {
        ensureTables: () => later(() => undefined),

        addJob: (job: NewOutboxJob) =>
            later((): AddJobResult => {
                assertPartitionKey(job.webhookKey);
                const id = encodedJobId(job.jobId);
                const rowKey = jobRowKey(job.order, id);
                const properties = toJobProperties(untriedJob(job));
                const rows = partition(job.webhookKey);
                const marker = indexOf(job.webhookKey, id);
                if (marker !== undefined) {
                    if (marker.status === 'delivered') {
                        return 'already-delivered';
                    }
                    if (rows.has(marker.jobRowKey)) {
                        return 'already-queued';
                    }
                    // A stale index row whose job is gone: cleared, as the Table store does.
                    rows.delete(indexRowKey(id));
                }
                if (rows.has(rowKey)) {
                    return 'already-queued';
                }
                write(job.webhookKey, indexRowKey(id), queuedIndexProperties(job.jobId, rowKey));
                write(job.webhookKey, rowKey, properties);
                return 'added';
            }),

        headJob: (webhookKey: string) =>
            later(() => {
                assertPartitionKey(webhookKey);
                const [first] = jobRowKeys(webhookKey);
                return first === undefined ? undefined : readJob(webhookKey, first);
            }),

        headJobs: (webhookKey: string, max: number) =>
            later(() => {
                assertPartitionKey(webhookKey);
                return jobRowKeys(webhookKey)
                    .slice(0, Math.max(0, max))
                    .map((rowKey) => readJob(webhookKey, rowKey));
            }),

        countJobs: (webhookKey: string, max: number = Number.POSITIVE_INFINITY) =>
            later(() => {
                assertPartitionKey(webhookKey);
                return Math.max(0, Math.min(max, jobRowKeys(webhookKey).length));
            }),

        recordAttempt: (job: OutboxJob, attempt: JobAttempt) =>
            later(() => {
                const rowKey = jobRowKey(job.order, encodedJobId(job.jobId));
                const properties = toJobProperties({ ...job, ...attempt });
                // Completed or dead-lettered meanwhile: nothing left to record on.
                if (partition(job.webhookKey).has(rowKey)) {
                    write(job.webhookKey, rowKey, properties);
                }
            }),

        completeJob: (job: OutboxJob, deliveredAt: number, digestId?: string, confirmation?: DeliveryConfirmation) =>
            later(() => {
                const id = encodedJobId(job.jobId);
                partition(job.webhookKey).delete(jobRowKey(job.order, id));
                write(job.webhookKey, indexRowKey(id), deliveredIndexProperties(job.jobId, deliveredAt, digestId, confirmation));
                pruneMarkers(job.webhookKey, now() - DELIVERED_RETENTION_MS);
            }),

        deadLetter: (entry: NewDeadLetter, job?: OutboxJob) =>
            later(() => {
                const written = writeDeadLetter(entry);
                if (job !== undefined) {
                    partition(job.webhookKey).delete(jobRowKey(job.order, encodedJobId(job.jobId)));
                    removeQueuedIndexRow(job);
                }
                return written;
            }),

        deadLetterIfUnchanged: (entry: NewDeadLetter, job: OutboxJob) =>
            later((): ConditionalDeadLetterResult => {
                const written = writeDeadLetter(entry);
                const id = encodedJobId(job.jobId);
                const rowKey = jobRowKey(job.order, id);
                const stored = partition(job.webhookKey).get(rowKey);
                if (stored?.etag === job.etag) {
                    partition(job.webhookKey).delete(rowKey);
                    removeQueuedIndexRow(job);
                    return { outcome: 'dead-lettered', deadLetter: written };
                }
                // Taken back: the job changed or left since it was read.
                deadLetters.delete(written.id);
                if (stored !== undefined) {
                    return { outcome: 'changed' };
                }
                return { outcome: indexOf(job.webhookKey, id)?.status === 'delivered' ? 'delivered' : 'gone' };
            }),

        findJobs: (jobId: string) =>
            later(() => {
                if (jobId === '') {
                    return [];
                }
                const id = encodedJobId(jobId);
                return [...partitions.keys()].sort().flatMap((webhookKey) => {
                    const marker = indexOf(webhookKey, id);
                    return marker?.status === 'queued' && marker.jobId === jobId && partition(webhookKey).has(marker.jobRowKey) ? [readJob(webhookKey, marker.jobRowKey)] : [];
                });
            }),

        readState: (webhookKey: string) =>
            later(() => {
                assertPartitionKey(webhookKey);
                const row = partition(webhookKey).get(STATE_ROW_KEY);
                return row === undefined ? emptyWebhookState(webhookKey) : fromStateEntity(OUTBOX_TABLE, entity(webhookKey, STATE_ROW_KEY, row));
            }),

        writeState: (state: WebhookState) =>
            later((): WebhookState | undefined => {
                assertPartitionKey(state.webhookKey);
                const sends = prunedSends(state.sends, now());
                const properties = toStateProperties({ ...state, sends });
                const stored = partition(state.webhookKey).get(STATE_ROW_KEY);
                if (state.etag === undefined ? stored !== undefined : stored?.etag !== state.etag) {
                    // Created or changed by someone else since it was read (the Table service's 409 and 412).
                    return undefined;
                }
                const row = write(state.webhookKey, STATE_ROW_KEY, properties);
                return { ...state, sends, etag: row.etag };
            }),

        readConnection: (connection: string) =>
            later(() => {
                const partitionKey = connectionPartitionKey(connection);
                assertPartitionKey(partitionKey);
                const row = partition(partitionKey).get(CONNECTION_ROW_KEY);
                return row === undefined ? emptyConnectionState(connection) : fromConnectionEntity(OUTBOX_TABLE, entity(partitionKey, CONNECTION_ROW_KEY, row));
            }),

        writeConnection: (state: ConnectionState) =>
            later((): ConnectionState | undefined => {
                const partitionKey = connectionPartitionKey(state.connection);
                assertPartitionKey(partitionKey);
                const sends = prunedSends(state.sends, now());
                const properties = toConnectionProperties({ ...state, sends });
                const stored = partition(partitionKey).get(CONNECTION_ROW_KEY);
                if (state.etag === undefined ? stored !== undefined : stored?.etag !== state.etag) {
                    return undefined;
                }
                const row = write(partitionKey, CONNECTION_ROW_KEY, properties);
                return { ...state, sends, etag: row.etag };
            }),

        listConnections: () =>
            later(() =>
                [...partitions.keys()].sort().flatMap((partitionKey) => {
                    const row = partition(partitionKey).get(CONNECTION_ROW_KEY);
                    return row === undefined ? [] : [fromConnectionEntity(OUTBOX_TABLE, entity(partitionKey, CONNECTION_ROW_KEY, row))];
                }),
            ),

        listWebhooks: () =>
            later(() =>
                [...partitions.keys()].sort().flatMap((webhookKey) => {
                    const row = partition(webhookKey).get(STATE_ROW_KEY);
                    return row === undefined ? [] : [fromStateEntity(OUTBOX_TABLE, entity(webhookKey, STATE_ROW_KEY, row))];
                }),
            ),

        listDeadLetters: () =>
            later(() =>
                [...deadLetters.keys()].sort().flatMap((rowKey) => {
                    const row = deadLetters.get(rowKey);
                    return row === undefined ? [] : [deadLetterOf(rowKey, row)];
                }),
            ),

        getDeadLetter: (id: string) =>
            later(() => {
                const row = DEAD_LETTER_ID_PATTERN.test(id) ? deadLetters.get(id) : undefined;
                return row === undefined ? undefined : deadLetterOf(id, row);
            }),

        deleteDeadLetter: (id: string) =>
            later(() => {
                if (DEAD_LETTER_ID_PATTERN.test(id)) {
                    deadLetters.delete(id);
                }
            }),

        pruneDelivered: (webhookKey: string, olderThan: number) =>
            later(() => {
                assertPartitionKey(webhookKey);
                return pruneMarkers(webhookKey, olderThan);
            }),

        readMessageKey: (webhookKey: string, kind: MessageKeyKind, key: string) =>
            later(() => {
                assertPartitionKey(webhookKey);
                const rowKey = messageKeyRowKey(kind, key);
                const row = partition(webhookKey).get(rowKey);
                return row === undefined ? undefined : fromMessageKeyEntity(OUTBOX_TABLE, entity(webhookKey, rowKey, row));
            }),

        writeMessageKey: (webhookKey: string, kind: MessageKeyKind, key: string, message: RecordedMessage) =>
            later(() => {
                assertPartitionKey(webhookKey);
                write(webhookKey, messageKeyRowKey(kind, key), messageKeyProperties(message));
            }),

        deleteMessageKey: (webhookKey: string, kind: MessageKeyKind, key: string) =>
            later(() => {
                assertPartitionKey(webhookKey);
                partition(webhookKey).delete(messageKeyRowKey(kind, key));
            }),

        pruneMessageKeys: (webhookKey: string, olderThan: number) =>
            later(() => {
                assertPartitionKey(webhookKey);
                const rows = partition(webhookKey);
                let pruned = 0;
                for (const [rowKey, row] of [...rows]) {
                    if (rowKey.startsWith(MESSAGE_KEY_ROW_PREFIX) && fromMessageKeyEntity(OUTBOX_TABLE, entity(webhookKey, rowKey, row)).recordedAt < Math.trunc(olderThan)) {
                        rows.delete(rowKey);
                        pruned += 1;
                    }
                }
                return pruned;
            }),
    };
}
