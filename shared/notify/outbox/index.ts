/**
 * The outbox: per-webhook state shared by every instance (pending jobs in order, the send log,
 * back-off, the sender lease) and the dead letters. The contract; `table-store.ts` implements it on
 * Azure Table Storage.
 */
import type { ValidJob } from '../jobs.js';
import type { MessageKeyKind, RecordedMessage } from '../relay.js';

/** A job accepted for delivery, waiting in its webhook's outbox. */
export interface OutboxJob {
    /** Hash of the target URL (see `webhookKey`); the partition. Never the URL itself. */
    readonly webhookKey: string;
    /** The job's id (assigned at acceptance when the producer gave none). */
    readonly jobId: string;
    /** Delivery order within the webhook: the job's `createdAt` (epoch ms), else when it was accepted. */
    readonly order: number;
    /** The validated job, with `id` set. Holds the URL for `{url}` targets: stored, never logged. */
    readonly job: ValidJob;
    /** The alias the job was addressed to, when it was. */
    readonly alias: string | undefined;
    /** When the job was accepted (epoch ms). */
    readonly acceptedAt: number;
    /** POSTs made so far. */
    readonly attempts: number;
    /** When the first POST was made (epoch ms), for the retry age limit. */
    readonly firstAttemptAt: number | undefined;
    /** Not before this time (epoch ms): the transient-failure back-off. 0 when none. */
    readonly notBefore: number;
    /** The last answer, for dead letters. */
    readonly lastStatus: number | undefined;
    readonly lastBody: string | undefined;
    readonly lastReason: string | undefined;
    /** Optimistic-concurrency tag of the stored row. */
    readonly etag: string;
}

/** What {@link OutboxStore.addJob} did. */
export type AddJobResult = 'added' | 'already-queued' | 'already-delivered';

/**
 * How a job left the outbox: `delivered` (a connector's `1`, a relay flow's message id), `accepted`
 * (a Workflows 2xx: the flow took it), or `superseded` (a newer job with its `updateKey` replaced it
 * while both waited for a relay flow).
 */
export type DeliveryConfirmation = 'delivered' | 'accepted' | 'superseded';

/** A webhook's lifetime counters, kept in its state and shown by `budget` and `status` as they are. */
export interface WebhookCounters {
    /** Jobs Teams confirmed (a connector's `1`). */
    readonly delivered: number;
    /** Jobs a Workflows flow accepted (2xx): what the flow did with them is in its run history. */
    readonly accepted: number;
    /** Jobs a newer job with the same `updateKey` replaced while both waited for a relay flow. */
    readonly superseded: number;
    /**
     * Answers of a relay flow that carried no message id (a `202`: the flow has no Response action):
     * accepted, but the alias is misconfigured and its cards cannot be updated or threaded.
     */
    readonly relayWithoutId: number;
    /** Throttled answers. */
    readonly throttled: number;
    /** Jobs that went to the dead letters. */
    readonly deadLettered: number;
}

/** A webhook's shared sending state. One row per webhook, updated only with its ETag. */
export interface WebhookState extends WebhookCounters {
    readonly webhookKey: string;
    /** The alias last used for this webhook, for display. */
    readonly alias: string | undefined;
    /** For a webhook reached by `{url}` only: its URL's host, for display (never the URL, which is a secret). */
    readonly host: string | undefined;
    /** Start times (epoch ms, ascending) of POSTs in the last 24 h and the rate-limit guard. */
    readonly sends: readonly number[];
    /** Throttled answers in a row; 0 after a success. */
    readonly consecutiveThrottles: number;
    /** No POST before this time (epoch ms) because Teams throttled; 0 when not blocked. */
    readonly blockedUntil: number;
    /** The sender holding the webhook, and until when (epoch ms). */
    readonly leaseOwner: string | undefined;
    readonly leaseUntil: number;
    /** When the pending wake-up message becomes visible (epoch ms); 0 when none is pending. */
    readonly wakeAt: number;
    /** `undefined` until the row exists. */
    readonly etag: string | undefined;
}

/** A webhook sending through a Teams connection, and its place in the round robin (see `shared/notify/connection-budget.ts`). */
export interface ConnectionClaim {
    readonly webhookKey: string;
    /** The turns it has had since it joined (from the lowest round present then); lower rounds are served first. */
    readonly round: number;
    /** Forgotten after this (epoch ms) unless renewed: a webhook that went away holds nobody up for long. */
    readonly expiresAt: number;
}

/**
 * The shared sending state of one Teams connection (the sign-in behind Workflows flows): every
 * webhook of the connection reserves its slot here, with the row's ETag, before it posts.
 */
