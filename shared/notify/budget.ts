/** Each webhook's budget: backlog, sends in every window against its limit, back-off and the next free slot; each Teams connection's shared budget. */
import { redactUrls } from '../platform/index.js';
import { connectionTurn } from './connection-budget.js';
import { DEFAULT_LIMIT_PROFILES, teamsConnectionOf, type LimitProfiles } from './limit-profiles.js';
import { nextSendTime, TEAMS_WEBHOOK_LIMITS, windowUsage, type SlidingWindowLimit, type WindowUsage } from './limiter.js';
import { webhookCounters, type ConnectionState, type OutboxJob, type OutboxStore, type WebhookCounters, type WebhookState } from './outbox/index.js';
import { connectorRetirementNotice, retiredConnectorAliases } from './retirement.js';
import type { NotifyConfig } from './settings.js';
import { webhookDialect, webhookKey, type WebhookDialect } from './webhook-target.js';

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

/** One webhook's budget, as `budget` and the `status` command show it, its lifetime counters included. Never holds the URL. */
export interface WebhookBudget extends WebhookCounters {
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
    /** The Teams connection whose budget a Workflows webhook shares; `undefined` for connector URLs. */
    readonly connection?: string | undefined;
    /** The head job when it is being retried; `undefined` when the head is fresh or the outbox empty. */
    readonly retryingHead?: RetryingHead | undefined;
}

/** One Teams connection's shared budget (the Flow bot limits behind Workflows URLs). */
export interface ConnectionBudget {
    readonly connection: string;
    /** Sends through the connection in each of its windows, against the limit. */
    readonly windows: readonly WindowUsage[];
    /** No send before this (a Retry-After), epoch ms; 0 when not blocked. */
    readonly blockedUntil: number;
    /** When the next send through the connection may start, for a webhook joining now (epoch ms). */
    readonly nextSlot: number;
    /** The configured aliases on this connection. */
    readonly aliases: readonly string[];
    /** Webhooks taking turns on it right now (live claims). */
    readonly sharing: number;
}

/** The whole picture. */
export interface BudgetReport {
    readonly at: number;
    readonly webhooks: readonly WebhookBudget[];
    /** Every Teams connection that a configured Workflows alias uses or that has state; absent: none. */
    readonly connections?: readonly ConnectionBudget[];
    /** Dead letters waiting for an operator. */
    readonly deadLetters: number;
    /** Things to act on that do not stop delivery (Microsoft's retirement of connector URLs); absent: none. */
    readonly notices?: readonly string[];
}

/** Options of {@link readBudgets}. */
interface BudgetOptions {
    readonly now: number;
    /** The per-URL windows, whatever the dialect. @default the dialect's profile, else TEAMS_WEBHOOK_LIMITS */
    readonly limits?: readonly SlidingWindowLimit[];
    /** The windows per dialect. @default the configuration's, else DEFAULT_LIMIT_PROFILES */
    readonly profiles?: LimitProfiles;
    readonly guardMs: number;
    /**
     * Only these aliases (lower case), no `{url}` webhooks, and only these aliases' dead letters: what
     * a mention with a limited scope may see. @default every webhook and every dead letter
     */
    readonly aliases?: readonly string[];
}

/** The head job as {@link RetryingHead} when it has failed before (an attempt, or a reason recorded); otherwise `undefined`. Pure. */
function toRetryingHead(head: OutboxJob | undefined): RetryingHead | undefined {
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
    connection?: ConnectionState,
): WebhookBudget {
    const profiles = options.profiles ?? DEFAULT_LIMIT_PROFILES;
    const limits = options.limits ?? (dialect === undefined ? TEAMS_WEBHOOK_LIMITS : profiles[dialect].perUrl);
    const ownSlot = Math.max(nextSendTime(state.sends, options.now, limits, { guardMs: options.guardMs }), state.blockedUntil);
    const connectionSlot =
        connection === undefined
            ? options.now
            : connectionTurn(connection, state.webhookKey, options.now, profiles.workflows.perConnection, { guardMs: options.guardMs }).at;
    return {
        alias: alias ?? state.alias,
        host: alias === undefined && state.alias === undefined ? state.host : undefined,
        webhookKey: state.webhookKey,
        dialect,
        backlog,
        windows: windowUsage(state.sends, options.now, limits),
        consecutiveThrottles: state.consecutiveThrottles,
        blockedUntil: state.blockedUntil > options.now ? state.blockedUntil : 0,
        nextSlot: Math.max(ownSlot, connectionSlot),
        wakeAt: state.wakeAt,
        ...webhookCounters(state),
        connection: connection?.connection,
        retryingHead: toRetryingHead(head),
    };
}

