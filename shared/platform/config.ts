/** App configuration: every setting parsed once with zod into a frozen, typed object. */
import { z } from 'zod';
import { ConfigurationError, SystemError } from './errors.js';
import {
    CONNECTION_NAME_PATTERN,
    CONNECTION_SETTING_PREFIX,
    DEFAULT_TEAMS_CONNECTION,
    limitProfiles,
    type LimitProfiles,
} from '../notify/limit-profiles.js';
import { DEFAULT_JITTER_GUARD_MS, MAX_JITTER_GUARD_MS } from '../notify/limiter.js';
import { type AlertRoute, parseAlertRoutes } from '../notify/producers/routes.js';
import { isValidNotificationsQueue, MAX_NOTIFICATIONS_QUEUE_CHARS, MIN_QUEUE_NAME_CHARS, poisonQueueName } from './queue-names.js';
import { isAllowedWebhookUrl, parseAllowedHosts, webhookDialect, webhookKey, type WebhookHostPattern } from '../notify/webhook-target.js';

/** Bytes in an outgoing-webhook security token (Teams shows base64 of 32 random bytes). */
export const OUTGOING_TOKEN_BYTES = 32;

/** Default budget for a mention reply: Teams waits 5 s (docs/teams-facts.md#reply), so we answer with 1 s to spare. @default 4000 */
export const DEFAULT_MENTION_REPLY_BUDGET_MS = 4_000;

/** How long one POST to Teams may take before it counts as a timeout. @default 10000 */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/** How long a job keeps being retried after transient failures before it is dead-lettered: a day. @default 86400 */
export const DEFAULT_RETRY_MAX_AGE_SECONDS = 86_400;

/** How long a sender holds a webhook without renewing: longer than one POST may take. @default 30 */
export const DEFAULT_DELIVERY_LEASE_SECONDS = 30;

/** Default schedule of the safety-net sweep: every minute (NCRONTAB, with seconds). */
export const DEFAULT_SWEEP_SCHEDULE = '0 */1 * * * *';

/** Fold a webhook's backlog into digests when it would wait longer than this; 0 turns digests off. @default 60 */
export const DEFAULT_DIGEST_AFTER_SECONDS = 60;

/** How long a fresh job waits for earlier jobs another instance is still accepting. @default 1000 */
export const DEFAULT_ORDER_SETTLE_MS = 1_000;

/** Default notification queue name (README, "Configuration"). */
export const DEFAULT_NOTIFICATIONS_QUEUE = 'notifications';

/** Default storage: the local emulator, as `func start` assumes. */
export const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

/** Prefix of the per-alias incoming webhook settings, e.g. `TEAMS_WEBHOOK_OPS`. */
export const WEBHOOK_SETTING_PREFIX = 'TEAMS_WEBHOOK_';

/** Prefix of the per-token mention scope settings, e.g. `TEAMS_MENTION_SCOPE_OPS` for the token named `ops`. */
export const MENTION_SCOPE_SETTING_PREFIX = 'TEAMS_MENTION_SCOPE_';

/** A mention scope that lets a token see every webhook. */
export const EVERY_WEBHOOK = '*';

/**
 * How old an activity's `timestamp` may be before the mention is refused like a bad signature: long
 * enough for Teams' delivery and clocks that are a little apart, short enough that a captured
 * request is soon useless. @default 300
 */
export const DEFAULT_MENTION_MAX_AGE_SECONDS = 300;

/** Whether jobs may name a `{url}` target instead of a configured alias. @default false */
export const DEFAULT_ALLOW_URL_TARGETS = false;

/** A named outgoing-webhook security token, decoded. */
export interface OutgoingWebhookKey {
    /** The name used in `?id=<name>`; `default` for a bare token. */
    readonly name: string;
    /** The decoded 32-byte HMAC key. */
    readonly key: Buffer;
}

/**
 * Which webhooks a mention signed with one token may see (the `status` command): every one, some
 * aliases, or none because the operator has not said (several tokens and no
 * `TEAMS_MENTION_SCOPE_<NAME>`; `setting` names the key to add).
 */
export type MentionScope =
    | { readonly kind: 'all' }
    | { readonly kind: 'aliases'; readonly aliases: readonly string[] }
    | { readonly kind: 'none'; readonly setting: string };

