/** The outbox's row layout on Azure Table Storage: row keys, and pure converters between outbox records and table entities. */
import { createHash } from 'node:crypto';
import { z } from 'zod';

import { SystemError } from '../../platform/index.js';
import { MAX_JITTER_GUARD_MS, pruneHistory, TEAMS_WEBHOOK_LIMITS } from '../limiter.js';
import { notificationJobSchema, type ValidJob } from '../jobs.js';
import type { MessageKeyKind, RecordedMessage } from '../relay.js';
import { webhookCounters, type ConnectionClaim, type ConnectionState, type DeadLetter, type DeadLetterSource, type DeliveryConfirmation, type NewDeadLetter, type OutboxJob, type WebhookState } from './index.js';

/** Prefix of job rows: `job|<order, 15 digits>|<encoded job id>`, so RowKey order is delivery order. */
export const JOB_ROW_PREFIX = 'job|';
/** Exclusive end of the job-row range (`}` is the character after `|`). */
export const JOB_ROW_RANGE_END = 'job}';
/** Prefix of index rows: `id|<encoded job id>`, one per job id, queued or delivered. */
export const INDEX_ROW_PREFIX = 'id|';
/** Exclusive end of the index-row range. */
export const INDEX_ROW_RANGE_END = 'id}';
/** Prefix of message-key rows: `key|u|<encoded updateKey>` and `key|t|<encoded threadKey>`, the relay flow's message ids. */
export const MESSAGE_KEY_ROW_PREFIX = 'key|';
/** Exclusive end of the message-key range. */
export const MESSAGE_KEY_ROW_RANGE_END = 'key}';
/** RowKey of a webhook's state row. */
export const STATE_ROW_KEY = 'state';
/** Prefix of a Teams connection's partition: `connection|<name>` (names are `[a-z0-9_.-]`, never 32 hex alone). */
const CONNECTION_PARTITION_PREFIX = 'connection|';
/** RowKey of a connection's state row. */
export const CONNECTION_ROW_KEY = 'connection';
/** PartitionKey of every dead letter. */
export const DEAD_LETTER_PARTITION = 'deadletter';

/** Digits of the zero-padded order in a job RowKey: epoch ms has 13 digits until the year 2286. */
const ORDER_DIGITS = 15;
/** Largest order a RowKey can hold. */
const MAX_ORDER = 10 ** ORDER_DIGITS - 1;

/**
 * Longest key the store writes. Azure documents 1 KiB per key; the emulator refuses keys over 512
 * characters (measured: 512 accepted, 513 refused with 400), i.e. 1 KiB of UTF-16.
 */
export const MAX_KEY_CHARS = 512;
/** Longest encoded job id in a key; longer encodings are shortened with a hash (see {@link encodeKeyPart}). */
export const MAX_ENCODED_ID_CHARS = 400;

/**
 * Largest string property: 64 KiB of UTF-16, i.e. 32,768 characters (Azure Tables data model; the
 * emulator refuses 32,769 with `PropertyValueTooLarge`).
 */
export const MAX_STRING_PROPERTY_CHARS = 32_768;
/** Characters per chunk of a long string, a little under {@link MAX_STRING_PROPERTY_CHARS}. */
export const STRING_CHUNK_CHARS = 30_000;
/**
 * Chunks a job's JSON may take: 8 x 30,000 characters is 480 KiB of UTF-16, under the 1 MiB entity
 * limit with room for a dead letter's message. Queue messages are at most 64 KiB, so real jobs need 3.
 */
const MAX_JOB_CHUNKS = 8;
/** Chunks a dead letter's message may take (120,000 characters; the contract cuts messages to 32 KB). */
const MAX_MESSAGE_CHUNKS = 4;
/** Chunks the encoded send log may take; 1800 sends need about 13,000 characters (see {@link encodeSends}). */
const MAX_SENDS_CHUNKS = 2;
/** Chunks the encoded claims of a connection may take: over 1000 claims of 64-character keys, more than {@link MAX_CONNECTION_CLAIMS}. */
const MAX_CLAIMS_CHUNKS = 2;
/**
 * Most webhooks sending through one connection at once. One person's flows behind one app are a
 * handful; a webhook that finds the list full still learns its turn, without a place in the rounds.
 */
