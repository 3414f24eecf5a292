/** Each webhook's budget: backlog, sends in every window against its limit, back-off and the next free slot. */
import type { AppConfig } from '../config/index.js';
import { nextSendTime, TEAMS_WEBHOOK_LIMITS, windowUsage, type SlidingWindowLimit, type WindowUsage } from '../limiter/index.js';
import type { OutboxStore, WebhookState } from '../outbox/index.js';
import { webhookDialect, webhookKey, type WebhookDialect } from '../webhook-target/index.js';

/** Jobs counted in a backlog before we stop counting and say "at least". */
export const BACKLOG_COUNT_LIMIT = 10_000;

/** One webhook's budget, as `budget` and the `status` command show it. Never holds the URL. */
export interface WebhookBudget {
    /** The configured alias; `undefined` for webhooks reached by `{url}` only. */
    readonly alias: string | undefined;
    /** For a webhook reached by `{url}` only, its URL's host when known; never the URL. */
    readonly host: string | undefined;
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
    /**
     * Only these aliases (lower case), no `{url}` webhooks, and only these aliases' dead letters: what
     * a mention with a limited scope may see. @default every webhook and every dead letter
     */
    readonly aliases?: readonly string[];
}

/** A webhook's budget from its stored state. Pure. */
export function toWebhookBudget(state: WebhookState, backlog: number, alias: string | undefined, dialect: WebhookDialect | undefined, options: BudgetOptions): WebhookBudget {
    const limits = options.limits ?? TEAMS_WEBHOOK_LIMITS;
    return {
        alias: alias ?? state.alias,
        host: alias === undefined && state.alias === undefined ? state.host : undefined,
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
    };
}

/**
 * Reads every configured alias's budget, plus any other webhook with stored state (`{url}` targets);
 * with `options.aliases`, only those aliases' budgets and dead letters, and nothing of any other
 * webhook is read.
 *
 * @example
 * const report = await readBudgets(store, config, { now: Date.now(), guardMs: config.rateLimitGuardMs });
 */
export async function readBudgets(store: OutboxStore, config: AppConfig, options: BudgetOptions): Promise<BudgetReport> {
    const visible = options.aliases === undefined ? undefined : new Set(options.aliases);
    const aliases = [...config.webhooks]
        .filter(([alias]) => visible?.has(alias) ?? true)
        .map(([alias, url]) => ({ alias, url, key: webhookKey(url) }));
    const known = new Set(aliases.map((entry) => entry.key));
    const [states, allDeadLetters] = await Promise.all([visible === undefined ? store.listWebhooks() : [], store.listDeadLetters()]);
    const deadLetters = visible === undefined ? allDeadLetters : allDeadLetters.filter((letter) => letter.alias !== undefined && visible.has(letter.alias));
    const byKey = new Map(states.map((state) => [state.webhookKey, state]));
    const fromAliases = await Promise.all(
        aliases.map(async ({ alias, url, key }) => {
            const state = byKey.get(key) ?? (await store.readState(key));
            return toWebhookBudget(state, await store.countJobs(key, BACKLOG_COUNT_LIMIT), alias, webhookDialect(url), options);
        }),
    );
    const others = await Promise.all(
        states
            .filter((state) => !known.has(state.webhookKey))
            .map(async (state) => toWebhookBudget(state, await store.countJobs(state.webhookKey, BACKLOG_COUNT_LIMIT), undefined, undefined, options)),
    );
    return { at: options.now, webhooks: [...fromAliases, ...others], deadLetters: deadLetters.length };
}