/** How the app reaches Azure Storage. */
export type StorageSetting =
    | { readonly kind: 'connectionString'; readonly connectionString: string }
    | {
          readonly kind: 'identity';
          readonly accountName?: string;
          readonly queueServiceUri?: string;
          readonly tableServiceUri?: string;
          readonly clientId?: string;
      };

/** The app's configuration, validated and frozen. */
export interface AppConfig {
    readonly storage: StorageSetting;
    /** Outgoing-webhook keys; empty means every mention is refused (fail closed). */
    readonly outgoingWebhookKeys: readonly OutgoingWebhookKey[];
    /** What mentions signed with each token (by name) may see; one entry per key of `outgoingWebhookKeys`. */
    readonly mentionScopes: ReadonlyMap<string, MentionScope>;
    /** An activity whose `timestamp` is older than this is refused like a bad signature. */
    readonly mentionMaxAgeMs: number;
    /** Whether a job may name `{ url }` instead of an alias; such URLs are then stored in the outbox and dead letters. */
    readonly allowUrlTargets: boolean;
    /** Incoming webhook / Workflows URLs by lower-case alias. Secrets: never log them. */
    readonly webhooks: ReadonlyMap<string, URL>;
    /** Host patterns a target URL may have (the Teams and Workflows families unless configured). */
    readonly allowedWebhookHosts: readonly WebhookHostPattern[];
    readonly notificationsQueue: string;
    readonly poisonQueue: string;
    readonly mentionReplyBudgetMs: number;
    /** Timeout of one POST to a webhook. */
    readonly deliveryTimeoutMs: number;
    /** Transient failures are retried until the first attempt is this old, then dead-lettered. */
    readonly retryMaxAgeMs: number;
    /** Added to every rate-limit window to absorb network jitter. */
    readonly rateLimitGuardMs: number;
    /** How long a sender's lease on a webhook lasts without renewal. */
    readonly deliveryLeaseMs: number;
    /** NCRONTAB schedule of the sweep that wakes stranded webhooks. */
    readonly sweepSchedule: string;
    /** Backlogs that would wait longer than this are folded into digests; 0: never. */
    readonly digestAfterMs: number;
    /** A fresh job is held this long so concurrently accepted earlier jobs go first. */
    readonly orderSettleMs: number;
    /** The sliding windows per dialect, with any `LIMITS_*` overrides. */
    readonly limitProfiles: LimitProfiles;
    /**
     * The Teams connection of each configured Workflows webhook, by webhook key (`TEAMS_CONNECTION_<ALIAS>`,
     * else `default`). Connector webhooks are absent; see `teamsConnectionOf`.
     */
    readonly connectionsByWebhook: ReadonlyMap<string, string>;
    /** `ROUTES_ALERTS`: where Alertmanager and Grafana notifications go when the request names no alias; first match wins. */
    readonly alertRoutes: readonly AlertRoute[];
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const TOKEN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A target alias, lower-cased: what `TEAMS_WEBHOOK_<ALIAS>` may name. */
const ALIAS = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Characters of a bad value quoted in a problem (scope values are aliases, never secrets). */
const QUOTED_VALUE_CHARS = 40;

/** Parses `name:base64token,...` or a bare `base64token`. Messages name entries by position, never by value. */
export function parseOutgoingWebhookSecrets(value: string): { keys: OutgoingWebhookKey[]; problems: string[] } {
    const keys: OutgoingWebhookKey[] = [];
    const problems: string[] = [];
    const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
    entries.forEach((entry, index) => {
        const where = `TEAMS_OUTGOING_WEBHOOK_SECRETS entry ${index + 1}`;
        const colon = entry.indexOf(':');
        const name = colon === -1 ? 'default' : entry.slice(0, colon).trim();
        const token = colon === -1 ? entry : entry.slice(colon + 1).trim();
        if (!TOKEN_NAME.test(name)) {
            problems.push(`${where}: the name must be 1-64 letters, digits, '_', '-' or '.'`);
            return;
        }
        if (!BASE64_32_BYTES.test(token)) {
            problems.push(
                `${where} ("${name}"): the token must be base64 of ${OUTGOING_TOKEN_BYTES} bytes (44 characters ending in '='), as Teams shows it`,
            );
            return;
        }
        if (keys.some((key) => key.name === name)) {
            problems.push(`${where}: the name "${name}" is used twice`);
            return;
        }
        keys.push({ name, key: Buffer.from(token, 'base64') });
    });
    return { keys, problems };
}

/**
 * A setting that takes `fallback` when unset or blank, else what `read` makes of the trimmed value;
 * `undefined` from `read` is a problem, worded `problem` (which names the key, never the value).
 */
const settingWithDefault = <T>(fallback: T, read: (value: string) => T | undefined, problem: string) =>
    z
        .string()
        .trim()
        .optional()
        .transform((value, ctx) => {
            if (value === undefined || value === '') {
                return fallback;
            }
            const parsed = read(value);
            if (parsed === undefined) {
                ctx.addIssue({ code: 'custom', message: problem });
                return z.NEVER;
            }
            return parsed;
        });

const integerSetting = (key: string, fallback: number, min: number, max: number) =>
    settingWithDefault(
        fallback,
        (value) => {
            const parsed = Number(value);
            return Number.isInteger(parsed) && parsed >= min && parsed <= max ? parsed : undefined;
        },
        `${key} must be a whole number from ${min} to ${max}`,
    );

/** The words a boolean setting accepts, in any case. */
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
    ['true', true],
    ['false', false],
]);

