/**
 * The per-webhook sender: one instance at a time (a lease on the webhook's state row, taken with
 * its ETag) posts jobs from the head of the outbox while the sliding windows allow, records every
 * answer, and hands over to a wake-up message when the next slot is far away.
 *
 * Crash safety: a send is recorded in the log (with the lease renewal) before the POST, so a crash
 * never lets the next sender exceed a window; a job leaves the outbox only after Teams' answer is
 * recorded, so a crash before that re-sends it (the only source of duplicates). A lease outlives a
 * crashed holder by at most {@link DEFAULT_LEASE_MS}; the sweep then wakes the webhook.
 *
 * Workflows webhooks also share the budget of their Teams connection: before the webhook's own
 * reservation, the send is reserved on the connection's row with its ETag (`shared/notify/connection-budget.ts`
 * decides whose turn it is), so any number of webhooks on any number of instances never exceed it
 * together. A crash between the two reservations leaves a send counted that never happened: a slot
 * lost, never a window crossed.
 */
import { retryDelay, throttleBackoff } from './backoff.js';
import { CLAIM_GRACE_MS, decideConnectionSlot } from './connection-budget.js';
import { ensureErrorType, PermanentError, type DeliveryEvent } from '../platform/index.js';
import { DEFAULT_LIMIT_PROFILES, teamsConnectionOf, type LimitProfile } from './limit-profiles.js';
import { nextSendTime, pruneHistory } from './limiter.js';
import { deliveryDeadLetter, type ConnectionState, type OutboxJob, type OutboxStore, type WebhookState } from './outbox/index.js';
import { backlogWaitMs, buildDigest, MAX_DIGEST_JOBS, MAX_SIMULATED_BACKLOG } from './digest.js';
import { buildTeamsPayload, type TeamsPayload } from './payload.js';
import { classifyTeamsResponse, type TeamsAnswer, type TeamsAnswerClassification, type WebhookDialect } from './teams-answer.js';
import { webhookDialect } from './webhook-target.js';
import type { PostToWebhook } from './post.js';
import { DEFAULT_DIGEST_AFTER_MS, DEFAULT_LEASE_MS, DEFAULT_MAX_DRAIN_MS, DEFAULT_MAX_INLINE_WAIT_MS, DEFAULT_ORDER_SETTLE_MS, DEFAULT_RELAY_KEY_RETENTION_MS, type DeliverySettings } from './settings.js';
import { decideRelayAction, isMissingMessage, keysToRecord, relayBody, relayMessageId, type MessageKeyKind, type RecordedMessage, type RelayAction } from './relay.js';

/** How far into the outbox a relay-flow job looks for a newer job with its `updateKey` to be superseded by. */
const MAX_COALESCE_SCAN = 100;
/** One recorded relay message in this many also prunes the webhook's expired message keys. */
const KEY_PRUNE_SAMPLE_RATE = 1 / 32;
/** Attempts to take a lease when the state row changes under us for other reasons. */
const LEASE_ATTEMPTS = 3;
/** Attempts to write a connection's row while other webhooks of the connection write it too. */
const CONNECTION_WRITE_ATTEMPTS = 5;
/** After that many lost races, wait this long and look again (the connection is busy, not full). */
const CONNECTION_CONTENTION_WAIT_MS = 500;
/**
 * Attempts after which a job whose preparation keeps throwing an unexpected error (a bug of ours, a
 * library throwing, a stack overflow) is dead-lettered with that error. Such a job holds the jobs
 * behind it while it is retried (order is promised), so the number is small: with the back-off of
 * `retryDelay` (2 s doubling, full jitter) the 5th attempt comes within about 30 s of the first.
 * Attempts count every failed try of the job, POSTs included.
 */
export const MAX_UNEXPECTED_FAILURE_ATTEMPTS = 5;

/** Tunables of the sender: the configuration's `delivery` section, as it is. */
export type SenderSettings = DeliverySettings;

