/** The outbox on Azure Table Storage: one partition per webhook holding its jobs in delivery order, its job-id index and its sending state. */
/*
 * Row layout of the outbox table (PartitionKey = webhook key):
 *   job|<order, 15 digits>|<encoded id>  the job, its attempts and last answer. RowKey order is
 *                                        delivery order, so the head is one `top 1` range query.
 *   id|<encoded id>                      the job id's index row: `queued` (pointing at its job row)
 *                                        while the job waits, `delivered` (with the time) afterwards,
 *                                        until pruned after DELIVERED_RETENTION_MS.
 *   state                                the webhook's send log, back-off, lease and counters; only
 *                                        ever written with its ETag.
 * A Teams connection has its own partition, `connection|<name>`, with one row `connection`: its send
 * log, its Retry-After block and the claims of webhooks waiting for a slot; only ever written with its
 * ETag, so every webhook of the connection reserves a slot there before it posts, on any instance.
 * Dead letters live in their own table, PartitionKey `deadletter`, RowKey `<epoch ms>-<random>`.
 *
 * Crash safety, write by write:
 * - addJob writes the index row and the job row in one transaction: both exist or neither. A retry
 *   meets the index row (409) and answers `already-queued` or `already-delivered` from it, whatever
 *   `order` it carries this time. The id is checked and claimed in that same atomic write, so a
 *   duplicate arriving while the first copy is being delivered cannot slip in between.
 * - completeJob deletes the job row and turns its index row into the delivered marker in one
 *   transaction: a crash leaves either the job still queued (posted again: the one duplicate the
 *   README's guarantees allow, a crash between Teams' answer and our record) or the job delivered and remembered.
 * - deadLetter writes the dead letter first, then deletes the job row and its index row in one
 *   transaction. A crash in between leaves the job at the head, so it is dead-lettered again: a
 *   duplicate dead letter at worst, never a lost job. Removing the index row lets a replay re-add the id.
 * - deadLetterIfUnchanged (an operator's skip) writes the dead letter, then deletes the job row with
 *   the ETag it was read with, then its index row. When the row changed (412) or is gone (404) it
 *   deletes its dead letter again and says why. A crash in between leaves the job waiting beside a
 *   dead letter (a duplicate dead letter, never a lost job) or an index row without its job row.
 * - Should an index row ever outlive its job row (only if the transaction above fails and the
 *   one-by-one fallback is cut short, or deadLetterIfUnchanged is), addJob finds the job row missing
 *   and clears the stale index row before adding, so no id is blocked for good.
 * - recordAttempt replaces the job row unconditionally; a job already completed or dead-lettered by
 *   another instance is left alone (404).
 */
import { randomBytes } from 'node:crypto';

import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';

import { nonNull } from '../../platform/index.js';
import type { MessageKeyKind, RecordedMessage } from '../relay.js';
import { emptyConnectionState, emptyWebhookState, untriedJob, type AddJobResult, type ConditionalDeadLetterResult, type ConnectionState, type DeadLetter, type DeliveryConfirmation, type JobAttempt, type NewDeadLetter, type NewOutboxJob, type OutboxJob, type OutboxStore, type WebhookState } from './index.js';
import { CONNECTION_ROW_KEY, DEAD_LETTER_ID_PATTERN, DEAD_LETTER_PARTITION, DELIVERED_RETENTION_MS, INDEX_ROW_PREFIX, INDEX_ROW_RANGE_END, JOB_ROW_PREFIX, JOB_ROW_RANGE_END, MESSAGE_KEY_ROW_PREFIX, MESSAGE_KEY_ROW_RANGE_END, STATE_ROW_KEY, assertPartitionKey, connectionPartitionKey, deadLetterRowKey, deliveredIndexProperties, encodedJobId as encodedId, fromConnectionEntity, fromDeadLetterEntity, fromIndexEntity, fromJobEntity, fromMessageKeyEntity, fromStateEntity, indexRowKey, jobRowKey, messageKeyProperties, messageKeyRowKey, prunedSends, queuedIndexProperties, toConnectionProperties, toDeadLetterProperties, toJobProperties, toStateProperties } from './table-rows.js';