const booleanSetting = (key: string, fallback: boolean) =>
    settingWithDefault(fallback, (value) => BOOLEAN_WORDS.get(value.toLowerCase()), `${key} must be true or false`);

const envSchema = z.object({
    AzureWebJobsStorage: z.string().trim().optional(),
    AzureWebJobsStorage__accountName: z.string().trim().optional(),
    AzureWebJobsStorage__queueServiceUri: z.url().optional(),
    AzureWebJobsStorage__tableServiceUri: z.url().optional(),
    AzureWebJobsStorage__clientId: z.string().trim().optional(),
    TEAMS_OUTGOING_WEBHOOK_SECRETS: z.string().optional(),
    ALLOWED_WEBHOOK_HOSTS: z.string().optional(),
    NOTIFICATIONS_QUEUE: z
        .string()
        .trim()
        .optional()
        .transform((value) => (value === undefined || value === '' ? DEFAULT_NOTIFICATIONS_QUEUE : value))
        .refine(isValidNotificationsQueue, {
            message: `NOTIFICATIONS_QUEUE must be a valid queue name: ${MIN_QUEUE_NAME_CHARS}-${MAX_NOTIFICATIONS_QUEUE_CHARS} lower-case letters, digits and single hyphens, starting and ending with a letter or digit (the longest queue named after it, "<name>-wakeup-poison", must stay within 63)`,
        }),
    MENTION_REPLY_BUDGET_MS: integerSetting('MENTION_REPLY_BUDGET_MS', DEFAULT_MENTION_REPLY_BUDGET_MS, 1, 4_900),
    // At most an hour: a longer window only lets a captured request be replayed for longer.
    MENTION_MAX_AGE_SECONDS: integerSetting('MENTION_MAX_AGE_SECONDS', DEFAULT_MENTION_MAX_AGE_SECONDS, 10, 3_600),
    ALLOW_URL_TARGETS: booleanSetting('ALLOW_URL_TARGETS', DEFAULT_ALLOW_URL_TARGETS),
    DELIVERY_TIMEOUT_MS: integerSetting('DELIVERY_TIMEOUT_MS', DEFAULT_DELIVERY_TIMEOUT_MS, 100, 120_000),
    RETRY_MAX_AGE_SECONDS: integerSetting('RETRY_MAX_AGE_SECONDS', DEFAULT_RETRY_MAX_AGE_SECONDS, 1, 7 * 86_400),
    RATE_LIMIT_GUARD_MS: integerSetting('RATE_LIMIT_GUARD_MS', DEFAULT_JITTER_GUARD_MS, 0, MAX_JITTER_GUARD_MS),
    ORDER_SETTLE_MS: integerSetting('ORDER_SETTLE_MS', DEFAULT_ORDER_SETTLE_MS, 0, 60_000),
    DIGEST_AFTER_SECONDS: integerSetting('DIGEST_AFTER_SECONDS', DEFAULT_DIGEST_AFTER_SECONDS, 0, 7 * 86_400),
    DELIVERY_LEASE_SECONDS: integerSetting('DELIVERY_LEASE_SECONDS', DEFAULT_DELIVERY_LEASE_SECONDS, 1, 600),
    ROUTES_ALERTS: z.string().optional(),
    LIMITS_CONNECTOR: z.string().optional(),
    LIMITS_WORKFLOWS: z.string().optional(),
    LIMITS_WORKFLOWS_CONNECTION: z.string().optional(),
    SWEEP_SCHEDULE: z
        .string()
        .trim()
        .optional()
        .transform((value) => (value === undefined || value === '' ? DEFAULT_SWEEP_SCHEDULE : value))
        .refine((value) => value.split(/\s+/).length === 6, {
            message: 'SWEEP_SCHEDULE must be an NCRONTAB expression with 6 fields (second minute hour day month day-of-week)',
        }),
});

