/**
 * An in-memory stand-in for the outbox of one saturated webhook: it always holds a backlog (refilled
 * with fresh jobs as jobs complete) until it is closed, after which the outbox reads as empty so a drain ends.
 */
import { type AddJobResult, type ConditionalDeadLetterResult, type ConnectionState, type DeadLetter, type DeliveryConfirmation, emptyConnectionState, emptyWebhookState, type JobAttempt, type NewDeadLetter, type NewOutboxJob, type OutboxJob, type OutboxStore, type RecordedMessage, untriedJob, validateJob, type ValidJob, type WebhookState } from '../../shared/notify/index.js';

/** What the benchmark reads back from the stand-in. */
interface SaturatedOutbox extends OutboxStore {
    /** Jobs completed so far (delivered or accepted). */
    completed(): number;
    /** Jobs a newer job with their `updateKey` superseded so far. */
    superseded(): number;
    /** Dead letters written so far. */
    deadLettered(): number;
    /** From now on the outbox reads as empty. */
    close(): void;
}

/** Options of {@link saturatedOutbox}. */
interface SaturatedOutboxOptions {
    readonly webhookKey: string;
    readonly alias: string;
    /** Jobs kept waiting at all times. */
    readonly backlog: number;
    /** The time source for job stamps. */
    readonly now: () => number;
    /** The text of the `n`-th job. */
    readonly text: (n: number) => string;
    /** The `updateKey` and `threadKey` of the `n`-th job, for relay-flow traffic. @default none */
    readonly keys?: (n: number) => { readonly updateKey?: string; readonly threadKey?: string };
}

/** An outbox holding `backlog` waiting jobs for one webhook until it is closed. */
export function saturatedOutbox(options: SaturatedOutboxOptions): SaturatedOutbox {
    const waiting: OutboxJob[] = [];
    const letters: DeadLetter[] = [];
    let state: WebhookState = emptyWebhookState(options.webhookKey);
    let version = 0;
    const connections = new Map<string, ConnectionState>();
    let made = 0;
    let done = 0;
    let superseded = 0;
    let closed = false;
    /** Relay-flow message ids by `<kind>|<key>`. */
    const messageKeys = new Map<string, RecordedMessage>();

    const makeJob = (): OutboxJob => {
        made += 1;
        const now = options.now();
        const validation = validateJob({ id: `job-${made}`, to: options.alias, text: options.text(made), createdAt: now, ...options.keys?.(made) });
        if (!validation.ok) throw new Error(`bench job is invalid: ${validation.problems.join('; ')}`);
        const job: ValidJob = validation.job;
        return { ...untriedJob({ webhookKey: options.webhookKey, jobId: `job-${made}`, order: made, job, alias: options.alias, acceptedAt: now }), etag: `job-${made}` };
    };
    const refill = (): void => {
        while (waiting.length < options.backlog) waiting.push(makeJob());
    };
    const remove = (jobId: string): void => {
        const index = waiting.findIndex((job) => job.jobId === jobId);
        if (index >= 0) waiting.splice(index, 1);
    };
    refill();

    return {
        completed: () => done,
        superseded: () => superseded,
        deadLettered: () => letters.length,
        close: () => {
            closed = true;
        },
        ensureTables: () => Promise.resolve(),
        addJob: (_job: NewOutboxJob): Promise<AddJobResult> => Promise.resolve('added'),
        headJob: (webhookKey) => Promise.resolve(closed || webhookKey !== options.webhookKey ? undefined : waiting[0]),
        headJobs: (webhookKey, max) => Promise.resolve(closed || webhookKey !== options.webhookKey ? [] : waiting.slice(0, max)),
        countJobs: (webhookKey, max = Number.POSITIVE_INFINITY) => Promise.resolve(closed || webhookKey !== options.webhookKey ? 0 : Math.min(max, waiting.length)),
        recordAttempt: (job: OutboxJob, attempt: JobAttempt) => {
            const index = waiting.findIndex((entry) => entry.jobId === job.jobId);
            if (index >= 0) waiting[index] = { ...job, ...attempt };
            return Promise.resolve();
        },
        completeJob: (job: OutboxJob, _at: number, _digestId?: string, confirmation?: DeliveryConfirmation) => {
            remove(job.jobId);
            if (confirmation === 'superseded') superseded += 1;
            else done += 1;
            refill();
            return Promise.resolve();
        },
        deadLetter: (entry: NewDeadLetter, job?: OutboxJob) => {
            const letter: DeadLetter = { ...entry, id: `dead-${letters.length + 1}` };
            letters.push(letter);
            if (job !== undefined) remove(job.jobId);
            refill();
            return Promise.resolve(letter);
        },
        deadLetterIfUnchanged: (entry: NewDeadLetter, job: OutboxJob): Promise<ConditionalDeadLetterResult> => {
            const stored = waiting.find((entry) => entry.jobId === job.jobId);
            if (stored === undefined) return Promise.resolve({ outcome: 'gone' });
            if (stored.etag !== job.etag) return Promise.resolve({ outcome: 'changed' });
            const letter: DeadLetter = { ...entry, id: `dead-${letters.length + 1}` };
            letters.push(letter);
            remove(job.jobId);
            refill();
            return Promise.resolve({ outcome: 'dead-lettered', deadLetter: letter });
        },
        findJobs: (jobId: string) => Promise.resolve(closed ? [] : waiting.filter((job) => job.jobId === jobId)),
        readState: () => Promise.resolve(state),
        writeState: (next: WebhookState) => {
            if (next.etag !== state.etag) return Promise.resolve(undefined);
            version += 1;
            state = { ...next, etag: `state-${version}` };
            return Promise.resolve(state);
        },
        listWebhooks: () => Promise.resolve([state]),
        readConnection: (connection) => Promise.resolve(connections.get(connection) ?? emptyConnectionState(connection)),
        writeConnection: (next: ConnectionState) => {
            if (next.etag !== connections.get(next.connection)?.etag) return Promise.resolve(undefined);
            version += 1;
            const written = { ...next, etag: `connection-${version}` };
            connections.set(next.connection, written);
            return Promise.resolve(written);
        },
        listConnections: () => Promise.resolve([...connections.values()]),
        listDeadLetters: () => Promise.resolve([...letters]),
        getDeadLetter: (id: string) => Promise.resolve(letters.find((letter) => letter.id === id)),
        deleteDeadLetter: () => Promise.resolve(),
        pruneDelivered: () => Promise.resolve(0),
        readMessageKey: (_webhookKey, kind, key) => Promise.resolve(messageKeys.get(`${kind}|${key}`)),
        writeMessageKey: (_webhookKey, kind, key, message) => {
            messageKeys.set(`${kind}|${key}`, message);
            return Promise.resolve();
        },
        deleteMessageKey: (_webhookKey, kind, key) => {
            messageKeys.delete(`${kind}|${key}`);
            return Promise.resolve();
        },
        pruneMessageKeys: () => Promise.resolve(0),
    };
}
