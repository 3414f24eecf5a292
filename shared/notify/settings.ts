/**
 * The notify flow's sections of the configuration: where jobs may go (`config.targets`) and how the
 * sender paces, times out and retries them (`config.delivery`, the sender's own settings as they are).
 * `shared/config.ts` composes them with the others; `shared/platform/config.ts` says how a setting is added.
 */
import { z } from 'zod';
import { ALIAS_PATTERN, booleanSetting, defineSection, integerSetting, listEntries, MS_PER_SECOND, type QueueSettings, type StorageSetting } from '../platform/config.js';
import { ConfigurationError } from '../platform/index.js';
import {
    CONNECTION_NAME_PATTERN,
    CONNECTION_SETTING_PREFIX,
    DEFAULT_TEAMS_CONNECTION,
    LIMIT_SETTINGS,
    limitProfiles,
    type LimitProfiles,
} from './limit-profiles.js';
import { DEFAULT_JITTER_GUARD_MS, MAX_JITTER_GUARD_MS } from './limiter.js';
import { parseGitHubMentionMap } from './producers/github-mentions.js';
import { type AlertRoute, parseAlertRoutes } from './producers/routes.js';
import { isAllowedWebhookUrl, parseAllowedHosts, webhookDialect, webhookKey, type WebhookHostPattern } from './webhook-target.js';

/** Prefix of the per-alias incoming webhook settings, e.g. `TEAMS_WEBHOOK_OPS`. */
export const WEBHOOK_SETTING_PREFIX = 'TEAMS_WEBHOOK_';

/** Whether jobs may name a `{url}` target instead of a configured alias. @default false */
export const DEFAULT_ALLOW_URL_TARGETS = false;

/** How long one POST to Teams may take before it counts as a timeout (`DELIVERY_TIMEOUT_MS`). @default 10000 */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/** How long a job keeps being retried after transient failures before it is dead-lettered: a day (`RETRY_MAX_AGE_SECONDS`). @default 86400000 */
export const DEFAULT_RETRY_MAX_AGE_MS = 86_400_000;

/** How long a sender holds a webhook without renewing (each send renews); longer than a POST's timeout (`DELIVERY_LEASE_SECONDS`). @default 30000 */
export const DEFAULT_LEASE_MS = 30_000;

/** A slot this close is waited for in process rather than through a wake-up message. @default 2000 */
export const DEFAULT_MAX_INLINE_WAIT_MS = 2_000;

/** How long one drain may run before it hands over to a wake-up message. @default 30000 */
export const DEFAULT_MAX_DRAIN_MS = 30_000;

/** Digests start when the backlog would wait longer than a minute (`DIGEST_AFTER_SECONDS`); 0 turns digests off. @default 60000 */
export const DEFAULT_DIGEST_AFTER_MS = 60_000;

/**
 * A job is sent no sooner than this after it was accepted: instances accept queue messages
 * concurrently, and one a few hundred ms behind must still go first (`ORDER_SETTLE_MS`). @default 1000
 */
export const DEFAULT_ORDER_SETTLE_MS = 1_000;

/** How long a relay flow's message id is used for its `updateKey` or `threadKey`: 30 days (`RELAY_KEY_RETENTION_DAYS`). @default 2592000000 */
export const DEFAULT_RELAY_KEY_RETENTION_MS = 30 * 86_400_000;

/** Milliseconds in a day, for settings given in days. */
const MS_PER_DAY = 86_400_000;

/** The setting naming the aliases whose URL is a relay flow of our own. */
export const RELAY_FLOW_ALIASES_SETTING = 'TEAMS_RELAY_FLOW_ALIASES';

/** Where jobs may go: `config.targets`. */
export interface TargetSettings {
    /** Incoming webhook / Workflows URLs by lower-case alias. Secrets: never log them. */
    readonly webhooks: ReadonlyMap<string, URL>;
    /** Host patterns a target URL may have (the Teams and Workflows families unless configured). */
    readonly allowedHosts: readonly WebhookHostPattern[];
    /** Whether a job may name `{ url }` instead of an alias; such URLs are then stored in the outbox and dead letters. */
    readonly allowUrlTargets: boolean;
    /**
     * The Teams connection of each configured Workflows webhook, by webhook key (`TEAMS_CONNECTION_<ALIAS>`,
     * else `default`). Connector webhooks are absent; see `teamsConnectionOf`.
     */
    readonly connections: ReadonlyMap<string, string>;
    /** `ROUTES_ALERTS`: where Alertmanager and Grafana notifications go when the request names no alias; first match wins. */
    readonly alertRoutes: readonly AlertRoute[];
    /** The webhook keys of the aliases whose URL is a relay flow of our own (`TEAMS_RELAY_FLOW_ALIASES`). */
    readonly relayFlows: ReadonlySet<string>;
}