/** Every configuration key the app reads, for documentation and consistency checks. */
export const CONFIGURATION_KEYS = [
    ...Object.keys(envSchema.shape),
    `${WEBHOOK_SETTING_PREFIX}<ALIAS>`,
    `${CONNECTION_SETTING_PREFIX}<ALIAS>`,
    `${MENTION_SCOPE_SETTING_PREFIX}<NAME>`,
] as const;

/**
 * The configuration keys whose values are secrets (tokens, webhook URLs): never logged, and in Azure
 * only ever Key Vault references, never plain app settings.
 */
export const SECRET_CONFIGURATION_KEYS = ['TEAMS_OUTGOING_WEBHOOK_SECRETS', `${WEBHOOK_SETTING_PREFIX}<ALIAS>`] as const satisfies readonly (typeof CONFIGURATION_KEYS)[number][];

/**
 * The value each key takes when it is unset, as an app setting would spell it; keys without a
 * default (storage, secrets, `ALLOWED_WEBHOOK_HOSTS`, whose empty value means the built-in hosts) are absent.
 *
 * @example
 * configurationDefaults().NOTIFICATIONS_QUEUE; // 'notifications'
 */
export function configurationDefaults(): Readonly<Record<string, string>> {
    const defaults = envSchema.parse({});
    return Object.freeze(
        Object.fromEntries(
            Object.entries(defaults).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
        ),
    );
}

/** The settings the schema describes, each parsed. */
type Settings = z.infer<typeof envSchema>;

/**
 * Parses every key of the schema on its own, so one bad value hides none of the others: each
 * failure is added to `problems` as a line that starts with its key (zod's messages name no value).
 * The keys that failed are absent from the result.
 */
function parseEachSetting(env: Readonly<Record<string, string | undefined>>, problems: string[]): Partial<Settings> {
    const settings: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(envSchema.shape)) {
        const parsed = schema.safeParse(env[key]);
        if (parsed.success) {
            settings[key] = parsed.data;
            continue;
        }
        for (const issue of parsed.error.issues) {
            problems.push(issue.message.startsWith(key) ? issue.message : `${key}: ${issue.message}`);
        }
    }
    return settings;
}

function toStorageSetting(env: Partial<Settings>, problems: string[]): StorageSetting {
    const identity = {
        ...(env.AzureWebJobsStorage__accountName ? { accountName: env.AzureWebJobsStorage__accountName } : {}),
        ...(env.AzureWebJobsStorage__queueServiceUri ? { queueServiceUri: env.AzureWebJobsStorage__queueServiceUri } : {}),
        ...(env.AzureWebJobsStorage__tableServiceUri ? { tableServiceUri: env.AzureWebJobsStorage__tableServiceUri } : {}),
        ...(env.AzureWebJobsStorage__clientId ? { clientId: env.AzureWebJobsStorage__clientId } : {}),
    };
    const connectionString = env.AzureWebJobsStorage;
    if (connectionString !== undefined && connectionString !== '') {
        if (connectionString !== DEVELOPMENT_STORAGE && !/AccountName=|QueueEndpoint=|TableEndpoint=/i.test(connectionString)) {
            problems.push(
                'AzureWebJobsStorage must be a storage connection string or UseDevelopmentStorage=true',
            );
        }
        return { kind: 'connectionString', connectionString };
    }
    if (identity.accountName || identity.queueServiceUri || identity.tableServiceUri) {
        if (!identity.accountName && !(identity.queueServiceUri && identity.tableServiceUri)) {
            problems.push(
                'AzureWebJobsStorage__accountName is required for identity-based storage unless both AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri are set',
            );
        }
        return { kind: 'identity', ...identity };
    }
    return { kind: 'connectionString', connectionString: DEVELOPMENT_STORAGE };
}