export interface ConnectionState {
    /** The connection's name (`TEAMS_CONNECTION_<ALIAS>`, or `default`). */
    readonly connection: string;
    /** Start times (epoch ms, ascending) of POSTs through this connection, as long as a window can need them. */
    readonly sends: readonly number[];
    /** No POST through the connection before this (epoch ms): a Retry-After; 0 when none. */
    readonly blockedUntil: number;
    /** The webhooks sending through the connection, with their rounds. */
    readonly claims: readonly ConnectionClaim[];
    /** `undefined` until the row exists. */
    readonly etag: string | undefined;
}

/** Where a dead letter came from. */
export type DeadLetterSource = 'delivery' | 'validation';

/** A job that will not be delivered, with everything needed to understand and replay it. */
export interface DeadLetter {
    /** Row id, unique, sortable by time. */
    readonly id: string;
    readonly source: DeadLetterSource;
    /** The job id, when the message was a job. */
    readonly jobId: string | undefined;
    readonly webhookKey: string | undefined;
    readonly alias: string | undefined;
    /** The job (valid jobs), or the message text as received (invalid ones, cut to 32 KB). */
    readonly job: ValidJob | undefined;
    readonly message: string | undefined;
    /** Why it was dead-lettered, naming every problem. */
    readonly reason: string;
    readonly lastStatus: number | undefined;
    readonly lastBody: string | undefined;
    readonly attempts: number;
    readonly firstAttemptAt: number | undefined;
    readonly deadLetteredAt: number;
}

/** A new dead letter: everything but its id. */
export type NewDeadLetter = Omit<DeadLetter, 'id'>;

/** A new job for the outbox: what it is, where it goes and in which order, before any attempt. */
export type NewOutboxJob = Pick<OutboxJob, 'webhookKey' | 'jobId' | 'order' | 'job' | 'alias' | 'acceptedAt'>;

/**
 * What {@link OutboxStore.deadLetterIfUnchanged} did: the job went to the dead letters, or it did
 * not because its row is no longer the one that was read.
 */
export type ConditionalDeadLetterResult =
    /** The dead letter was written and the job removed from the outbox. */
    | { readonly outcome: 'dead-lettered'; readonly deadLetter: DeadLetter }
    /** The job is still waiting but its row changed since it was read (an attempt was recorded): read it again. */
    | { readonly outcome: 'changed' }
    /** The job was delivered since it was read. */
    | { readonly outcome: 'delivered' }
    /** The job left the outbox since it was read (dead-lettered or removed by someone else). */
    | { readonly outcome: 'gone' };

/** Changes to a stored job after a failed attempt. */
export interface JobAttempt {
    readonly attempts: number;
    readonly firstAttemptAt: number;
    readonly notBefore: number;
    readonly lastStatus: number | undefined;
    readonly lastBody: string | undefined;
    readonly lastReason: string;
}

/**
 * The shared state behind delivery. Every method is safe to call from any number of instances at
 * once; writes that must not be lost use ETags.
 */