export const MAX_CONNECTION_CLAIMS = 500;
/** Longest stored Teams answer body: enough to diagnose (Teams' error bodies are a few hundred bytes). */
const MAX_LAST_BODY_CHARS = 4_096;
/** Longest stored reason: one chunk. */
const MAX_REASON_CHARS = STRING_CHUNK_CHARS;
/** Marker appended to a string that was cut. */
export const CUT_MARKER = '…[cut]';

/**
 * How long a delivered job id is remembered: 7 days, the default time-to-live of a queue message, so
 * a duplicate of a delivered job cannot arrive after its id is forgotten (docs/teams-facts.md#visibility-and-time-to-live).
 */
export const DELIVERED_RETENTION_MS = 7 * 86_400_000;

/** Characters a key part keeps as they are: printable ASCII except the key-forbidden `/ \ # ?` and the escape `~`. */
const PLAIN_KEY_CHARACTER = /[\u0020-\u007d]/;
const FORBIDDEN_KEY_CHARACTERS = new Set(['/', '\\', '#', '?']);

/**
 * Encodes a job id for use inside a RowKey. Printable ASCII stays as it is; every other UTF-16 code
 * unit (and `/ \ # ?` and the escape `~`) becomes `~` and four lower-case hex digits. For the ids the
 * job schema allows, the encoding sorts exactly like the ids themselves (every escaped unit is above
 * `}`, and `~` sorts after all kept characters). An encoding longer than {@link MAX_ENCODED_ID_CHARS}
 * is cut and ends in `~~` and a hash, which keeps it unique.
 */
export function encodeKeyPart(id: string, hash: (text: string) => string): string {
    let encoded = '';
    for (let index = 0; index < id.length; index++) {
        const character = id.charAt(index);
        if (PLAIN_KEY_CHARACTER.test(character) && !FORBIDDEN_KEY_CHARACTERS.has(character)) {
            encoded += character;
        } else {
            encoded += `~${id.charCodeAt(index).toString(16).padStart(4, '0')}`;
        }
    }
    if (encoded.length <= MAX_ENCODED_ID_CHARS) {
        return encoded;
    }
    const digest = hash(id);
    return `${encoded.slice(0, MAX_ENCODED_ID_CHARS - digest.length - 2)}~~${digest}`;
}

function hashId(id: string): string {
    return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** A job id as it appears in the row keys of its job and index rows ({@link encodeKeyPart}, hashed with SHA-256 when long). */
export function encodedJobId(jobId: string): string {
    if (jobId === '') {
        throw new TypeError('A job id cannot be empty');
    }
    return encodeKeyPart(jobId, hashId);
}

/**
 * The send log a state row keeps, in whole ms, ascending, without the sends no decision can count any
 * more: pruned like the sender's, over Teams' windows with the widest guard the configuration allows.
 */
export function prunedSends(sends: readonly number[], now: number): number[] {
    return pruneHistory(sends.map((time) => Math.trunc(time)), now, TEAMS_WEBHOOK_LIMITS, { guardMs: MAX_JITTER_GUARD_MS });
}

/** RowKey of a job row: `job|<order, zero-padded>|<encoded id>`. */
export function jobRowKey(order: number, encodedId: string): string {
    if (!Number.isSafeInteger(order) || order < 0 || order > MAX_ORDER) {
        throw new SystemError('bad_job_order', `A job's order must be a whole number from 0 to ${MAX_ORDER} (epoch ms)`);
    }
    return `${JOB_ROW_PREFIX}${String(order).padStart(ORDER_DIGITS, '0')}|${encodedId}`;
}

/** RowKey of a job id's index row: `id|<encoded id>`. */
export function indexRowKey(encodedId: string): string {
    return `${INDEX_ROW_PREFIX}${encodedId}`;
}

/** RowKey of a dead letter: `<epoch ms, zero-padded>-<12 hex digits>`, unique and sorted by time. */
export function deadLetterRowKey(deadLetteredAt: number, randomHex: string): string {
    return `${String(Math.max(0, Math.trunc(deadLetteredAt))).padStart(ORDER_DIGITS, '0')}-${randomHex}`;
}

/** Shape of every dead-letter id this store makes; anything else cannot name a dead letter. */
export const DEAD_LETTER_ID_PATTERN = /^\d{15}-[0-9a-f]{12}$/;

/** True when `key` holds a character Azure refuses in PartitionKey and RowKey values (Azure Tables data model). */
function hasForbiddenKeyCharacter(key: string): boolean {
    for (let index = 0; index < key.length; index++) {
        const code = key.charCodeAt(index);
        if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || FORBIDDEN_KEY_CHARACTERS.has(key.charAt(index))) {
            return true;
        }
    }
    return false;
}