function toWebhooks(
    env: Readonly<Record<string, string | undefined>>,
    allowed: readonly WebhookHostPattern[],
    problems: string[],
): Map<string, URL> {
    const webhooks = new Map<string, URL>();
    for (const [key, value] of Object.entries(env)) {
        if (!key.toUpperCase().startsWith(WEBHOOK_SETTING_PREFIX) || value === undefined) {
            continue;
        }
        const alias = key.slice(WEBHOOK_SETTING_PREFIX.length).toLowerCase();
        if (!ALIAS.test(alias)) {
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
function toConnections(
    env: Readonly<Record<string, string | undefined>>,
    webhooks: ReadonlyMap<string, URL>,
    problems: string[],
): Map<string, string> {
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
 * The setting that holds the scope of the token named `tokenName`: the prefix and the name
 * upper-cased, with `-` and `.` written `_` (app setting names on Linux hold letters, digits and `_`).
 *
 * @example
 * mentionScopeSetting('ops-2'); // 'TEAMS_MENTION_SCOPE_OPS_2'
 */
export function mentionScopeSetting(tokenName: string): string {
    return `${MENTION_SCOPE_SETTING_PREFIX}${tokenName.toUpperCase().replace(/[-.]/g, '_')}`;
}

/**
 * Parses one `TEAMS_MENTION_SCOPE_<NAME>` value: `*` (every webhook) or comma-separated aliases.
 * Blank means unset. Problems name `key` and quote the bad entry (aliases are not secrets).
 *
 * @example
 * parseMentionScope('TEAMS_MENTION_SCOPE_OPS', 'ops, alerts'); // { scope: { kind: 'aliases', aliases: ['ops', 'alerts'] }, problems: [] }
 */
export function parseMentionScope(key: string, value: string): { scope: MentionScope | undefined; problems: string[] } {
    const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
    if (entries.length === 0) {
        return { scope: undefined, problems: [] };
    }
    if (entries.includes(EVERY_WEBHOOK)) {
        return entries.length === 1
            ? { scope: { kind: 'all' }, problems: [] }
            : { scope: undefined, problems: [`${key}: '${EVERY_WEBHOOK}' (every webhook) stands alone; list aliases or write only ${EVERY_WEBHOOK}`] };
    }
    const problems: string[] = [];
    const aliases: string[] = [];
    entries.forEach((entry, index) => {
        const alias = entry.toLowerCase();
        if (!ALIAS.test(alias)) {
            problems.push(
                `${key} entry ${index + 1} (${JSON.stringify(entry.slice(0, QUOTED_VALUE_CHARS))}): an alias is 1-64 letters, digits, '_' or '-', as in TEAMS_WEBHOOK_<ALIAS>`,
            );
        } else if (!aliases.includes(alias)) {
            aliases.push(alias);
        }
    });
    return problems.length > 0 ? { scope: undefined, problems } : { scope: { kind: 'aliases', aliases: Object.freeze(aliases) }, problems };
}

/**
 * Every token's mention scope: its `TEAMS_MENTION_SCOPE_<NAME>`, else every webhook when it is the
 * only token, else none. A scope setting that names no configured token is a problem.
 */
function toMentionScopes(
    env: Readonly<Record<string, string | undefined>>,
    keys: readonly OutgoingWebhookKey[],
    problems: string[],
): Map<string, MentionScope> {
    const tokenBySetting = new Map<string, string>();
    for (const { name } of keys) {
        const setting = mentionScopeSetting(name);
        const other = tokenBySetting.get(setting);
        if (other !== undefined) {
            problems.push(`TEAMS_OUTGOING_WEBHOOK_SECRETS: the names "${other}" and "${name}" share the scope setting ${setting}; rename one`);
        }
        tokenBySetting.set(setting, name);
    }
    const configured = new Map<string, MentionScope | undefined>();
    for (const [key, value] of Object.entries(env)) {
        const setting = key.toUpperCase();
        if (!setting.startsWith(MENTION_SCOPE_SETTING_PREFIX) || value === undefined) {
            continue;
        }
        const name = tokenBySetting.get(setting);
        if (name === undefined) {
            const known = keys.map((token) => token.name);
            problems.push(
                `${key}: no token of TEAMS_OUTGOING_WEBHOOK_SECRETS has this scope setting (configured: ${known.length === 0 ? 'none' : known.map(mentionScopeSetting).join(', ')})`,
            );
            continue;
        }
        if (configured.has(name)) {
            problems.push(`${key}: the scope of token "${name}" is configured twice (setting names are case-insensitive)`);
            continue;
        }
        const parsed = parseMentionScope(key, value);
        problems.push(...parsed.problems);
        configured.set(name, parsed.scope);
    }
    return new Map(
        keys.map(({ name }): [string, MentionScope] => {
            const scope = configured.get(name) ?? (keys.length === 1 ? { kind: 'all' } : { kind: 'none', setting: mentionScopeSetting(name) });
            return [name, Object.freeze(scope)];
        }),
    );
}

/**
 * Parses and validates the configuration from an environment. Pure: reads nothing but `env`.
 * Every problem is reported at once, each naming its key, never a secret's value.
 *
 * @throws {ConfigurationError} when any setting is invalid.
 * @example
 * const config = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: 'contoso:vqF0...zaA=' });
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
    const problems: string[] = [];
    const each = parseEachSetting(env, problems);
    const storage = toStorageSetting(each, problems);
    const secrets = parseOutgoingWebhookSecrets(each.TEAMS_OUTGOING_WEBHOOK_SECRETS ?? '');
    problems.push(...secrets.problems);
    let allowedWebhookHosts: WebhookHostPattern[] = [];
    try {
        allowedWebhookHosts = parseAllowedHosts(each.ALLOWED_WEBHOOK_HOSTS ?? '');
    } catch (thrown) {
        if (!(thrown instanceof ConfigurationError)) {
            throw thrown;
        }
        problems.push(...thrown.problems);
    }
    const webhooks = toWebhooks(env, allowedWebhookHosts, problems);
    const connectionsByWebhook = toConnections(env, webhooks, problems);
    let profiles: LimitProfiles | undefined;
    try {
        profiles = limitProfiles(each);
    } catch (thrown) {
        if (!(thrown instanceof ConfigurationError)) {
            throw thrown;
        }
        problems.push(...thrown.problems);
    }
    const mentionScopes = toMentionScopes(env, secrets.keys, problems);
    const alertRoutes = parseAlertRoutes(each.ROUTES_ALERTS ?? '', webhooks.keys());
    problems.push(...alertRoutes.problems);
    if (problems.length > 0 || profiles === undefined) {
        throw new ConfigurationError(problems);
    }
    // Every key parsed on its own above, so the whole schema parses too; this gives the full type.
    const whole = envSchema.safeParse(env);
    if (!whole.success) {
        throw new SystemError('configuration_schema', 'The configuration schema rejected settings that each parsed');
    }
    const settings = whole.data;
    return Object.freeze({
        storage: Object.freeze(storage),
        outgoingWebhookKeys: Object.freeze(secrets.keys.map((key) => Object.freeze(key))),
        mentionScopes,
        mentionMaxAgeMs: settings.MENTION_MAX_AGE_SECONDS * 1_000,
        allowUrlTargets: settings.ALLOW_URL_TARGETS,
        webhooks,
        allowedWebhookHosts: Object.freeze(allowedWebhookHosts),
        notificationsQueue: settings.NOTIFICATIONS_QUEUE,
        poisonQueue: poisonQueueName(settings.NOTIFICATIONS_QUEUE),
        mentionReplyBudgetMs: settings.MENTION_REPLY_BUDGET_MS,
        deliveryTimeoutMs: settings.DELIVERY_TIMEOUT_MS,
        retryMaxAgeMs: settings.RETRY_MAX_AGE_SECONDS * 1_000,
        rateLimitGuardMs: settings.RATE_LIMIT_GUARD_MS,
        deliveryLeaseMs: settings.DELIVERY_LEASE_SECONDS * 1_000,
        sweepSchedule: settings.SWEEP_SCHEDULE,
        digestAfterMs: settings.DIGEST_AFTER_SECONDS * 1_000,
        orderSettleMs: settings.ORDER_SETTLE_MS,
        limitProfiles: profiles,
        connectionsByWebhook,
        alertRoutes: Object.freeze(alertRoutes.routes),
    });
}

let cached: { env: NodeJS.ProcessEnv; config: AppConfig } | undefined;

/**
 * The configuration of this process, parsed from `process.env` on first use and cached.
 *
 * @throws {ConfigurationError} when any setting is invalid (every call, so the error stays visible).
 */
export function getConfig(): AppConfig {
    if (cached?.env !== process.env) {
        cached = { env: process.env, config: loadConfig(process.env) };
    }
    return cached.config;
}

/** Forgets the cached configuration, so the next {@link getConfig} reads `process.env` again. */
export function resetConfig(): void {
    cached = undefined;
}