/** Everything the sender talks to, injected so tests control time, storage and Teams. */
export interface SenderDeps {
    readonly store: OutboxStore;
    readonly post: PostToWebhook;
    /** Makes sure the webhook is drained again at `at` (a queue message that becomes visible then). */
    readonly scheduleWakeup: (webhookKey: string, at: number, now: number) => Promise<void>;
    /** The URL to post a job to. @throws {PermanentError} when it can no longer be resolved. */
    readonly resolveTarget: (job: OutboxJob) => URL;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    readonly random: () => number;
    /** Who holds the lease: unique per process. */
    readonly owner: string;
    readonly settings: SenderSettings;
    readonly log: (event: DeliveryEvent) => void;
    /**
     * The Teams connection the flow behind a Workflows URL posts with (`TEAMS_CONNECTION_<ALIAS>`);
     * `undefined` for a connector URL. @default every Workflows URL on the connection `default`
     */
    readonly teamsConnection?: (url: URL) => string | undefined;
    /** Whether a URL is a relay flow of our own (`TEAMS_RELAY_FLOW_ALIASES`). @default none is */
    readonly relayFlow?: (url: URL) => boolean;
}

/** How a drain ended. */
type DrainResult =
    | { readonly kind: 'busy'; readonly sent: number }
    | { readonly kind: 'idle'; readonly sent: number }
    | { readonly kind: 'waiting'; readonly until: number; readonly sent: number }
    | { readonly kind: 'lost-lease'; readonly sent: number };

/** Settings with every default filled in. */
export function senderSettings(overrides: Partial<SenderSettings> & Pick<SenderSettings, 'guardMs' | 'timeoutMs' | 'retryMaxAgeMs'>): SenderSettings {
    return {
        profiles: DEFAULT_LIMIT_PROFILES,
        leaseMs: DEFAULT_LEASE_MS,
        maxInlineWaitMs: DEFAULT_MAX_INLINE_WAIT_MS,
        maxDrainMs: DEFAULT_MAX_DRAIN_MS,
        digestAfterMs: DEFAULT_DIGEST_AFTER_MS,
        orderSettleMs: DEFAULT_ORDER_SETTLE_MS,
        relayKeyRetentionMs: DEFAULT_RELAY_KEY_RETENTION_MS,
        ...overrides,
    };
}

async function acquireLease(webhookKey: string, deps: SenderDeps): Promise<WebhookState | undefined> {
    for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
        const state = await deps.store.readState(webhookKey);
        const now = deps.now();
        if (state.leaseOwner !== undefined && state.leaseOwner !== deps.owner && state.leaseUntil > now) {
            return undefined;
        }
        const taken = await deps.store.writeState({
            ...state,
            leaseOwner: deps.owner,
            leaseUntil: now + deps.settings.leaseMs,
            // A wake-up whose time has come is firing (or fired): let a new one be scheduled.
            wakeAt: state.wakeAt <= now ? 0 : state.wakeAt,
        });
        if (taken !== undefined) {
            return taken;
        }
    }
    return undefined;
}

async function releaseLease(state: WebhookState, deps: SenderDeps): Promise<void> {
    if (state.leaseOwner !== deps.owner) {
        return;
    }
    // Losing this race only means someone else took an expired lease: nothing to undo.
    await deps.store.writeState({ ...state, leaseOwner: undefined, leaseUntil: 0 });
}

/** Every Workflows URL on the connection `default`, the safe default when nothing else is configured. */
const NO_NAMED_CONNECTIONS: ReadonlyMap<string, string> = new Map();

/** Where a job goes and how that destination is paced. */
type Destination = {
    readonly url: URL;
    readonly dialect: WebhookDialect;
    readonly profile: LimitProfile;
    /** The Teams connection whose budget the webhook shares; `undefined` when its profile has none. */
    readonly connection: string | undefined;
    /** Whether the URL is a relay flow of our own, which answers with the message id. */
    readonly relay: boolean;
};

/** A job ready to post; on a relay flow, with what the flow is asked to do. */
type Prepared = Destination & { readonly payload: TeamsPayload; readonly relayAction: RelayAction | undefined };

function locate(job: OutboxJob, deps: SenderDeps): Destination {
    const url = deps.resolveTarget(job);
    const dialect = webhookDialect(url);
    const profile = deps.settings.profiles[dialect];
    const connectionOf = deps.teamsConnection ?? ((target: URL) => teamsConnectionOf(target, NO_NAMED_CONNECTIONS));
    const connection = profile.perConnection.length === 0 ? undefined : connectionOf(url);
    return { url, dialect, profile, connection, relay: deps.relayFlow?.(url) ?? false };
}