/** Throws unless `key` may be used as a PartitionKey (webhook keys are hashes; this guards against misuse). */
export function assertPartitionKey(key: string): void {
    if (key === '' || key.length > MAX_KEY_CHARS || hasForbiddenKeyCharacter(key)) {
        throw new SystemError(
            'bad_webhook_key',
            `A webhook key must be 1-${MAX_KEY_CHARS} characters without / \\ # ? or control characters`,
        );
    }
}

/**
 * Encodes a send log (epoch ms, ascending) compactly: base-36, the first value absolute and each
 * next one as the difference to the previous, comma-separated. 1800 sends in 24 h take about
 * 9,000 characters when spread evenly and under 13,000 in the worst case.
 *
 * @example
 * encodeSends([1700000000000, 1700000000250]); // 'lp1xxqo0,6y'
 */
export function encodeSends(sends: readonly number[]): string {
    let previous = 0;
    return sends
        .map((time) => {
            const delta = time - previous;
            previous = time;
            return delta.toString(36);
        })
        .join(',');
}

/** Decodes {@link encodeSends}; `undefined` when the text is not a valid log. */
export function decodeSends(text: string): number[] | undefined {
    if (text === '') {
        return [];
    }
    const sends: number[] = [];
    let previous = 0;
    for (const part of text.split(',')) {
        if (!/^[0-9a-z]{1,11}$/.test(part)) {
            return undefined;
        }
        previous += parseInt(part, 36);
        sends.push(previous);
    }
    return Number.isSafeInteger(previous) ? sends : undefined;
}