/** A connection's budget from its stored state. Pure. */
function toConnectionBudget(state: ConnectionState, aliases: readonly string[], options: BudgetOptions): ConnectionBudget {
    const limits = (options.profiles ?? DEFAULT_LIMIT_PROFILES).workflows.perConnection;
    return {
        connection: state.connection,
        windows: windowUsage(state.sends, options.now, limits),
        blockedUntil: state.blockedUntil > options.now ? state.blockedUntil : 0,
        nextSlot: Math.max(nextSendTime(state.sends, options.now, limits, { guardMs: options.guardMs }), state.blockedUntil),
        aliases,
        sharing: state.claims.filter((claim) => claim.expiresAt > options.now).length,
    };
}

/**
 * Reads every configured alias's budget, plus any other webhook with stored state (`{url}` targets);
 * with `options.aliases`, only those aliases' budgets and dead letters, and nothing of any other
 * webhook is read.
 *
 * @example
 * const report = await readBudgets(store, config, { now: Date.now(), guardMs: config.delivery.guardMs });
 */
export async function readBudgets(store: OutboxStore, config: Pick<NotifyConfig, 'targets' | 'delivery'>, options: BudgetOptions): Promise<BudgetReport> {
    const settings = { ...options, profiles: options.profiles ?? config.delivery.profiles };
    const visible = options.aliases === undefined ? undefined : new Set(options.aliases);
    const aliases = [...config.targets.webhooks]
        .filter(([alias]) => visible?.has(alias) ?? true)
        .map(([alias, url]) => ({ alias, url, key: webhookKey(url), connection: teamsConnectionOf(url, config.targets.connections) }));
    const known = new Set(aliases.map((entry) => entry.key));
    // A limited scope reads only its aliases' webhooks and connections, never the lists of all.
    const [states, allDeadLetters, storedConnections] = await Promise.all([
        visible === undefined ? store.listWebhooks() : [],
        store.listDeadLetters(),
        visible === undefined ? store.listConnections() : [],
    ]);
    const deadLetters = visible === undefined ? allDeadLetters : allDeadLetters.filter((letter) => letter.alias !== undefined && visible.has(letter.alias));
    const byKey = new Map(states.map((state) => [state.webhookKey, state]));
    // Every connection a Workflows alias uses, stored or not yet, and any other with state.
    const connectionNames = [...new Set([...aliases.flatMap((entry) => (entry.connection === undefined ? [] : [entry.connection])), ...storedConnections.map((state) => state.connection)])].sort();
    const connectionStates = new Map(
        await Promise.all(
            connectionNames.map(async (name) => [name, storedConnections.find((state) => state.connection === name) ?? (await store.readConnection(name))] as const),
        ),
    );
    // Per webhook: its backlog and its head job, read at once.
    const budgetOf = async (state: WebhookState, alias: string | undefined, dialect: WebhookDialect | undefined, connection?: string): Promise<WebhookBudget> => {
        const [backlog, head] = await Promise.all([store.countJobs(state.webhookKey, BACKLOG_COUNT_LIMIT), store.headJob(state.webhookKey)]);
        return toWebhookBudget(state, backlog, alias, dialect, settings, head, connection === undefined ? undefined : connectionStates.get(connection));
    };
    const fromAliases = await Promise.all(
        aliases.map(async ({ alias, url, key, connection }) => budgetOf(byKey.get(key) ?? (await store.readState(key)), alias, webhookDialect(url), connection)),
    );
    const others = await Promise.all(states.filter((state) => !known.has(state.webhookKey)).map((state) => budgetOf(state, undefined, undefined)));
    const connections = connectionNames.flatMap((name) => {
        const state = connectionStates.get(name);
        const on = aliases.filter((entry) => entry.connection === name).map((entry) => entry.alias);
        return state === undefined ? [] : [toConnectionBudget(state, on, settings)];
    });
    const notice = connectorRetirementNotice(retiredConnectorAliases(new Map(aliases.map((entry) => [entry.alias, entry.url]))));
    return {
        at: options.now,
        webhooks: [...fromAliases, ...others],
        connections,
        deadLetters: deadLetters.length,
        notices: notice === undefined ? [] : [notice],
    };
}