/** The message recorded for a job's key, if one is and it is not older than the retention. */
async function recordedMessage(job: OutboxJob, kind: MessageKeyKind, key: string | undefined, deps: SenderDeps): Promise<RecordedMessage | undefined> {
    if (key === undefined) {
        return undefined;
    }
    const recorded = await deps.store.readMessageKey(job.webhookKey, kind, key);
    return recorded !== undefined && recorded.recordedAt >= deps.now() - deps.settings.relayKeyRetentionMs ? recorded : undefined;
}

/** Wraps a payload for a relay flow: the envelope plus `relay`, measured again. */
function forRelay(payload: TeamsPayload, action: RelayAction, jobId: string): TeamsPayload {
    const body = relayBody(payload.body, { ...action, jobId });
    return { body, bytes: Buffer.byteLength(body, 'utf8') };
}

async function prepare(job: OutboxJob, destination: Destination, deps: SenderDeps): Promise<Prepared> {
    const payload = await buildTeamsPayload(job.job, destination.dialect);
    if (!destination.relay) {
        return { ...destination, payload, relayAction: undefined };
    }
    const relayAction = decideRelayAction(job.job, {
        update: await recordedMessage(job, 'update', job.job.updateKey, deps),
        thread: await recordedMessage(job, 'thread', job.job.threadKey, deps),
    });
    return { ...destination, payload: forRelay(payload, relayAction, job.jobId), relayAction };
}

/**
 * On a relay flow, a waiting job with a newer job behind it carrying the same `updateKey` is
 * superseded: only the newest state is posted (a firing alert resolved before its turn is posted
 * once, resolved). The older job is recorded as superseded, never lost. True when it was.
 */
async function supersedeIfNewer(head: OutboxJob, destination: Destination, loop: Loop, deps: SenderDeps): Promise<boolean> {
    const key = head.job.updateKey;
    if (!destination.relay || key === undefined) {
        return false;
    }
    const waiting = await deps.store.headJobs(head.webhookKey, MAX_COALESCE_SCAN);
    const newer = waiting.filter((job) => job.jobId !== head.jobId && job.job.updateKey === key).at(-1);
    if (newer === undefined) {
        return false;
    }
    await recordDurably(() => deps.store.completeJob(head, deps.now(), undefined, 'superseded'), deps);
    deps.log({ event: 'superseded', webhookKey: head.webhookKey, jobId: head.jobId, alias: head.alias, supersededBy: newer.jobId });
    loop.state = { ...loop.state, superseded: loop.state.superseded + 1 };
    return true;
}

/**
 * Records the message id a relay flow answered for the keys of the job it posted, so later jobs
 * with those keys update it or reply to it.
 */
async function recordRelayMessage(job: OutboxJob, action: RelayAction, messageId: string, deps: SenderDeps): Promise<void> {
    const recordedAt = deps.now();
    for (const { kind, key } of keysToRecord(job.job, action)) {
        await recordDurably(() => deps.store.writeMessageKey(job.webhookKey, kind, key, { messageId, recordedAt }), deps);
    }
    if (deps.random() < KEY_PRUNE_SAMPLE_RATE) {
        try {
            await deps.store.pruneMessageKeys(job.webhookKey, recordedAt - deps.settings.relayKeyRetentionMs);
        } catch {
            // Housekeeping only: expired keys are ignored on read, and a later record prunes again.
        }
    }
}

/**
 * A relay flow no longer finds the message a job was to update or reply to (deleted, or unknown to
 * the flow): forget it, so the job is posted afresh at once (its id then replaces the old one).
 */
async function forgetMissingMessage(job: OutboxJob, action: RelayAction, deps: SenderDeps): Promise<void> {
    const forget: [MessageKeyKind, string | undefined] = action.action === 'update' ? ['update', job.job.updateKey] : ['thread', job.job.threadKey];
    if (forget[1] !== undefined) {
        await recordDurably(() => deps.store.deleteMessageKey(job.webhookKey, forget[0], forget[1] as string), deps);
    }
    deps.log({ event: 'retrying', webhookKey: job.webhookKey, jobId: job.jobId, alias: job.alias, status: 404, relayAction: action.action, reason: `the relay flow found no message to ${action.action}: posting it instead`, waitMs: 0 });
}

interface Loop {
    state: WebhookState;
    sent: number;
    readonly started: number;
    /** Set after Teams refused a digest: the jobs go alone for the rest of this drain. */
    noDigest: boolean;
    /** The Teams connection this drain holds a claim on, to leave when the webhook stops competing. */
    connection: string | undefined;
}