/** Most entities a Table query returns in one page (Azure Table Storage, Query Entities). */
const MAX_PAGE_SIZE = 1_000;

/** HTTP statuses the Table service answers that the store handles (ETag 412, duplicate 409: docs/teams-facts.md#table-answers). */
const STATUS = { notFound: 404, conflict: 409, preconditionFailed: 412 } as const;

/** At most this many operations per transaction (Azure Tables, "Performing entity group transactions"). */
const MAX_TRANSACTION_OPERATIONS = 100;

/** One completion in this many also prunes expired delivered markers of its webhook, a page at a time. */
const PRUNE_SAMPLE_RATE = 1 / 16;

/** How many times addJob retries when the rows it collided with vanish under it (a concurrent removal). */
const ADD_JOB_ATTEMPTS = 3;

/** Random bytes in a dead-letter id (12 hex digits). */
const DEAD_LETTER_RANDOM_BYTES = 6;

/** The two tables the store uses. */
export interface OutboxTables {
    /** Jobs, job-id index and state, one partition per webhook. */
    readonly outbox: TableClient;
    /** Dead letters. */
    readonly deadLetters: TableClient;
}

/** Options of {@link createTableOutboxStore}. */
export interface TableOutboxStoreOptions {
    /** The clock (epoch ms), for pruning the send log and delivered markers. @default Date.now */
    readonly now?: () => number;
    /** A number in [0, 1), for sampling which completions also prune old delivered markers. @default Math.random */
    readonly random?: () => number;
}

/** The HTTP status of a Table service error, if it has one. */
function statusOf(error: unknown): number | undefined {
    if (typeof error === 'object' && error !== null && 'statusCode' in error) {
        const status = error.statusCode;
        return typeof status === 'number' ? status : undefined;
    }
    return undefined;
}

/** Every row of `client` that `filter` matches, each read with `read` (which names the table in its errors). */
async function listRows<T>(client: TableClient, filter: string, read: (table: string, entity: Record<string, unknown>) => T): Promise<T[]> {
    const rows: T[] = [];
    for await (const entity of client.listEntities({ queryOptions: { filter } })) {
        rows.push(read(client.tableName, entity));
    }
    return rows;
}

/**
 * An {@link OutboxStore} on Azure Table Storage. See this module's header for the row layout and why
 * no crash loses a job.
 *
 * @example
 * const store = createTableOutboxStore({
 *     outbox: createTableClient(config.storage, OUTBOX_TABLE_NAME),
 *     deadLetters: createTableClient(config.storage, DEAD_LETTER_TABLE_NAME),
 * });
 * await store.ensureTables();
 */
