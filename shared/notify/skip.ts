/** Skipping waiting jobs: an operator moves them to the dead letters while holding their webhook's lease, so no sender posts them meanwhile. */
/*
 * The rule, so that a job being posted right now either goes out or is skipped, never both, and is
 * never lost:
 * 1. The skip takes the webhook's lease the way a sender does (the state row, written with its
 *    ETag). A sender reserves every send with that same ETag-guarded write before its POST, so once
 *    the skip holds the lease no sender can start a POST; a sender that read the head before is
 *    refused at its reservation (`lost-lease`) and posts nothing.
 * 2. A POST already under way holds the lease (each reservation renews it past the POST's timeout),
 *    so the skip waits for the sender to let go. By then the job was delivered (the skip says so and
 *    writes nothing), or it is still waiting and is skipped.
 * 3. The job row is removed with the ETag it was read with (`deadLetterIfUnchanged`): a row that
 *    changed since (an attempt recorded before the lease was taken) is read again; a row that is
 *    gone takes its dead letter back. The dead letter is written before the row is removed, so a
 *    crash in between leaves a duplicate dead letter beside the waiting job, never a lost job.
 * What this cannot fence is a sender that outlives its own lease (a process frozen for longer than
 * the lease): the same limit the senders have among themselves.
 */
import { deliveryDeadLetter, type ConditionalDeadLetterResult, type NewDeadLetter, type OutboxJob, type OutboxStore, type WebhookState } from './outbox/index.js';

/** The reason every skipped job's dead letter starts with. */
export const SKIP_REASON = 'skipped by operator';

/** How long a skip waits between looks at a webhook whose sender holds the lease. @default 500 */
export const LEASE_POLL_MS = 500;

/**
 * A lease is treated as abandoned only this long after its expiry by the skip's own clock: the
 * operator's machine is not the app's, and its clock may run a little ahead.
 */
export const LEASE_CLOCK_SKEW_MS = 5_000;

/** Reads of a job whose row keeps changing under the skip (only a sender that outlived its lease changes it) before giving up. */
const CHANGED_ATTEMPTS = 3;

/** Attempts to take or give back the lease when the state row changes under the skip for other reasons. */
const STATE_WRITE_ATTEMPTS = 3;

/** What happened to one waiting job the operator named. Never holds a URL. */
export type SkipOutcome =
    /** Moved to the dead letters: `deadLetterId` is what `deadletters replay` takes. */
    | { readonly kind: 'skipped'; readonly jobId: string; readonly webhookKey: string; readonly alias: string | undefined; readonly deadLetterId: string }
    /** No job waits under this id. */
    | { readonly kind: 'unknown'; readonly jobId: string }
    /** Delivered before the skip could take its webhook. */
    | { readonly kind: 'delivered'; readonly jobId: string; readonly webhookKey: string; readonly alias: string | undefined }
    /** Left the outbox some other way meanwhile (dead-lettered by the sender, or by another skip). */
    | { readonly kind: 'gone'; readonly jobId: string; readonly webhookKey: string; readonly alias: string | undefined }
    /** A sender held its webhook for longer than the skip waits, or kept changing the job: nothing was done. */
    | { readonly kind: 'busy'; readonly jobId: string; readonly webhookKey: string; readonly alias: string | undefined };

/** Everything a skip talks to, injected so tests control time and storage. */
export interface SkipDeps {
    readonly store: OutboxStore;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    /** Who holds the lease while skipping: unique per run. */
    readonly owner: string;
    /** How long the skip holds a webhook without renewing: the app's `DELIVERY_LEASE_SECONDS`. */
    readonly leaseMs: number;
    /** How long to wait for a sender to let go of a webhook before answering `busy`. */
    readonly maxWaitMs: number;
    /**
     * Asks for a drain of the webhook now, after the skip let go of it: the jobs behind a skipped one
     * go without waiting for its retry, and jobs accepted meanwhile (whose senders found the webhook
     * busy) are not left to the sweep.
     */
    readonly wake: (webhookKey: string, now: number) => Promise<void>;
    /** Told once per webhook (and the alias its jobs were addressed to) when the skip starts waiting for its sender to let go. */
    readonly waiting?: (webhookKey: string, alias: string | undefined) => void;
}

/** The dead letter of a skipped job: the whole job (so a replay brings it back) and its last answer. */
function skippedEntry(job: OutboxJob, now: number): NewDeadLetter {
    return deliveryDeadLetter(job, {
        reason: job.lastReason === undefined ? SKIP_REASON : `${SKIP_REASON}; last error: ${job.lastReason}`,
        lastStatus: job.lastStatus,
        lastBody: job.lastBody,
        attempts: job.attempts,
        firstAttemptAt: job.firstAttemptAt,
        deadLetteredAt: now,
    });
}

/** True when nobody else holds the lease: free, ours, or abandoned (past its expiry by more than the skew allowance). */
function isLeaseFree(state: WebhookState, owner: string, now: number): boolean {
    return state.leaseOwner === undefined || state.leaseOwner === owner || state.leaseUntil + LEASE_CLOCK_SKEW_MS <= now;
}