/** What one POST carries: the head job alone, or a digest of jobs from the head. */
interface Batch {
    readonly jobs: readonly [OutboxJob, ...OutboxJob[]];
    readonly payload: TeamsPayload;
    readonly digestId: string | undefined;
}

/** The job's attempts counted so far, when they are not simply `job.attempts` (+1 for a verdict). */
interface AttemptCount {
    readonly attempts: number;
    readonly firstAttemptAt: number;
}

async function deadLetter(job: OutboxJob, loop: Loop, deps: SenderDeps, reason: string, verdict?: TeamsAnswerClassification, counted?: AttemptCount): Promise<void> {
    const now = deps.now();
    await deps.store.deadLetter(
        deliveryDeadLetter(job, {
            reason,
            lastStatus: verdict?.status ?? job.lastStatus,
            lastBody: verdict?.body ?? verdict?.detail ?? job.lastBody,
            attempts: counted?.attempts ?? job.attempts + (verdict === undefined ? 0 : 1),
            firstAttemptAt: counted?.firstAttemptAt ?? job.firstAttemptAt ?? (verdict === undefined ? undefined : now),
            deadLetteredAt: now,
        }),
        job,
    );
    loop.state = { ...loop.state, deadLettered: loop.state.deadLettered + 1 };
    deps.log({ event: 'dead-lettered', webhookKey: job.webhookKey, jobId: job.jobId, alias: job.alias, attempt: counted?.attempts ?? job.attempts, status: verdict?.status, reason });
}

/**
 * The outcome of a job whose preparation threw: a {@link PermanentError} dead-letters it at once with
 * its reason; anything else is recorded as a failed attempt and retried with back-off until the job
 * has {@link MAX_UNEXPECTED_FAILURE_ATTEMPTS} attempts, then dead-lettered with the error's name and
 * message. Never the webhook's outcome: the drain goes on.
 */
async function prepareFailed(job: OutboxJob, thrown: unknown, loop: Loop, deps: SenderDeps): Promise<void> {
    if (thrown instanceof PermanentError) {
        await deadLetter(job, loop, deps, thrown.message);
        return;
    }
    const error = ensureErrorType(thrown);
    const reason = `${error.name}: ${error.message}`;
    const now = deps.now();
    const counted = { attempts: job.attempts + 1, firstAttemptAt: job.firstAttemptAt ?? now };
    if (counted.attempts >= MAX_UNEXPECTED_FAILURE_ATTEMPTS) {
        await deadLetter(job, loop, deps, `Could not be prepared for sending, ${counted.attempts} attempts: ${reason}`, undefined, counted);
        return;
    }
    const waitMs = retryDelay(counted.attempts, { random: deps.random });
    await deps.store.recordAttempt(job, { ...counted, notBefore: now + waitMs, lastStatus: job.lastStatus, lastBody: job.lastBody, lastReason: reason });
    deps.log({ event: 'retrying', webhookKey: job.webhookKey, jobId: job.jobId, alias: job.alias, attempt: counted.attempts, reason, waitMs });
}

/** Pauses between attempts to record an answer while storage is unreachable: 15.5 s in all, inside the lease. */
const RECORD_RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000] as const;

/**
 * Runs a write that records Teams' answer, retrying while storage is briefly unreachable: once Teams
 * has the message, failing to record it would send it again, so the write is worth waiting for
 * (the storage SDKs retry for a few seconds themselves; this covers an outage of up to ~20 s).
 */
async function recordDurably(write: () => Promise<unknown>, deps: SenderDeps): Promise<void> {
    for (const delay of RECORD_RETRY_DELAYS_MS) {
        try {
            await write();
            return;
        } catch {
            await deps.sleep(delay);
        }
    }
    await write();
}

/**
 * Holds the whole Teams connection of a Workflows webhook until the answer's `Retry-After` has passed
 * (the connection's `blockedUntil` only ever grows). Nothing to do for a connector webhook or an
 * answer without `Retry-After`.
 */
async function blockConnection(prepared: Prepared, verdict: TeamsAnswerClassification, now: number, deps: SenderDeps): Promise<void> {
    if (prepared.connection === undefined || verdict.retryAfterMs === undefined) {
        return;
    }
    const until = now + verdict.retryAfterMs;
    for (let attempt = 0; attempt < CONNECTION_WRITE_ATTEMPTS; attempt++) {
        const state = await deps.store.readConnection(prepared.connection);
        if (state.blockedUntil >= until || (await deps.store.writeConnection({ ...state, blockedUntil: until })) !== undefined) {
            return;
        }
    }
}

