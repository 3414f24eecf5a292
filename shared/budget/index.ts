/** Each webhook's budget: backlog, sends in every window against its limit, back-off and the next free slot. */
import type { AppConfig } from '../config/index.js';
import { nextSendTime, TEAMS_WEBHOOK_LIMITS, windowUsage, type SlidingWindowLimit, type WindowUsage } from '../limiter/index.js';
import type { OutboxJob, OutboxStore, WebhookState } from '../outbox/index.js';
import { redactUrls } from '../telemetry/index.js';
import { webhookDialect, webhookKey, type WebhookDialect } from '../webhook-target/index.js';

/** Jobs counted in a backlog before we stop counting and say "at least". */
export const BACKLOG_COUNT_LIMIT = 10_000;

/**
 * The job at the head of a webhook's outbox when it has failed at least once and waits to be tried
 * again: the one thing that holds the jobs behind it (order is promised).
 */
export interface RetryingHead {
    readonly jobId: string;
    /** Failed attempts so far. */
    readonly attempts: number;
    /** Why the last attempt failed, every URL cut to its host. */
    readonly lastReason: string | undefined;
    /** The HTTP status of the last answer, when there was one. */
    readonly lastStatus: number | undefined;
    /** When the first attempt was made (epoch ms): retries stop `RETRY_MAX_AGE_SECONDS` after it. */
    readonly firstAttemptAt: number | undefined;
    /** Not tried again before this time (epoch ms); 0 when it may be tried at once. */
    readonly notBefore: number;
}

/** One webhook's budget, as `budget` and the `status` command show it. Never holds the URL. */
export interface WebhookBudget {
    /** The configured alias; `undefined` for webhooks reached by `{url}` only. */
    readonly alias: string | undefined;
    readonly webhookKey: string;
    readonly dialect: WebhookDialect | undefined;
    /** Jobs waiting (capped at {@link BACKLOG_COUNT_LIMIT}). */
    readonly backlog: number;
    readonly windows: readonly WindowUsage[];
    readonly consecutiveThrottles: number;
    /** Epoch ms until which Teams' throttling holds the webhook back; 0 when it does not. */
    readonly blockedUntil: number;
    /** When the next POST may start (epoch ms): now when budget is free. */
    readonly nextSlot: number;
    /** When the pending wake-up fires (epoch ms); 0 when none. */
    readonly wakeAt: number;
    readonly delivered: number;
    readonly throttled: number;
    readonly deadLettered: number;
    /** The head job when it is being retried; `undefined` when the head is fresh or the outbox empty. */
    readonly retryingHead?: RetryingHead | undefined;
}

/** The whole picture. */
export interface BudgetReport {
    readonly at: number;
    readonly webhooks: readonly WebhookBudget[];
    /** Dead letters waiting for an operator. */
    readonly deadLetters: number;
}

/** Options of {@link readBudgets}. */
export interface BudgetOptions {
    readonly now: number;
    /** @default TEAMS_WEBHOOK_LIMITS */
    readonly limits?: readonly SlidingWindowLimit[];
    readonly guardMs: number;
}

/** The head job as {@link RetryingHead} when it has failed before (an attempt, or a reason recorded); otherwise `undefined`. Pure. */
export function toRetryingHead(head: OutboxJob | undefined): RetryingHead | undefined {
    if (head === undefined || (head.attempts === 0 && head.lastReason === undefined)) {
        return undefined;
    }
    return {
        jobId: head.jobId,
        attempts: head.attempts,
        lastReason: head.lastReason === undefined ? undefined : redactUrls(head.lastReason),
        lastStatus: head.lastStatus,
        firstAttemptAt: head.firstAttemptAt,
        notBefore: head.notBefore,
    };
}

/** A webhook's budget from its stored state and the job at the head of its outbox. Pure. */
export function toWebhookBudget(
    state: WebhookState,
    backlog: number,
    alias: string | undefined,
    dialect: WebhookDialect | undefined,
    options: BudgetOptions,
    head?: OutboxJob,
): WebhookBudget {
    const limits = options.limits ?? TEAMS_WEBHOOK_LIMITS;
    return {
        alias: alias ?? state.alias,
        webhookKey: state.webhookKey,
        dialect,
        backlog,
        windows: windowUsage(state.sends, options.now, limits),
        consecutiveThrottles: state.consecutiveThrottles,
        blockedUntil: state.blockedUntil > options.now ? state.blockedUntil : 0,
        nextSlot: Math.max(nextSendTime(state.sends, options.now, limits, { guardMs: options.guardMs }), state.blockedUntil),
        wakeAt: state.wakeAt,
        delivered: state.delivered,
        throttled: state.throttled,
        deadLettered: state.deadLettered,
        retryingHead: toRetryingHead(head),
    };
}

/**
 * Reads every configured alias's budget, plus any other webhook with stored state (`{url}` targets).
 *
 * @example
 * const report = await readBudgets(store, config, { now: Date.now(), guardMs: config.rateLimitGuardMs });
 */
export async function readBudgets(store: OutboxStore, config: AppConfig, options: BudgetOptions): Promise<BudgetReport> {
    const aliases = [...config.webhooks].map(([alias, url]) => ({ alias, url, key: webhookKey(url) }));
    const known = new Set(aliases.map((entry) => entry.key));
    const [states, deadLetters] = await Promise.all([store.listWebhooks(), store.listDeadLetters()]);
    const byKey = new Map(states.map((state) => [state.webhookKey, state]));
    // Per webhook: its backlog and its head job, read at once.
    const budgetOf = async (state: WebhookState, alias: string | undefined, dialect: WebhookDialect | undefined): Promise<WebhookBudget> => {
        const [backlog, head] = await Promise.all([store.countJobs(state.webhookKey, BACKLOG_COUNT_LIMIT), store.headJob(state.webhookKey)]);
        return toWebhookBudget(state, backlog, alias, dialect, options, head);
    };
    const fromAliases = await Promise.all(
        aliases.map(async ({ alias, url, key }) => budgetOf(byKey.get(key) ?? (await store.readState(key)), alias, webhookDialect(url))),
    );
    const others = await Promise.all(states.filter((state) => !known.has(state.webhookKey)).map((state) => budgetOf(state, undefined, undefined)));
    return { at: options.now, webhooks: [...fromAliases, ...others], deadLetters: deadLetters.length };
}