/** Cuts a string to at most `max` characters, marking the cut and never splitting a surrogate pair. */
export function cutString(value: string, max: number): string {
    if (value.length <= max) {
        return value;
    }
    let end = max - CUT_MARKER.length;
    if (isHighSurrogate(value.charCodeAt(end - 1))) {
        end -= 1;
    }
    return `${value.slice(0, end)}${CUT_MARKER}`;
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Splits a long string over properties `<name>`, `<name>_1`, ... and records the count in
 * `<name>Chunks`. Chunks end on whole characters. Returns `undefined` when it needs more than
 * `maxChunks`.
 */
export function toChunkedProperties(name: string, value: string, maxChunks: number): Record<string, string | number> | undefined {
    const chunks: string[] = [];
    let start = 0;
    while (start < value.length || chunks.length === 0) {
        let end = Math.min(start + STRING_CHUNK_CHARS, value.length);
        if (end < value.length && isHighSurrogate(value.charCodeAt(end - 1))) {
            end -= 1;
        }
        chunks.push(value.slice(start, end));
        start = end;
        if (chunks.length > maxChunks) {
            return undefined;
        }
    }
    const properties: Record<string, string | number> = { [`${name}Chunks`]: chunks.length };
    chunks.forEach((chunk, index) => {
        properties[index === 0 ? name : `${name}_${index}`] = chunk;
    });
    return properties;
}

/** Joins a string written by {@link toChunkedProperties}; `undefined` when absent, an error text when incomplete. */
function fromChunkedProperties(entity: Readonly<Record<string, unknown>>, name: string): { value: string | undefined } | { problem: string } {
    const count = entity[`${name}Chunks`];
    if (count === undefined) {
        return entity[name] === undefined ? { value: undefined } : { problem: `${name}Chunks is missing` };
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        return { problem: `${name}Chunks is not a positive whole number` };
    }
    let value = '';
    for (let index = 0; index < count; index++) {
        const property = index === 0 ? name : `${name}_${index}`;
        const chunk = entity[property];
        if (typeof chunk !== 'string') {
            return { problem: `${property} is missing or not a string` };
        }
        value += chunk;
    }
    return { value };
}

/** A stored entity could not be read: names the table, partition and row, never a value. */
class CorruptEntityError extends SystemError {
    /** Where the entity is. */
    readonly table: string;
    readonly partitionKey: string;
    readonly rowKey: string;

    constructor(where: EntityLocation, problems: readonly string[]) {
        super(
            'corrupt_entity',
            `Corrupt entity in table ${where.table}, partition ${where.partitionKey}, row ${where.rowKey}: ${problems.join('; ')}`,
        );
        this.table = where.table;
        this.partitionKey = where.partitionKey;
        this.rowKey = where.rowKey;
    }
}

/** Where an entity is, for error messages. */
interface EntityLocation {
    readonly table: string;
    readonly partitionKey: string;
    readonly rowKey: string;
}

/** The location of a raw entity as the SDK returned it, whatever its shape. */
function locate(table: string, entity: Readonly<Record<string, unknown>>): EntityLocation {
    const partitionKey = entity.partitionKey;
    const rowKey = entity.rowKey;
    return {
        table,
        partitionKey: typeof partitionKey === 'string' ? partitionKey : '(none)',
        rowKey: typeof rowKey === 'string' ? rowKey : '(none)',
    };
}

function issuesOf(error: z.ZodError): string[] {
    return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'entity'}: ${issue.message}`);
}

/** Parses with `schema`, or throws a {@link CorruptEntityError} naming every problem. */
function parseEntity<T>(schema: z.ZodType<T>, table: string, entity: Readonly<Record<string, unknown>>): T {
    const parsed = schema.safeParse(entity);
    if (!parsed.success) {
        throw new CorruptEntityError(locate(table, entity), issuesOf(parsed.error));
    }
    return parsed.data;
}

/** Reads the chunked job JSON of an entity and validates it as a job. */
function readJob(table: string, entity: Readonly<Record<string, unknown>>, name: string): ValidJob | undefined {
    const chunked = fromChunkedProperties(entity, name);
    if ('problem' in chunked) {
        throw new CorruptEntityError(locate(table, entity), [chunked.problem]);
    }
    if (chunked.value === undefined) {
        return undefined;
    }
    let parsedJson: unknown;
    try {
        parsedJson = JSON.parse(chunked.value);
    } catch {
        throw new CorruptEntityError(locate(table, entity), [`${name} is not valid JSON`]);
    }
    const job = notificationJobSchema.safeParse(parsedJson);
    if (!job.success) {
        throw new CorruptEntityError(locate(table, entity), issuesOf(job.error).map((issue) => `${name}.${issue}`));
    }
    return job.data;
}

/** What was read from an entity, or a {@link CorruptEntityError} saying `problem` when nothing could be. */
function readOrRefuse<T>(table: string, entity: Readonly<Record<string, unknown>>, value: T | undefined, problem: string): T {
    if (value === undefined) {
        throw new CorruptEntityError(locate(table, entity), [problem]);
    }
    return value;
}

function readChunkedString(table: string, entity: Readonly<Record<string, unknown>>, name: string): string | undefined {
    const chunked = fromChunkedProperties(entity, name);
    if ('problem' in chunked) {
        throw new CorruptEntityError(locate(table, entity), [chunked.problem]);
    }
    return chunked.value;
}

const keys = {
    partitionKey: z.string(),
    rowKey: z.string(),
    etag: z.string(),
};
const epochMs = z.number().int().nonnegative();
const count = z.number().int().nonnegative();

const jobRowSchema = z.looseObject({
    ...keys,
    jobId: z.string().min(1),
    order: epochMs,
    alias: z.string().optional(),
    acceptedAt: epochMs,
    attempts: count,
    firstAttemptAt: epochMs.optional(),
    notBefore: epochMs,
    lastStatus: z.number().int().optional(),
    lastBody: z.string().optional(),
    lastReason: z.string().optional(),
});

/** Properties of a job row, without keys. */
type JobRowProperties = Record<string, string | number>;

/** The properties of a job row (keys aside). Throws when the job's JSON exceeds {@link MAX_JOB_CHUNKS}. */
export function toJobProperties(job: Omit<OutboxJob, 'etag' | 'webhookKey'>): JobRowProperties {
    const jobJson = toChunkedProperties('jobJson', JSON.stringify(job.job), MAX_JOB_CHUNKS);
    if (jobJson === undefined) {
        throw new SystemError(
            'job_too_large',
            `Job ${job.jobId} is larger than ${MAX_JOB_CHUNKS * STRING_CHUNK_CHARS} characters of JSON and cannot be stored`,
        );
    }
    return withoutUndefined({
        jobId: job.jobId,
        order: job.order,
        alias: job.alias,
        acceptedAt: job.acceptedAt,
        attempts: job.attempts,
        firstAttemptAt: job.firstAttemptAt,
        notBefore: job.notBefore,
        lastStatus: job.lastStatus,
        lastBody: job.lastBody === undefined ? undefined : cutString(job.lastBody, MAX_LAST_BODY_CHARS),
        lastReason: job.lastReason === undefined ? undefined : cutString(job.lastReason, MAX_REASON_CHARS),
        ...jobJson,
    });
}

/** Reads a job row. @throws {CorruptEntityError} */
export function fromJobEntity(table: string, entity: Readonly<Record<string, unknown>>): OutboxJob {
    const row = parseEntity(jobRowSchema, table, entity);
    const job = readOrRefuse(table, entity, readJob(table, entity, 'jobJson'), 'jobJson is missing');
    return {
        webhookKey: row.partitionKey,
        jobId: row.jobId,
        order: row.order,
        job,
        alias: row.alias,
        acceptedAt: row.acceptedAt,
        attempts: row.attempts,
        firstAttemptAt: row.firstAttemptAt,
        notBefore: row.notBefore,
        lastStatus: row.lastStatus,
        lastBody: row.lastBody,
        lastReason: row.lastReason,
        etag: row.etag,
    };
}

/** What an index row says about its job id. */
type IndexRow =
    | { readonly status: 'queued'; readonly jobId: string; readonly jobRowKey: string; readonly etag: string }
    | {
          readonly status: 'delivered';
          readonly jobId: string;
          readonly deliveredAt: number;
          /** How Teams confirmed it; markers written before the distinction read as `delivered`. */
          readonly confirmation: DeliveryConfirmation;
          readonly etag: string;
      };

const indexRowSchema = z.discriminatedUnion('status', [
    z.looseObject({ ...keys, status: z.literal('queued'), jobId: z.string().min(1), jobRowKey: z.string().startsWith(JOB_ROW_PREFIX) }),
    z.looseObject({ ...keys, status: z.literal('delivered'), jobId: z.string().min(1), deliveredAt: epochMs, confirmation: z.enum(['delivered', 'accepted', 'superseded']).optional() }),
]);

/** The properties of a queued job's index row. */
export function queuedIndexProperties(jobId: string, rowKeyOfJob: string): Record<string, string> {
    return { status: 'queued', jobId, jobRowKey: rowKeyOfJob };
}

/**
 * The properties of a delivered job's index row. `deliveredAt` is typed `Edm.Double` explicitly so
 * the pruning filter (a double literal) compares like with like in Azure, whatever the value. The
 * row keeps `status: 'delivered'` either way (it is what stops a second post); `confirmation` says
 * whether Teams confirmed the post or a Workflows flow only accepted it.
 */
export function deliveredIndexProperties(
    jobId: string,
    deliveredAt: number,
    digestId?: string,
    confirmation: DeliveryConfirmation = 'delivered',
): Record<string, string | { value: number; type: 'Double' }> {
    // `digestId` records a job delivered inside a digest post rather than alone.
    return {
        status: 'delivered',
        jobId,
        deliveredAt: { value: deliveredAt, type: 'Double' },
        confirmation,
        ...(digestId === undefined ? {} : { digestId }),
    };
}

/** Reads an index row. @throws {CorruptEntityError} */
export function fromIndexEntity(table: string, entity: Readonly<Record<string, unknown>>): IndexRow {
    const row = parseEntity(indexRowSchema, table, entity);
    return row.status === 'queued'
        ? { status: 'queued', jobId: row.jobId, jobRowKey: row.jobRowKey, etag: row.etag }
        : { status: 'delivered', jobId: row.jobId, deliveredAt: row.deliveredAt, confirmation: row.confirmation ?? 'delivered', etag: row.etag };
}

/** RowKey of the row holding the message recorded for an `updateKey` or a `threadKey`. */
export function messageKeyRowKey(kind: MessageKeyKind, key: string): string {
    return `${MESSAGE_KEY_ROW_PREFIX}${kind === 'update' ? 'u' : 't'}|${encodedJobId(key)}`;
}

/**
 * The properties of a message-key row. `recordedAt` is typed `Edm.Double` so the pruning filter
 * compares like with like, as for delivered markers.
 */
export function messageKeyProperties(message: RecordedMessage): Record<string, string | { value: number; type: 'Double' }> {
    return { messageId: message.messageId, recordedAt: { value: message.recordedAt, type: 'Double' } };
}

const messageKeyRowSchema = z.looseObject({ ...keys, messageId: z.string().min(1), recordedAt: epochMs });

/** Reads a message-key row. @throws {CorruptEntityError} */
export function fromMessageKeyEntity(table: string, entity: Readonly<Record<string, unknown>>): RecordedMessage {
    const row = parseEntity(messageKeyRowSchema, table, entity);
    return { messageId: row.messageId, recordedAt: row.recordedAt };
}

/** The PartitionKey of a connection's row. */
export function connectionPartitionKey(connection: string): string {
    return `${CONNECTION_PARTITION_PREFIX}${connection}`;
}

/** A webhook key inside an encoded claim: what `webhookKey` makes (hex), or a test's plain name. */
const CLAIM_KEY = /^[0-9A-Za-z_-]{1,64}$/;
const BASE36 = /^[0-9a-z]{1,11}$/;

/**
 * Encodes claims compactly: `<webhook key>,<round base-36>,<expiresAt base-36>` joined by `;`.
 *
 * @example
 * encodeClaims([{ webhookKey: 'ab', round: 36, expiresAt: 72 }]); // 'ab,10,20'
 */
function encodeClaims(claims: readonly ConnectionClaim[]): string {
    return claims.map((claim) => `${claim.webhookKey},${Math.trunc(claim.round).toString(36)},${Math.trunc(claim.expiresAt).toString(36)}`).join(';');
}

/** Decodes {@link encodeClaims}; `undefined` when the text is not a valid claim list. */
function decodeClaims(text: string): ConnectionClaim[] | undefined {
    if (text === '') {
        return [];
    }
    const claims: ConnectionClaim[] = [];
    for (const part of text.split(';')) {
        const [webhookKey = '', round = '', expiresAt = '', ...rest] = part.split(',');
        if (rest.length > 0 || !CLAIM_KEY.test(webhookKey) || !BASE36.test(round) || !BASE36.test(expiresAt)) {
            return undefined;
        }
        const claim = { webhookKey, round: parseInt(round, 36), expiresAt: parseInt(expiresAt, 36) };
        if (!Number.isSafeInteger(claim.round) || !Number.isSafeInteger(claim.expiresAt)) {
            return undefined;
        }
        claims.push(claim);
    }
    return claims;
}

const connectionRowSchema = z.looseObject({
    ...keys,
    partitionKey: z.string().startsWith(CONNECTION_PARTITION_PREFIX),
    rowKey: z.literal(CONNECTION_ROW_KEY),
    blockedUntil: epochMs,
});

/** The properties of a connection row (keys aside), its send log already pruned. */
export function toConnectionProperties(state: ConnectionState): Record<string, string | number> {
    const sends = toChunkedProperties('sends', encodeSends(state.sends), MAX_SENDS_CHUNKS);
    const claims = toChunkedProperties('claims', encodeClaims(state.claims.slice(0, MAX_CONNECTION_CLAIMS)), MAX_CLAIMS_CHUNKS);
    if (sends === undefined || claims === undefined) {
        throw new SystemError('send_log_too_large', `The state of connection ${state.connection} is too large to store (${state.sends.length} sends, ${state.claims.length} claims)`);
    }
    return { blockedUntil: state.blockedUntil, ...sends, ...claims };
}

/** Reads a connection row. @throws {CorruptEntityError} */
export function fromConnectionEntity(table: string, entity: Readonly<Record<string, unknown>>): ConnectionState {
    const row = parseEntity(connectionRowSchema, table, entity);
    const sends = decodeSends(readChunkedString(table, entity, 'sends') ?? '');
    const claims = decodeClaims(readChunkedString(table, entity, 'claims') ?? '');
    const problems = [...(sends === undefined ? ['sends is not a valid send log'] : []), ...(claims === undefined ? ['claims is not a valid claim list'] : [])];
    if (sends === undefined || claims === undefined) {
        throw new CorruptEntityError(locate(table, entity), problems);
    }
    return {
        connection: row.partitionKey.slice(CONNECTION_PARTITION_PREFIX.length),
        sends,
        blockedUntil: row.blockedUntil,
        claims,
        etag: row.etag,
    };
}

const stateRowSchema = z.looseObject({
    ...keys,
    rowKey: z.literal(STATE_ROW_KEY),
    alias: z.string().optional(),
    host: z.string().optional(),
    consecutiveThrottles: count,
    blockedUntil: epochMs,
    leaseOwner: z.string().optional(),
    leaseUntil: epochMs,
    wakeAt: epochMs,
    delivered: count,
    // Absent (0) on rows written before flows' acceptances were counted apart.
    accepted: count.default(0),
    superseded: count.default(0),
    relayWithoutId: count.default(0),
    throttled: count,
    deadLettered: count,
});

/** The properties of a state row (keys aside), its send log already pruned. */
export function toStateProperties(state: WebhookState): Record<string, string | number> {
    const sends = toChunkedProperties('sends', encodeSends(state.sends), MAX_SENDS_CHUNKS);
    if (sends === undefined) {
        throw new SystemError('send_log_too_large', `The send log of webhook ${state.webhookKey} holds ${state.sends.length} sends, too many to store`);
    }
    return withoutUndefined({
        alias: state.alias,
        host: state.host,
        consecutiveThrottles: state.consecutiveThrottles,
        blockedUntil: state.blockedUntil,
        leaseOwner: state.leaseOwner,
        leaseUntil: state.leaseUntil,
        wakeAt: state.wakeAt,
        ...webhookCounters(state),
        ...sends,
    });
}

/** Reads a state row. @throws {CorruptEntityError} */
export function fromStateEntity(table: string, entity: Readonly<Record<string, unknown>>): WebhookState {
    const row = parseEntity(stateRowSchema, table, entity);
    const sends = readOrRefuse(table, entity, decodeSends(readChunkedString(table, entity, 'sends') ?? ''), 'sends is not a valid send log');
    return {
        webhookKey: row.partitionKey,
        alias: row.alias,
        host: row.host,
        sends,
        consecutiveThrottles: row.consecutiveThrottles,
        blockedUntil: row.blockedUntil,
        leaseOwner: row.leaseOwner,
        leaseUntil: row.leaseUntil,
        wakeAt: row.wakeAt,
        ...webhookCounters(row),
        etag: row.etag,
    };
}

const deadLetterRowSchema = z.looseObject({
    ...keys,
    rowKey: z.string().regex(DEAD_LETTER_ID_PATTERN),
    source: z.enum(['delivery', 'validation'] satisfies readonly DeadLetterSource[]),
    jobId: z.string().optional(),
    webhookKey: z.string().optional(),
    alias: z.string().optional(),
    reason: z.string(),
    lastStatus: z.number().int().optional(),
    lastBody: z.string().optional(),
    attempts: count,
    firstAttemptAt: epochMs.optional(),
    deadLetteredAt: epochMs,
});

/**
 * The properties of a dead-letter row. The job is kept whole (chunked) so it can be replayed; the
 * message is chunked and cut to {@link MAX_MESSAGE_CHUNKS} chunks, the reason to
 * {@link MAX_REASON_CHARS} and the last body to {@link MAX_LAST_BODY_CHARS}. A job too large to keep
 * whole (it cannot have come from a queue message) is stored as its JSON, cut, in `message`.
 */
export function toDeadLetterProperties(entry: NewDeadLetter): Record<string, string | number> {
    let job = entry.job === undefined ? {} : toChunkedProperties('jobJson', JSON.stringify(entry.job), MAX_JOB_CHUNKS);
    let message = entry.message;
    let reason = entry.reason;
    if (job === undefined) {
        job = {};
        message = JSON.stringify(entry.job);
        reason = `${reason} (the job was too large to keep whole; its JSON, cut, is in the message)`;
    }
    const maxMessageChars = MAX_MESSAGE_CHUNKS * STRING_CHUNK_CHARS;
    const messageProperties =
        message === undefined ? {} : (toChunkedProperties('message', cutString(message, maxMessageChars - MAX_MESSAGE_CHUNKS), MAX_MESSAGE_CHUNKS) ?? {});
    return withoutUndefined({
        source: entry.source,
        jobId: entry.jobId,
        webhookKey: entry.webhookKey,
        alias: entry.alias,
        reason: cutString(reason, MAX_REASON_CHARS),
        lastStatus: entry.lastStatus,
        lastBody: entry.lastBody === undefined ? undefined : cutString(entry.lastBody, MAX_LAST_BODY_CHARS),
        attempts: entry.attempts,
        firstAttemptAt: entry.firstAttemptAt,
        deadLetteredAt: entry.deadLetteredAt,
        ...job,
        ...messageProperties,
    });
}

/** Reads a dead-letter row. @throws {CorruptEntityError} */
export function fromDeadLetterEntity(table: string, entity: Readonly<Record<string, unknown>>): DeadLetter {
    const row = parseEntity(deadLetterRowSchema, table, entity);
    return {
        id: row.rowKey,
        source: row.source,
        jobId: row.jobId,
        webhookKey: row.webhookKey,
        alias: row.alias,
        job: readJob(table, entity, 'jobJson'),
        message: readChunkedString(table, entity, 'message'),
        reason: row.reason,
        lastStatus: row.lastStatus,
        lastBody: row.lastBody,
        attempts: row.attempts,
        firstAttemptAt: row.firstAttemptAt,
        deadLetteredAt: row.deadLetteredAt,
    };
}

/** Drops `undefined` values: Azure Tables stores no nulls, an absent property is how "none" is written. */
function withoutUndefined<T>(record: Readonly<Record<string, T | undefined>>): Record<string, T> {
    const result: Record<string, T> = {};
    for (const [key, value] of Object.entries(record)) {
        if (value !== undefined) {
            result[key] = value;
        }
    }
    return result;
}