/**
 * A relay flow's answer: a success carrying the message id is `delivered` (the card is posted);
 * a success without one (a `202`: the flow has no Response action) stays `accepted`, marked so the
 * misconfiguration shows in `budget` and `status`. Other verdicts are the dialect's.
 */
function relayVerdict(verdict: TeamsAnswerClassification, answer: TeamsAnswer, prepared: Prepared): TeamsAnswerClassification {
    if (prepared.relayAction === undefined || verdict.outcome !== 'accepted') {
        return verdict;
    }
    const messageId = relayMessageId(answer);
    return messageId === undefined ? { ...verdict, reason: 'relay-without-id' } : { ...verdict, outcome: 'delivered', reason: 'relay-delivered', messageId };
}

/** Records Teams' verdict on one POST. */
async function record(batch: Batch, prepared: Prepared, verdict: TeamsAnswerClassification, sentAt: number, loop: Loop, deps: SenderDeps): Promise<boolean> {
    const job = batch.jobs[0];
    const now = deps.now();
    const attempt = job.attempts + 1;
    const firstAttemptAt = job.firstAttemptAt ?? sentAt;
    const common = { webhookKey: job.webhookKey, jobId: job.jobId, alias: job.alias, attempt, status: verdict.status };
    switch (verdict.outcome) {
        case 'delivered':
        case 'accepted': {
            const confirmation = verdict.outcome;
            for (const delivered of batch.jobs) {
                await recordDurably(() => deps.store.completeJob(delivered, now, batch.digestId, confirmation), deps);
                deps.log({
                    event: confirmation === 'accepted' ? 'flow-accepted' : 'delivered',
                    ...common,
                    jobId: delivered.jobId,
                    attempt: delivered.attempts + 1,
                    reason: verdict.reason,
                    ...(batch.digestId === undefined ? {} : { digestId: batch.digestId }),
                    ...(prepared.connection === undefined ? {} : { connection: prepared.connection }),
                    ...(prepared.relayAction === undefined || batch.digestId !== undefined ? {} : { relayAction: prepared.relayAction.action }),
                });
            }
            const counted = batch.jobs.length;
            loop.state = {
                ...loop.state,
                consecutiveThrottles: 0,
                delivered: loop.state.delivered + (confirmation === 'delivered' ? counted : 0),
                accepted: loop.state.accepted + (confirmation === 'accepted' ? counted : 0),
                relayWithoutId: loop.state.relayWithoutId + (verdict.reason === 'relay-without-id' ? 1 : 0),
            };
            loop.sent += counted;
            return true;
        }
        case 'throttled': {
            const throttles = loop.state.consecutiveThrottles + 1;
            // The server's Retry-After when it sent one; otherwise our doubling back-off.
            const blockedFor = verdict.retryAfterMs ?? throttleBackoff(throttles);
            await blockConnection(prepared, verdict, now, deps);
            await deps.store.recordAttempt(job, {
                attempts: attempt,
                firstAttemptAt,
                notBefore: 0,
                lastStatus: verdict.status,
                lastBody: verdict.body,
                lastReason: verdict.reason,
            });
            // Persist the back-off at once: every instance must see it.
            const written = await deps.store.writeState({
                ...loop.state,
                consecutiveThrottles: throttles,
                throttled: loop.state.throttled + 1,
                blockedUntil: now + blockedFor,
            });
            deps.log({ event: 'throttled', ...common, reason: verdict.reason, waitMs: blockedFor });
            if (written === undefined) {
                return false;
            }
            loop.state = written;
            return true;
        }
        case 'transient': {
            if (now - firstAttemptAt >= deps.settings.retryMaxAgeMs) {
                await deadLetter(job, loop, deps, `Still failing after ${Math.round((now - firstAttemptAt) / 1000)} s of retries: ${verdict.reason}`, verdict);
                return true;
            }
            // A 503's Retry-After holds the job (the head, so the whole webhook) and a Workflows connection at least that long.
            const waitMs = Math.max(retryDelay(attempt, { random: deps.random }), verdict.retryAfterMs ?? 0);
            await blockConnection(prepared, verdict, now, deps);
            await deps.store.recordAttempt(job, {
                attempts: attempt,
                firstAttemptAt,
                notBefore: now + waitMs,
                lastStatus: verdict.status,
                lastBody: verdict.body ?? verdict.detail,
                lastReason: verdict.reason,
            });
            deps.log({ event: 'retrying', ...common, reason: verdict.reason, waitMs });
            return true;
        }
        case 'permanent':
            if (batch.digestId !== undefined) {
                // The digest was refused, not the jobs: send them alone, where each answer is their own.
                loop.noDigest = true;
                await deps.store.recordAttempt(job, {
                    attempts: job.attempts,
                    firstAttemptAt,
                    notBefore: 0,
                    lastStatus: verdict.status,
                    lastBody: verdict.body,
                    lastReason: `digest refused: ${verdict.reason}`,
                });
                deps.log({ event: 'retrying', ...common, reason: `digest refused: ${verdict.reason}`, digestId: batch.digestId, waitMs: 0 });
                return true;
            }
            // Behind a Workflows URL it is the flow's trigger that answers, not Teams.
            await deadLetter(job, loop, deps, `${prepared.dialect === 'workflows' ? 'The Workflows trigger' : 'Teams'} refused the message: ${verdict.reason}${verdict.wrappedStatus === undefined ? '' : ` (HTTP ${verdict.wrappedStatus} inside a 200)`}`, verdict);
            return true;
    }
}