/** The sender's settings: `config.delivery`, taken by the sender as it is. */
export interface DeliverySettings {
    /** The windows per dialect: per URL, and per Teams connection for Workflows (`LIMITS_*`). */
    readonly profiles: LimitProfiles;
    /** Added to every rate-limit window to absorb network jitter (`RATE_LIMIT_GUARD_MS`). @default DEFAULT_JITTER_GUARD_MS */
    readonly guardMs: number;
    /** Timeout of one POST to a webhook (`DELIVERY_TIMEOUT_MS`). @default DEFAULT_DELIVERY_TIMEOUT_MS */
    readonly timeoutMs: number;
    /** Transient failures are retried until the first attempt is this old, then dead-lettered (`RETRY_MAX_AGE_SECONDS`). @default DEFAULT_RETRY_MAX_AGE_MS */
    readonly retryMaxAgeMs: number;
    /** How long a sender's lease on a webhook lasts without renewal (`DELIVERY_LEASE_SECONDS`). @default DEFAULT_LEASE_MS */
    readonly leaseMs: number;
    /** @default DEFAULT_MAX_INLINE_WAIT_MS */
    readonly maxInlineWaitMs: number;
    /** @default DEFAULT_MAX_DRAIN_MS */
    readonly maxDrainMs: number;
    /** Fold the backlog into digests when its last job would wait longer than this; 0 turns digests off (`DIGEST_AFTER_SECONDS`). @default DEFAULT_DIGEST_AFTER_MS */
    readonly digestAfterMs: number;
    /** How long after its acceptance a job waits for earlier jobs still being accepted elsewhere (`ORDER_SETTLE_MS`). @default DEFAULT_ORDER_SETTLE_MS */
    readonly orderSettleMs: number;
    /** How long a relay flow's message id is used for its `updateKey` or `threadKey` (`RELAY_KEY_RETENTION_DAYS`). @default DEFAULT_RELAY_KEY_RETENTION_MS */
    readonly relayKeyRetentionMs: number;
}

function toWebhooks(env: Readonly<Record<string, string | undefined>>, allowed: readonly WebhookHostPattern[], problems: string[]): Map<string, URL> {
    const webhooks = new Map<string, URL>();
    for (const [key, value] of Object.entries(env)) {
        if (!key.toUpperCase().startsWith(WEBHOOK_SETTING_PREFIX) || value === undefined) {
            continue;
        }
        const alias = key.slice(WEBHOOK_SETTING_PREFIX.length).toLowerCase();
        if (!ALIAS_PATTERN.test(alias)) {
            problems.push(`${key}: the alias must be 1-64 letters, digits, '_' or '-'`);
            continue;
        }
        if (webhooks.has(alias)) {
            problems.push(`${key}: alias "${alias}" is configured twice (aliases are case-insensitive)`);
            continue;
        }
        let url: URL;
        try {
            url = new URL(value.trim());
        } catch {
            problems.push(`${key} is not a URL`);
            continue;
        }
        if (!isAllowedWebhookUrl(url, allowed)) {
            problems.push(`${key}: its host is not allowed by ALLOWED_WEBHOOK_HOSTS (https only; http only for loopback hosts listed there)`);
            continue;
        }
        webhooks.set(alias, url);
    }
    return webhooks;
}

/**
 * The Teams connection of each configured Workflows webhook, by webhook key: `TEAMS_CONNECTION_<ALIAS>`
 * (lower-cased), else {@link DEFAULT_TEAMS_CONNECTION}. A setting for an alias that is not configured
 * or not a Workflows URL, a bad name, or one URL given two connections is a problem naming the key.
 */