/** Takes the webhook's lease, waiting up to `maxWaitMs` for a sender to let go; `undefined` when it never did. */
async function takeLease(webhookKey: string, alias: string | undefined, deps: SkipDeps): Promise<WebhookState | undefined> {
    const deadline = deps.now() + deps.maxWaitMs;
    let told = false;
    for (;;) {
        const state = await deps.store.readState(webhookKey);
        const now = deps.now();
        if (isLeaseFree(state, deps.owner, now)) {
            const taken = await deps.store.writeState({ ...state, leaseOwner: deps.owner, leaseUntil: now + deps.leaseMs });
            if (taken !== undefined) {
                return taken;
            }
        }
        if (now >= deadline) {
            return undefined;
        }
        if (!told) {
            told = true;
            deps.waiting?.(webhookKey, alias);
        }
        await deps.sleep(LEASE_POLL_MS);
    }
}

/** Gives the lease back and counts the skipped jobs among the webhook's dead letters. */
async function releaseLease(held: WebhookState, skipped: number, deps: SkipDeps): Promise<void> {
    let state = held;
    for (let attempt = 0; attempt < STATE_WRITE_ATTEMPTS; attempt++) {
        const mine = state.leaseOwner === deps.owner;
        const written = await deps.store.writeState({
            ...state,
            ...(mine ? { leaseOwner: undefined, leaseUntil: 0 } : {}),
            deadLettered: state.deadLettered + skipped,
        });
        if (written !== undefined) {
            return;
        }
        // Changed under us (only after our lease ran out): count on the fresh state, and leave its lease alone.
        state = await deps.store.readState(held.webhookKey);
    }
}

/** The job as it is stored now, or `undefined` when it no longer waits. */
async function reread(job: OutboxJob, store: OutboxStore): Promise<OutboxJob | undefined> {
    return (await store.findJobs(job.jobId)).find((found) => found.webhookKey === job.webhookKey);
}

/** Skips one job of a webhook whose lease the skip holds. */
async function skipHeld(job: OutboxJob, deps: SkipDeps): Promise<SkipOutcome> {
    const about = { jobId: job.jobId, webhookKey: job.webhookKey, alias: job.alias };
    let current = job;
    for (let attempt = 0; attempt < CHANGED_ATTEMPTS; attempt++) {
        const result: ConditionalDeadLetterResult = await deps.store.deadLetterIfUnchanged(skippedEntry(current, deps.now()), current);
        switch (result.outcome) {
            case 'dead-lettered':
                return { kind: 'skipped', ...about, deadLetterId: result.deadLetter.id };
            case 'delivered':
            case 'gone':
                return { kind: result.outcome, ...about };
            case 'changed':
                // Still waiting, with an attempt recorded since it was read: skip it as it is now.
                current = (await reread(current, deps.store)) ?? current;
        }
    }
    return { kind: 'busy', ...about };
}

/**
 * Moves the named waiting jobs to the dead letters with the reason {@link SKIP_REASON}, keeping
 * each job whole so `deadletters replay` brings it back. A job id waiting for several webhooks is
 * skipped in each. Outcomes come in the order of `jobIds` (an id named twice counts once). See this
 * module's header for why a job being posted meanwhile is either delivered or skipped, never both.
 *
 * @example
 * const outcomes = await skipJobs(['deploy-4711'], { store, now: Date.now, sleep, owner: 'operator-1f2e', leaseMs: 30_000, maxWaitMs: 60_000, wake });
 */
export async function skipJobs(jobIds: readonly string[], deps: SkipDeps): Promise<SkipOutcome[]> {
    const ids = [...new Set(jobIds)];
    const found = new Map<string, OutboxJob[]>();
    const byWebhook = new Map<string, OutboxJob[]>();
    for (const id of ids) {
        const jobs = await deps.store.findJobs(id);
        found.set(id, jobs);
        for (const job of jobs) {
            byWebhook.set(job.webhookKey, [...(byWebhook.get(job.webhookKey) ?? []), job]);
        }
    }
    const outcomes = new Map<OutboxJob, SkipOutcome>();
    for (const [webhookKey, jobs] of byWebhook) {
        const lease = await takeLease(webhookKey, jobs[0]?.alias, deps);
        if (lease === undefined) {
            for (const job of jobs) {
                outcomes.set(job, { kind: 'busy', jobId: job.jobId, webhookKey, alias: job.alias });
            }
            continue;
        }
        let skipped = 0;
        try {
            for (const job of jobs) {
                const outcome = await skipHeld(job, deps);
                outcomes.set(job, outcome);
                skipped += outcome.kind === 'skipped' ? 1 : 0;
            }
        } finally {
            await releaseLease(lease, skipped, deps);
        }
        // Senders that came while the skip held the webhook found it busy and left it to the holder.
        await deps.wake(webhookKey, deps.now());
    }
    return ids.flatMap((id): SkipOutcome[] => {
        const jobs = found.get(id) ?? [];
        return jobs.length === 0 ? [{ kind: 'unknown', jobId: id }] : jobs.map((job) => outcomes.get(job) ?? { kind: 'busy', jobId: id, webhookKey: job.webhookKey, alias: job.alias });
    });
}