/**
 * How long the last of `backlog` jobs would wait: for its URL's windows, and on a Teams connection
 * for the connection's windows too, where the webhooks already waiting take their turns between ours
 * (round robin), so a backlog of n waits for about n × (1 + waiting webhooks) connection slots.
 */
function backlogWait(backlog: number, prepared: Prepared, connection: ConnectionState | undefined, now: number, loop: Loop, deps: SenderDeps): number {
    const { guardMs } = deps.settings;
    const ownWait = backlogWaitMs(loop.state.sends, backlog, now, prepared.profile.perUrl, guardMs);
    if (connection === undefined) {
        return ownWait;
    }
    const sharing = 1 + connection.claims.filter((claim) => claim.webhookKey !== loop.state.webhookKey && claim.expiresAt > now).length;
    return Math.max(ownWait, backlogWaitMs(connection.sends, backlog * sharing, now, prepared.profile.perConnection, guardMs));
}

/**
 * Reserves a send on the webhook's Teams connection at `now`, or says when its turn comes (leaving
 * its claim on the connection so the webhooks behind it wait their turn). Retries when other
 * webhooks of the connection write the row at the same moment.
 */
async function reserveConnection(
    connection: string,
    prepared: Prepared,
    webhookKey: string,
    deps: SenderDeps,
): Promise<{ readonly kind: 'send'; readonly before: ConnectionState } | { readonly kind: 'wait'; readonly until: number }> {
    for (let attempt = 0; attempt < CONNECTION_WRITE_ATTEMPTS; attempt++) {
        const before = await deps.store.readConnection(connection);
        const now = deps.now();
        const decision = decideConnectionSlot(before, webhookKey, now, prepared.profile.perConnection, { guardMs: deps.settings.guardMs });
        if ((await deps.store.writeConnection(decision.state)) !== undefined) {
            return decision.kind === 'send' ? { kind: 'send', before } : { kind: 'wait', until: decision.until };
        }
    }
    return { kind: 'wait', until: deps.now() + CONNECTION_CONTENTION_WAIT_MS };
}

/**
 * Takes the webhook's claim off its connection when it stops competing for slots (its outbox is
 * empty, or it waits for its own windows), so the others are not held back until the claim expires.
 * Best effort: a claim left behind expires on its own (`CLAIM_GRACE_MS`).
 */
async function leaveConnection(loop: Loop, deps: SenderDeps): Promise<void> {
    const connection = loop.connection;
    if (connection === undefined) {
        return;
    }
    loop.connection = undefined;
    const webhookKey = loop.state.webhookKey;
    for (let attempt = 0; attempt < CONNECTION_WRITE_ATTEMPTS; attempt++) {
        const state = await deps.store.readConnection(connection);
        const claims = state.claims.filter((claim) => claim.webhookKey !== webhookKey);
        if (claims.length === state.claims.length || (await deps.store.writeConnection({ ...state, claims })) !== undefined) {
            return;
        }
    }
}

/**
 * The head alone, or, when the backlog would wait longer than `digestAfterMs` for its slots, a
 * digest of the jobs from the head (stopping at the first that must stand alone).
 */