function toConnections(env: Readonly<Record<string, string | undefined>>, webhooks: ReadonlyMap<string, URL>, problems: string[]): Map<string, string> {
    const named = new Map<string, string>();
    for (const [key, value] of Object.entries(env)) {
        if (!key.toUpperCase().startsWith(CONNECTION_SETTING_PREFIX) || value === undefined) {
            continue;
        }
        const alias = key.slice(CONNECTION_SETTING_PREFIX.length).toLowerCase();
        const url = webhooks.get(alias);
        const name = value.trim().toLowerCase();
        if (url === undefined) {
            problems.push(`${key}: no ${WEBHOOK_SETTING_PREFIX}${alias.toUpperCase()} is configured for alias "${alias}"`);
        } else if (webhookDialect(url) !== 'workflows') {
            problems.push(`${key}: ${WEBHOOK_SETTING_PREFIX}${alias.toUpperCase()} is a connector URL; only a Workflows URL posts through a Teams connection`);
        } else if (!CONNECTION_NAME_PATTERN.test(name)) {
            problems.push(`${key}: the connection name must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit`);
        } else if (named.has(alias)) {
            problems.push(`${key}: alias "${alias}" is given a connection twice (aliases are case-insensitive)`);
        } else {
            named.set(alias, name);
        }
    }
    const byWebhook = new Map<string, string>();
    const aliasOf = new Map<string, string>();
    for (const [alias, url] of webhooks) {
        if (webhookDialect(url) !== 'workflows') {
            continue;
        }
        const key = webhookKey(url);
        const connection = named.get(alias) ?? DEFAULT_TEAMS_CONNECTION;
        const earlier = byWebhook.get(key);
        if (earlier !== undefined && earlier !== connection) {
            problems.push(
                `${CONNECTION_SETTING_PREFIX}${alias.toUpperCase()}: alias "${alias}" has the same URL as "${aliasOf.get(key) ?? ''}" but another connection ("${connection}", not "${earlier}"); one flow posts with one connection`,
            );
            continue;
        }
        byWebhook.set(key, connection);
        aliasOf.set(key, alias);
    }
    return byWebhook;
}

/**
 * The webhook keys of the relay-flow aliases (`TEAMS_RELAY_FLOW_ALIASES`, comma-separated). An alias
 * that is not configured, or whose URL is a legacy connector's (a relay flow is a Logic App or flow
 * with a Request trigger), is a problem naming the key.
 */
function toRelayFlows(value: string, webhooks: ReadonlyMap<string, URL>, problems: string[]): Set<string> {
    const keys = new Set<string>();
    for (const alias of listEntries(value).map((part) => part.toLowerCase())) {
        const url = webhooks.get(alias);
        if (url === undefined) {
            problems.push(`${RELAY_FLOW_ALIASES_SETTING}: no ${WEBHOOK_SETTING_PREFIX}${alias.toUpperCase().slice(0, 64)} is configured for alias "${alias.slice(0, 64)}"`);
        } else if (webhookDialect(url) !== 'workflows') {
            problems.push(`${RELAY_FLOW_ALIASES_SETTING}: ${WEBHOOK_SETTING_PREFIX}${alias.toUpperCase()} is a connector URL; a relay flow is a flow's Request trigger URL`);
        } else {
            keys.add(webhookKey(url));
        }
    }
    return keys;
}

/** `config.targets`: the webhooks by alias (`TEAMS_WEBHOOK_<ALIAS>`), their Teams connections, the allowed hosts, `ALLOW_URL_TARGETS` and the alert routes (`ROUTES_ALERTS`). */
export const targetsSection = defineSection({
    keys: {
        ALLOWED_WEBHOOK_HOSTS: z.string().optional(),
        ALLOW_URL_TARGETS: booleanSetting('ALLOW_URL_TARGETS', DEFAULT_ALLOW_URL_TARGETS),
        ROUTES_ALERTS: z.string().optional(),
        [RELAY_FLOW_ALIASES_SETTING]: z.string().optional(),
    },
    families: [`${WEBHOOK_SETTING_PREFIX}<ALIAS>`, `${CONNECTION_SETTING_PREFIX}<ALIAS>`],
    secrets: [`${WEBHOOK_SETTING_PREFIX}<ALIAS>`],
    build: (settings, env, problems): TargetSettings => {
        let allowedHosts: WebhookHostPattern[] = [];
        try {
            allowedHosts = parseAllowedHosts(settings.ALLOWED_WEBHOOK_HOSTS ?? '');
        } catch (thrown) {
            if (!(thrown instanceof ConfigurationError)) {
                throw thrown;
            }
            // The webhooks are still checked (against no hosts), so every bad key is named at once.
            problems.push(...thrown.problems);
        }
        const webhooks = toWebhooks(env, allowedHosts, problems);
        const connections = toConnections(env, webhooks, problems);
        const alertRoutes = parseAlertRoutes(settings.ROUTES_ALERTS ?? '', webhooks.keys());
        problems.push(...alertRoutes.problems);
        const relayFlows = toRelayFlows(settings[RELAY_FLOW_ALIASES_SETTING] ?? '', webhooks, problems);
        return { webhooks, allowedHosts, allowUrlTargets: settings.ALLOW_URL_TARGETS, connections, alertRoutes: alertRoutes.routes, relayFlows };
    },
});