export interface OutboxStore {
    /** Creates the tables if they are missing. Idempotent. */
    ensureTables(): Promise<void>;
    /**
     * Puts a job in its webhook's outbox, unless the same job id is queued already or was delivered.
     * Idempotent: a crash and retry adds it once.
     */
    addJob(job: NewOutboxJob): Promise<AddJobResult>;
    /** The next job to send for a webhook: the lowest `order`, ties by job id. */
    headJob(webhookKey: string): Promise<OutboxJob | undefined>;
    /** Up to `max` jobs from the head of a webhook's outbox, in delivery order. */
    headJobs(webhookKey: string, max: number): Promise<OutboxJob[]>;
    /** Jobs waiting for a webhook (counting stops at `max`). */
    countJobs(webhookKey: string, max?: number): Promise<number>;
    /** Records a failed attempt on a job. */
    recordAttempt(job: OutboxJob, attempt: JobAttempt): Promise<void>;
    /**
     * Removes a delivered (or flow-accepted) job and remembers its id so it is never posted again;
     * `digestId` records that it went out inside that digest post, `confirmation` how Teams confirmed it.
     */
    completeJob(job: OutboxJob, deliveredAt: number, digestId?: string, confirmation?: DeliveryConfirmation): Promise<void>;
    /** Writes the dead letter, then removes the job from the outbox (when given). */
    deadLetter(entry: NewDeadLetter, job?: OutboxJob): Promise<DeadLetter>;
    /**
     * Dead-letters `job` only if its row is still exactly the one that was read (its ETag): writes
     * the dead letter, removes the job row with its ETag, and takes the dead letter back when the
     * row changed or is gone, so a job never ends both delivered and dead-lettered by this call.
     * A crash in between leaves the job waiting beside its dead letter: a duplicate, never a loss.
     */
    deadLetterIfUnchanged(entry: NewDeadLetter, job: OutboxJob): Promise<ConditionalDeadLetterResult>;
    /** Every job waiting under this id, in any webhook's outbox (the same id may wait for several webhooks). */
    findJobs(jobId: string): Promise<OutboxJob[]>;
    /** A webhook's state (a fresh one with `etag: undefined` when none is stored). */
    readState(webhookKey: string): Promise<WebhookState>;
    /** Stores the state if nobody changed it since it was read; `undefined` when somebody did. */
    writeState(state: WebhookState): Promise<WebhookState | undefined>;
    /** A connection's state (a fresh one with `etag: undefined` when none is stored). */
    readConnection(connection: string): Promise<ConnectionState>;
    /** Stores the connection's state if nobody changed it since it was read; `undefined` when somebody did. */
    writeConnection(state: ConnectionState): Promise<ConnectionState | undefined>;
    /** Every connection that has state, for `budget` and `status`. */
    listConnections(): Promise<ConnectionState[]>;
    /** Every webhook that has state, for the sweep and `budget`. */
    listWebhooks(): Promise<WebhookState[]>;
    /** Every dead letter, oldest first. */
    listDeadLetters(): Promise<DeadLetter[]>;
    getDeadLetter(id: string): Promise<DeadLetter | undefined>;
    deleteDeadLetter(id: string): Promise<void>;
    /**
     * Forgets delivered job ids of a webhook delivered before `olderThan` (epoch ms); returns how many.
     * Optional to call: `completeJob` already prunes now and then, so markers never grow without
     * bound. Ids are remembered 7 days, the default time-to-live of a queue message.
     */
    pruneDelivered(webhookKey: string, olderThan: number): Promise<number>;
    /** The message a relay flow posted for a job's `updateKey` (`update`) or `threadKey` (`thread`) on a webhook. */
    readMessageKey(webhookKey: string, kind: MessageKeyKind, key: string): Promise<RecordedMessage | undefined>;
    /** Records (or replaces) the message for a key. */
    writeMessageKey(webhookKey: string, kind: MessageKeyKind, key: string, message: RecordedMessage): Promise<void>;
    /** Forgets the message for a key (the flow no longer finds it). */
    deleteMessageKey(webhookKey: string, kind: MessageKeyKind, key: string): Promise<void>;
    /** Forgets a webhook's messages recorded before `olderThan` (epoch ms); returns how many. */
    pruneMessageKeys(webhookKey: string, olderThan: number): Promise<number>;
}

/** A webhook's state before anything was stored. */
export function emptyWebhookState(webhookKey: string): WebhookState {
    return {
        webhookKey,
        alias: undefined,
        host: undefined,
        sends: [],
        consecutiveThrottles: 0,
        blockedUntil: 0,
        leaseOwner: undefined,
        leaseUntil: 0,
        wakeAt: 0,
        delivered: 0,
        accepted: 0,
        superseded: 0,
        relayWithoutId: 0,
        throttled: 0,
        deadLettered: 0,
        etag: undefined,
    };
}

/** A connection's state before anything was stored. */
export function emptyConnectionState(connection: string): ConnectionState {
    return { connection, sends: [], blockedUntil: 0, claims: [], etag: undefined };
}

/** A job as it enters its webhook's outbox: not tried yet, no back-off, no answer. Its row's ETag aside. */
export function untriedJob(job: NewOutboxJob): Omit<OutboxJob, 'etag'> {
    return { ...job, attempts: 0, firstAttemptAt: undefined, notBefore: 0, lastStatus: undefined, lastBody: undefined, lastReason: undefined };
}

/** A webhook's counters out of its state (or anything that holds them), and nothing else. */
export function webhookCounters(from: WebhookCounters): WebhookCounters {
    return {
        delivered: from.delivered,
        accepted: from.accepted,
        superseded: from.superseded,
        relayWithoutId: from.relayWithoutId,
        throttled: from.throttled,
        deadLettered: from.deadLettered,
    };
}

/** Why a job is given up, as its dead letter records it: the reason, its last answer and its attempts. */
type DeliveryFailure = Pick<NewDeadLetter, 'reason' | 'lastStatus' | 'lastBody' | 'attempts' | 'firstAttemptAt' | 'deadLetteredAt'>;

/** The dead letter of a job given up on delivery: the whole job (so a replay brings it back), where it was going, and why. */
export function deliveryDeadLetter(job: OutboxJob, failure: DeliveryFailure): NewDeadLetter {
    return { source: 'delivery', jobId: job.jobId, webhookKey: job.webhookKey, alias: job.alias, job: job.job, message: undefined, ...failure };
}