async function chooseBatch(head: OutboxJob, prepared: Prepared, connection: ConnectionState | undefined, now: number, loop: Loop, deps: SenderDeps): Promise<Batch> {
    const alone: Batch = { jobs: [head], payload: prepared.payload, digestId: undefined };
    const { settings } = deps;
    if (settings.digestAfterMs <= 0 || loop.noDigest || head.job.digest === false) {
        return alone;
    }
    const backlog = await deps.store.countJobs(head.webhookKey, MAX_SIMULATED_BACKLOG);
    if (backlog < 2 || backlogWait(backlog, prepared, connection, now, loop, deps) <= settings.digestAfterMs) {
        return alone;
    }
    // On a relay flow a job with an `updateKey` or `threadKey` is updated, threaded and recorded alone.
    const keyed = (job: OutboxJob): boolean => prepared.relay && (job.job.updateKey !== undefined || job.job.threadKey !== undefined);
    if (keyed(head)) {
        return alone;
    }
    const listed = await deps.store.headJobs(head.webhookKey, MAX_DIGEST_JOBS);
    const firstKeyed = listed.findIndex(keyed);
    const heads = firstKeyed === -1 ? listed : listed.slice(0, firstKeyed);
    let digest: Awaited<ReturnType<typeof buildDigest>>;
    try {
        digest = await buildDigest(heads, prepared.dialect, head.alias);
    } catch {
        // Whatever went wrong is no job's fault (each job is checked alone first): they go alone.
        loop.noDigest = true;
        return alone;
    }
    const [first, ...rest] = digest?.jobs ?? [];
    if (digest === undefined || first?.jobId !== head.jobId) {
        return alone;
    }
    const digestId = `digest-${now.toString(36)}-${head.jobId}`;
    return { jobs: [first, ...rest], payload: prepared.relay ? forRelay(digest.payload, { action: 'post' }, digestId) : digest.payload, digestId };
}

/**
 * Waits for `slot`: in process when it is close (`continue`), else hands over to a wake-up message
 * at that time and ends the drain.
 */
async function waitForSlot(
    slot: number,
    now: number,
    head: OutboxJob,
    connection: string | undefined,
    loop: Loop,
    deps: SenderDeps,
): Promise<'continue' | DrainResult> {
    const { settings } = deps;
    const elapsed = now - loop.started;
    const waitMs = slot - now;
    if (waitMs > 0 && waitMs <= settings.maxInlineWaitMs && elapsed + waitMs <= settings.maxDrainMs) {
        await deps.sleep(waitMs);
        return 'continue';
    }
    // A pending wake-up at or before the slot already covers it.
    if (!(loop.state.wakeAt > now && loop.state.wakeAt <= slot)) {
        await deps.scheduleWakeup(head.webhookKey, slot, now);
        loop.state = { ...loop.state, wakeAt: slot };
    }
    deps.log({
        event: 'deferred',
        webhookKey: head.webhookKey,
        jobId: head.jobId,
        alias: head.alias,
        waitMs: Math.max(0, waitMs),
        ...(connection === undefined ? {} : { connection }),
    });
    return { kind: 'waiting', until: slot, sent: loop.sent };
}