/** `config.delivery`: the sender's settings, `DELIVERY_*`, `RETRY_MAX_AGE_SECONDS`, `RATE_LIMIT_GUARD_MS`, `ORDER_SETTLE_MS`, `DIGEST_AFTER_SECONDS`, `RELAY_KEY_RETENTION_DAYS` and `LIMITS_*`. */
export const deliverySection = defineSection({
    keys: {
        DELIVERY_TIMEOUT_MS: integerSetting('DELIVERY_TIMEOUT_MS', DEFAULT_DELIVERY_TIMEOUT_MS, 100, 120_000),
        RETRY_MAX_AGE_SECONDS: integerSetting('RETRY_MAX_AGE_SECONDS', DEFAULT_RETRY_MAX_AGE_MS / MS_PER_SECOND, 1, 7 * 86_400),
        RATE_LIMIT_GUARD_MS: integerSetting('RATE_LIMIT_GUARD_MS', DEFAULT_JITTER_GUARD_MS, 0, MAX_JITTER_GUARD_MS),
        ORDER_SETTLE_MS: integerSetting('ORDER_SETTLE_MS', DEFAULT_ORDER_SETTLE_MS, 0, 60_000),
        DIGEST_AFTER_SECONDS: integerSetting('DIGEST_AFTER_SECONDS', DEFAULT_DIGEST_AFTER_MS / MS_PER_SECOND, 0, 7 * 86_400),
        DELIVERY_LEASE_SECONDS: integerSetting('DELIVERY_LEASE_SECONDS', DEFAULT_LEASE_MS / MS_PER_SECOND, 1, 600),
        RELAY_KEY_RETENTION_DAYS: integerSetting('RELAY_KEY_RETENTION_DAYS', DEFAULT_RELAY_KEY_RETENTION_MS / MS_PER_DAY, 1, 365),
        [LIMIT_SETTINGS.connector]: z.string().optional(),
        [LIMIT_SETTINGS.workflows]: z.string().optional(),
        [LIMIT_SETTINGS.workflowsConnection]: z.string().optional(),
    },
    build: (settings): DeliverySettings => ({
        profiles: limitProfiles(settings),
        guardMs: settings.RATE_LIMIT_GUARD_MS,
        timeoutMs: settings.DELIVERY_TIMEOUT_MS,
        retryMaxAgeMs: settings.RETRY_MAX_AGE_SECONDS * MS_PER_SECOND,
        leaseMs: settings.DELIVERY_LEASE_SECONDS * MS_PER_SECOND,
        maxInlineWaitMs: DEFAULT_MAX_INLINE_WAIT_MS,
        maxDrainMs: DEFAULT_MAX_DRAIN_MS,
        digestAfterMs: settings.DIGEST_AFTER_SECONDS * MS_PER_SECOND,
        orderSettleMs: settings.ORDER_SETTLE_MS,
        relayKeyRetentionMs: settings.RELAY_KEY_RETENTION_DAYS * MS_PER_DAY,
    }),
});

/** How an app setting's value starts while its Key Vault reference has not resolved (learn.microsoft.com/azure/app-service/app-service-key-vault-references). */
const UNRESOLVED_KEY_VAULT_REFERENCE = '@Microsoft.KeyVault(';

/** The GitHub endpoint's settings: `config.github`. */
interface GitHubSettings {
    /**
     * `GITHUB_WEBHOOK_SECRET`: what GitHub signs deliveries with. Unset, blank or an unresolved Key
     * Vault reference: absent, and the endpoint refuses every delivery rather than take the
     * reference's text as the secret. A secret: never log it.
     */
    readonly webhookSecret: string | undefined;
    /** `TEAMS_MENTION_MAP_GITHUB`: Teams users (UPN or Entra object id) by lower-case GitHub login, for @mentioning reviewers. */
    readonly mentionMap: ReadonlyMap<string, string>;
}

/** `config.github`: `GITHUB_WEBHOOK_SECRET` and `TEAMS_MENTION_MAP_GITHUB`. */
export const githubSection = defineSection({
    keys: {
        GITHUB_WEBHOOK_SECRET: z.string().optional(),
        TEAMS_MENTION_MAP_GITHUB: z.string().optional(),
    },
    secrets: ['GITHUB_WEBHOOK_SECRET'],
    build: (settings, _env, problems): GitHubSettings => {
        const secret = settings.GITHUB_WEBHOOK_SECRET;
        const mentions = parseGitHubMentionMap(settings.TEAMS_MENTION_MAP_GITHUB ?? '');
        problems.push(...mentions.problems);
        return {
            webhookSecret: secret === undefined || secret.trim() === '' || secret.startsWith(UNRESOLVED_KEY_VAULT_REFERENCE) ? undefined : secret,
            mentionMap: mentions.map,
        };
    },
});

/** The configuration the notify flow reads: what `shared/config.ts` makes, as notify's functions take it. */
export interface NotifyConfig {
    readonly storage: StorageSetting;
    readonly queues: QueueSettings;
    readonly targets: TargetSettings;
    readonly delivery: DeliverySettings;
    readonly github: GitHubSettings;
}