export function createTableOutboxStore(tables: OutboxTables, options: TableOutboxStoreOptions = {}): OutboxStore {
    const { outbox, deadLetters } = tables;
    const now = options.now ?? Date.now;
    const random = options.random ?? Math.random;

    async function getOrUndefined(client: TableClient, partitionKey: string, rowKey: string): Promise<Record<string, unknown> | undefined> {
        try {
            return await client.getEntity(partitionKey, rowKey);
        } catch (error) {
            if (statusOf(error) === STATUS.notFound) {
                return undefined;
            }
            throw error;
        }
    }

    async function deleteIgnoringMissing(client: TableClient, partitionKey: string, rowKey: string, etag = '*'): Promise<void> {
        try {
            await client.deleteEntity(partitionKey, rowKey, { etag });
        } catch (error) {
            if (statusOf(error) !== STATUS.notFound) {
                throw error;
            }
        }
    }

    /** Deletes a job's index row if it still says the job waits in that row (a delivered marker stays). */
    async function removeQueuedIndexRow(job: OutboxJob): Promise<void> {
        const id = encodedId(job.jobId);
        const index = await getOrUndefined(outbox, job.webhookKey, indexRowKey(id));
        if (index !== undefined) {
            const row = fromIndexEntity(outbox.tableName, index);
            // A delivered marker stays: the id was delivered by another instance and must not be posted again.
            if (row.status === 'queued' && row.jobRowKey === jobRowKey(job.order, id)) {
                await deleteIgnoringMissing(outbox, job.webhookKey, indexRowKey(id), row.etag);
            }
        }
    }

    /** Deletes a job row and its index row together; one by one (job row first) if either is already gone. */
    async function removeJobRows(job: OutboxJob): Promise<void> {
        const id = encodedId(job.jobId);
        const rowKey = jobRowKey(job.order, id);
        try {
            await outbox.submitTransaction([
                ['delete', { partitionKey: job.webhookKey, rowKey }],
                ['delete', { partitionKey: job.webhookKey, rowKey: indexRowKey(id) }],
            ]);
            return;
        } catch (error) {
            if (statusOf(error) !== STATUS.notFound) {
                throw error;
            }
        }
        await deleteIgnoringMissing(outbox, job.webhookKey, rowKey);
        await removeQueuedIndexRow(job);
    }

    /** Writes a dead letter under a fresh id; reads it back from what was written, so it shows exactly what was kept (cuts included). */
    async function writeDeadLetter(entry: NewDeadLetter): Promise<DeadLetter> {
        const properties = toDeadLetterProperties(entry);
        for (;;) {
            const entity = {
                partitionKey: DEAD_LETTER_PARTITION,
                rowKey: deadLetterRowKey(entry.deadLetteredAt, randomBytes(DEAD_LETTER_RANDOM_BYTES).toString('hex')),
                ...properties,
            };
            try {
                const response = await deadLetters.createEntity(entity);
                return fromDeadLetterEntity(deadLetters.tableName, { ...entity, etag: response.etag });
            } catch (error) {
                // 409: the random part collided; draw again.
                if (statusOf(error) !== STATUS.conflict) {
                    throw error;
                }
            }
        }
    }

    /**
     * Creates the entity (no ETag yet) or replaces it if its ETag still matches; the new ETag, or
     * `undefined` when another writer got there first (409 on create, 412 on replace).
     */
    async function writeWithEtag(entity: TableEntity, etag: string | undefined): Promise<string | undefined> {
        try {
            const response = etag === undefined ? await outbox.createEntity(entity) : await outbox.updateEntity(entity, 'Replace', { etag });
            if (response.etag === undefined) {
                throw new TypeError('The Table service answered a write without an ETag');
            }
            return response.etag;
        } catch (error) {
            const status = statusOf(error);
            if (status === STATUS.preconditionFailed || status === STATUS.conflict) {
                return undefined;
            }
            throw error;
        }
    }

    /** Deletes the rows of a webhook's partition that `filter` (within the partition) matches, a page at a time. */
    async function pruneRows(webhookKey: string, rowFilter: string, maxPages: number): Promise<number> {
        assertPartitionKey(webhookKey);
        const filter = odata`PartitionKey eq ${webhookKey} and ` + rowFilter;
        const pages = outbox
            .listEntities({ queryOptions: { filter, select: ['RowKey'] } })
            .byPage({ maxPageSize: MAX_TRANSACTION_OPERATIONS });
        let deleted = 0;
        let pagesRead = 0;
        for await (const page of pages) {
            const rowKeys = page.map((entity) => nonNull(entity.rowKey, 'the RowKey of a listed entity'));
            if (rowKeys.length > 0) {
                try {
                    await outbox.submitTransaction(rowKeys.map((rowKey): TransactionAction => ['delete', { partitionKey: webhookKey, rowKey }]));
                } catch (error) {
                    if (statusOf(error) !== STATUS.notFound) {
                        throw error;
                    }
                    // Someone pruned some of them first; delete the rest one by one.
                    for (const rowKey of rowKeys) {
                        await deleteIgnoringMissing(outbox, webhookKey, rowKey);
                    }
                }
                deleted += rowKeys.length;
            }
            pagesRead += 1;
            if (pagesRead >= maxPages) {
                break;
            }
        }
        return deleted;
    }

    function pruneDeliveredMarkers(webhookKey: string, olderThan: number, maxPages: number): Promise<number> {
        const filter = odata`RowKey ge ${INDEX_ROW_PREFIX} and RowKey lt ${INDEX_ROW_RANGE_END} and status eq ${'delivered'}` + ` and deliveredAt lt ${Math.trunc(olderThan)}.0`;
        return pruneRows(webhookKey, filter, maxPages);
    }

    return {
        async ensureTables(): Promise<void> {
            // createTable ignores "table already exists".
            await Promise.all([outbox.createTable(), deadLetters.createTable()]);
        },

        async addJob(job: NewOutboxJob): Promise<AddJobResult> {
            assertPartitionKey(job.webhookKey);
            const id = encodedId(job.jobId);
            const rowKey = jobRowKey(job.order, id);
            const index = indexRowKey(id);
            const jobEntity: TableEntity = { partitionKey: job.webhookKey, rowKey, ...toJobProperties(untriedJob(job)) };
            for (let attempt = 1; attempt <= ADD_JOB_ATTEMPTS; attempt++) {
                try {
                    await outbox.submitTransaction([
                        ['create', { partitionKey: job.webhookKey, rowKey: index, ...queuedIndexProperties(job.jobId, rowKey) }],
                        ['create', jobEntity],
                    ]);
                    return 'added';
                } catch (error) {
                    if (statusOf(error) !== STATUS.conflict) {
                        throw error;
                    }
                }
                const existing = await getOrUndefined(outbox, job.webhookKey, index);
                if (existing === undefined) {
                    // The job row collided but no index row: its removal is under way; try again.
                    continue;
                }
                const row = fromIndexEntity(outbox.tableName, existing);
                if (row.status === 'delivered') {
                    return 'already-delivered';
                }
                if ((await getOrUndefined(outbox, job.webhookKey, row.jobRowKey)) !== undefined) {
                    return 'already-queued';
                }
                // A stale index row whose job is gone (dead-lettered, cleanup cut short): clear it and add.
                await deleteIgnoringMissing(outbox, job.webhookKey, index, row.etag);
            }
            // Still colliding after several tries: the id is being added and removed concurrently; it is queued.
            return 'already-queued';
        },

        async headJob(webhookKey: string): Promise<OutboxJob | undefined> {
            assertPartitionKey(webhookKey);
            const filter = odata`PartitionKey eq ${webhookKey} and RowKey ge ${JOB_ROW_PREFIX} and RowKey lt ${JOB_ROW_RANGE_END}`;
            // A page may come back empty with a continuation token; read on until a row or the end.
            for await (const page of outbox.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 1 })) {
                const first = page[0];
                if (first !== undefined) {
                    return fromJobEntity(outbox.tableName, first);
                }
            }
            return undefined;
        },

        async headJobs(webhookKey: string, max: number): Promise<OutboxJob[]> {
            assertPartitionKey(webhookKey);
            const jobs: OutboxJob[] = [];
            if (max <= 0) {
                return jobs;
            }
            const filter = odata`PartitionKey eq ${webhookKey} and RowKey ge ${JOB_ROW_PREFIX} and RowKey lt ${JOB_ROW_RANGE_END}`;
            for await (const page of outbox.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: Math.min(max, MAX_PAGE_SIZE) })) {
                for (const entity of page) {
                    jobs.push(fromJobEntity(outbox.tableName, entity));
                    if (jobs.length >= max) {
                        return jobs;
                    }
                }
            }
            return jobs;
        },

        async countJobs(webhookKey: string, max: number = Number.POSITIVE_INFINITY): Promise<number> {
            assertPartitionKey(webhookKey);
            if (max <= 0) {
                return 0;
            }
            const filter = odata`PartitionKey eq ${webhookKey} and RowKey ge ${JOB_ROW_PREFIX} and RowKey lt ${JOB_ROW_RANGE_END}`;
            let counted = 0;
            for await (const page of outbox.listEntities({ queryOptions: { filter, select: ['RowKey'] } }).byPage({ maxPageSize: 1000 })) {
                counted += page.length;
                if (counted >= max) {
                    return max;
                }
            }
            return counted;
        },

        async recordAttempt(job: OutboxJob, attempt: JobAttempt): Promise<void> {
            const entity: TableEntity = {
                partitionKey: job.webhookKey,
                rowKey: jobRowKey(job.order, encodedId(job.jobId)),
                ...toJobProperties({ ...job, ...attempt }),
            };
            try {
                await outbox.updateEntity(entity, 'Replace', { etag: '*' });
            } catch (error) {
                // 404: completed or dead-lettered meanwhile; there is nothing left to record on.
                if (statusOf(error) !== STATUS.notFound) {
                    throw error;
                }
            }
        },

        async completeJob(job: OutboxJob, deliveredAt: number, digestId?: string, confirmation?: DeliveryConfirmation): Promise<void> {
            const id = encodedId(job.jobId);
            const marker = { partitionKey: job.webhookKey, rowKey: indexRowKey(id), ...deliveredIndexProperties(job.jobId, deliveredAt, digestId, confirmation) };
            try {
                await outbox.submitTransaction([
                    ['delete', { partitionKey: job.webhookKey, rowKey: jobRowKey(job.order, id) }],
                    ['upsert', marker, 'Replace'],
                ]);
            } catch (error) {
                if (statusOf(error) !== STATUS.notFound) {
                    throw error;
                }
                // The job row is gone already (removed by another instance); the id was delivered all the same.
                await outbox.upsertEntity(marker, 'Replace');
            }
            if (random() < PRUNE_SAMPLE_RATE) {
                try {
                    await pruneDeliveredMarkers(job.webhookKey, now() - DELIVERED_RETENTION_MS, 1);
                } catch {
                    // Housekeeping only: the delivery is recorded, and a later completion prunes again.
                }
            }
        },

        async deadLetter(entry: NewDeadLetter, job?: OutboxJob): Promise<DeadLetter> {
            const written = await writeDeadLetter(entry);
            if (job !== undefined) {
                await removeJobRows(job);
            }
            return written;
        },

        async deadLetterIfUnchanged(entry: NewDeadLetter, job: OutboxJob): Promise<ConditionalDeadLetterResult> {
            const written = await writeDeadLetter(entry);
            const id = encodedId(job.jobId);
            try {
                // A transaction cannot carry an ETag on a delete, so the job row goes alone; an index row
                // left behind by a crash right after is the stale kind addJob clears.
                await outbox.deleteEntity(job.webhookKey, jobRowKey(job.order, id), { etag: job.etag });
            } catch (error) {
                const status = statusOf(error);
                if (status !== STATUS.preconditionFailed && status !== STATUS.notFound) {
                    throw error;
                }
                await deleteIgnoringMissing(deadLetters, DEAD_LETTER_PARTITION, written.id);
                if (status === STATUS.preconditionFailed) {
                    return { outcome: 'changed' };
                }
                const index = await getOrUndefined(outbox, job.webhookKey, indexRowKey(id));
                const delivered = index !== undefined && fromIndexEntity(outbox.tableName, index).status === 'delivered';
                return { outcome: delivered ? 'delivered' : 'gone' };
            }
            await removeQueuedIndexRow(job);
            return { outcome: 'dead-lettered', deadLetter: written };
        },

        async findJobs(jobId: string): Promise<OutboxJob[]> {
            if (jobId === '') {
                return [];
            }
            const filter = odata`RowKey eq ${indexRowKey(encodedId(jobId))} and status eq ${'queued'}`;
            const jobs: OutboxJob[] = [];
            for await (const entity of outbox.listEntities({ queryOptions: { filter } })) {
                const index = fromIndexEntity(outbox.tableName, entity);
                const webhookKey = nonNull(entity.partitionKey, 'the PartitionKey of a listed entity');
                if (index.status !== 'queued' || index.jobId !== jobId) {
                    continue;
                }
                const row = await getOrUndefined(outbox, webhookKey, index.jobRowKey);
                if (row !== undefined) {
                    jobs.push(fromJobEntity(outbox.tableName, row));
                }
            }
            return jobs.sort((a, b) => (a.webhookKey < b.webhookKey ? -1 : a.webhookKey > b.webhookKey ? 1 : 0));
        },

        async readState(webhookKey: string): Promise<WebhookState> {
            assertPartitionKey(webhookKey);
            const entity = await getOrUndefined(outbox, webhookKey, STATE_ROW_KEY);
            return entity === undefined ? emptyWebhookState(webhookKey) : fromStateEntity(outbox.tableName, entity);
        },

        async writeState(state: WebhookState): Promise<WebhookState | undefined> {
            assertPartitionKey(state.webhookKey);
            const sends = prunedSends(state.sends, now());
            const entity: TableEntity = { partitionKey: state.webhookKey, rowKey: STATE_ROW_KEY, ...toStateProperties({ ...state, sends }) };
            const etag = await writeWithEtag(entity, state.etag);
            return etag === undefined ? undefined : { ...state, sends, etag };
        },

        async readConnection(connection: string): Promise<ConnectionState> {
            const partitionKey = connectionPartitionKey(connection);
            assertPartitionKey(partitionKey);
            const entity = await getOrUndefined(outbox, partitionKey, CONNECTION_ROW_KEY);
            return entity === undefined ? emptyConnectionState(connection) : fromConnectionEntity(outbox.tableName, entity);
        },

        async writeConnection(state: ConnectionState): Promise<ConnectionState | undefined> {
            const partitionKey = connectionPartitionKey(state.connection);
            assertPartitionKey(partitionKey);
            const sends = prunedSends(state.sends, now());
            const entity: TableEntity = { partitionKey, rowKey: CONNECTION_ROW_KEY, ...toConnectionProperties({ ...state, sends }) };
            const etag = await writeWithEtag(entity, state.etag);
            return etag === undefined ? undefined : { ...state, sends, etag };
        },

        listConnections(): Promise<ConnectionState[]> {
            return listRows(outbox, odata`RowKey eq ${CONNECTION_ROW_KEY}`, fromConnectionEntity);
        },

        listWebhooks(): Promise<WebhookState[]> {
            return listRows(outbox, odata`RowKey eq ${STATE_ROW_KEY}`, fromStateEntity);
        },

        listDeadLetters(): Promise<DeadLetter[]> {
            return listRows(deadLetters, odata`PartitionKey eq ${DEAD_LETTER_PARTITION}`, fromDeadLetterEntity);
        },

        async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
            if (!DEAD_LETTER_ID_PATTERN.test(id)) {
                return undefined;
            }
            const entity = await getOrUndefined(deadLetters, DEAD_LETTER_PARTITION, id);
            return entity === undefined ? undefined : fromDeadLetterEntity(deadLetters.tableName, entity);
        },

        async deleteDeadLetter(id: string): Promise<void> {
            if (DEAD_LETTER_ID_PATTERN.test(id)) {
                await deleteIgnoringMissing(deadLetters, DEAD_LETTER_PARTITION, id);
            }
        },

        pruneDelivered(webhookKey: string, olderThan: number): Promise<number> {
            return pruneDeliveredMarkers(webhookKey, olderThan, Number.POSITIVE_INFINITY);
        },

        async readMessageKey(webhookKey: string, kind: MessageKeyKind, key: string): Promise<RecordedMessage | undefined> {
            assertPartitionKey(webhookKey);
            const entity = await getOrUndefined(outbox, webhookKey, messageKeyRowKey(kind, key));
            return entity === undefined ? undefined : fromMessageKeyEntity(outbox.tableName, entity);
        },

        async writeMessageKey(webhookKey: string, kind: MessageKeyKind, key: string, message: RecordedMessage): Promise<void> {
            assertPartitionKey(webhookKey);
            await outbox.upsertEntity({ partitionKey: webhookKey, rowKey: messageKeyRowKey(kind, key), ...messageKeyProperties(message) }, 'Replace');
        },

        async deleteMessageKey(webhookKey: string, kind: MessageKeyKind, key: string): Promise<void> {
            assertPartitionKey(webhookKey);
            await deleteIgnoringMissing(outbox, webhookKey, messageKeyRowKey(kind, key));
        },

        pruneMessageKeys(webhookKey: string, olderThan: number): Promise<number> {
            const filter = odata`RowKey ge ${MESSAGE_KEY_ROW_PREFIX} and RowKey lt ${MESSAGE_KEY_ROW_RANGE_END}` + ` and recordedAt lt ${Math.trunc(olderThan)}.0`;
            return pruneRows(webhookKey, filter, Number.POSITIVE_INFINITY);
        },
    };
}