/** Sends from the head of the outbox while the windows allow; returns why it stopped. */
async function sendWhileAllowed(webhookKey: string, loop: Loop, deps: SenderDeps): Promise<DrainResult> {
    const { settings } = deps;
    for (;;) {
        const head = await deps.store.headJob(webhookKey);
        if (head === undefined) {
            await leaveConnection(loop, deps);
            return { kind: 'idle', sent: loop.sent };
        }
        const now = deps.now();
        const held = Math.max(
            loop.state.blockedUntil,
            head.notBefore,
            // A newly accepted job waits out the settle time, so an earlier job another instance is
            // accepting right now takes its place at the head first. Counted from its acceptance,
            // never from its createdAt: a backlog's createdAt may be hours old, and its jobs are
            // accepted by several instances at once just the same.
            head.acceptedAt + settings.orderSettleMs,
        );
        // Located and prepared once its time has come, so a job backing off after a failure is not tried again early.
        let destination: Destination | undefined;
        if (held <= now) {
            try {
                destination = locate(head, deps);
            } catch (thrown) {
                await prepareFailed(head, thrown, loop, deps);
                continue;
            }
        }
        const slot = destination === undefined ? held : Math.max(held, nextSendTime(loop.state.sends, now, destination.profile.perUrl, { guardMs: settings.guardMs }));
        if (destination === undefined || slot > now || now - loop.started >= settings.maxDrainMs) {
            const waited = await waitForSlot(slot, now, head, undefined, loop, deps);
            if (waited === 'continue') continue;
            // Its own windows hold it longer than a claim lasts: it leaves the rounds rather than hold the others up.
            if (slot - now > CLAIM_GRACE_MS) {
                await leaveConnection(loop, deps);
            }
            return waited;
        }
        let prepared: Prepared;
        try {
            if (await supersedeIfNewer(head, destination, loop, deps)) {
                continue;
            }
            prepared = await prepare(head, destination, deps);
        } catch (thrown) {
            await prepareFailed(head, thrown, loop, deps);
            continue;
        }
        // The webhook may send; on a Teams connection, it is also its turn there (reserved first).
        let connectionBefore: ConnectionState | undefined;
        if (prepared.connection !== undefined) {
            const turn = await reserveConnection(prepared.connection, prepared, webhookKey, deps);
            loop.connection = prepared.connection;
            if (turn.kind === 'wait') {
                const waited = await waitForSlot(turn.until, deps.now(), head, prepared.connection, loop, deps);
                if (waited === 'continue') continue;
                return waited;
            }
            connectionBefore = turn.before;
        }
        const batch = await chooseBatch(head, prepared, connectionBefore, now, loop, deps);
        const reserved = await deps.store.writeState({
            ...loop.state,
            alias: head.alias ?? loop.state.alias,
            sends: [...pruneHistory(loop.state.sends, now, prepared.profile.perUrl, { guardMs: settings.guardMs }), now],
            leaseUntil: now + settings.leaseMs,
        });
        if (reserved === undefined) {
            return { kind: 'lost-lease', sent: loop.sent };
        }
        loop.state = reserved;
        const answer = await deps.post(prepared.url, batch.payload.body, settings.timeoutMs);
        // Teams counted this POST when it arrived, somewhere between the reservation and its answer;
        // a busy host can hold a request back by 100 ms or more. Logging the time of the answer makes
        // every later slot count from after the arrival, whatever the lag (the next state write
        // persists it; a crash before then leaves the reservation time, counted all the same).
        const answeredAt = Math.max(now, deps.now());
        loop.state = { ...loop.state, sends: [...loop.state.sends.slice(0, -1), answeredAt] };
        if (prepared.relayAction !== undefined && batch.digestId === undefined && isMissingMessage(answer, prepared.relayAction)) {
            await forgetMissingMessage(head, prepared.relayAction, deps);
            continue;
        }
        const verdict = relayVerdict(classifyTeamsResponse(answer, prepared.dialect, { now: answeredAt }), answer, prepared);
        if (verdict.outcome === 'delivered' && prepared.relayAction !== undefined && verdict.messageId !== undefined) {
            await recordRelayMessage(head, prepared.relayAction, verdict.messageId, deps);
        }
        if (!(await record(batch, prepared, verdict, now, loop, deps))) {
            return { kind: 'lost-lease', sent: loop.sent };
        }
    }
}

/**
 * Drains one webhook's outbox as far as the rate limits allow, if no other instance is doing so.
 * Safe to call from any number of instances at once, and as often as you like.
 *
 * @example
 * await drainWebhook(key, deps); // { kind: 'waiting', until: 1732350000000, sent: 60 }
 */
export async function drainWebhook(webhookKey: string, deps: SenderDeps): Promise<DrainResult> {
    let sent = 0;
    for (;;) {
        const state = await acquireLease(webhookKey, deps);
        if (state === undefined) {
            return { kind: 'busy', sent };
        }
        const loop: Loop = { state, sent, started: deps.now(), noDigest: false, connection: undefined };
        let result: DrainResult;
        try {
            result = await sendWhileAllowed(webhookKey, loop, deps);
        } finally {
            await releaseLease(loop.state, deps);
        }
        sent = result.sent;
        if (result.kind !== 'idle') {
            return result;
        }
        // The outbox was empty when we looked. A job added since, by an instance that saw our lease
        // and left it to us, must not wait for the sweep: look again now that the lease is free.
        if ((await deps.store.headJob(webhookKey)) === undefined) {
            return result;
        }
    }
}
