/**
 * The mention flow's section of the configuration, `config.mention`: the outgoing-webhook tokens,
 * what each token's mentions may see, how old an activity may be, and the reply budget.
 * `shared/config.ts` composes it with the others; `shared/platform/config.ts` says how a setting is added.
 */
import { z } from 'zod';
import { ALIAS_PATTERN, defineSection, integerSetting, listEntries, listPairs, MS_PER_SECOND, QUOTED_VALUE_CHARS } from '../platform/config.js';

/** Bytes in an outgoing-webhook security token (Teams shows base64 of 32 random bytes). */
const OUTGOING_TOKEN_BYTES = 32;

/** Default budget for a mention reply: Teams waits 5 s (docs/teams-facts.md#reply), so we answer with 1 s to spare. @default 4000 */
export const DEFAULT_MENTION_REPLY_BUDGET_MS = 4_000;

/**
 * How old an activity's `timestamp` may be before the mention is refused like a bad signature: long
 * enough for Teams' delivery and clocks that are a little apart, short enough that a captured
 * request is soon useless. @default 300
 */
export const DEFAULT_MENTION_MAX_AGE_SECONDS = 300;

/** Prefix of the per-token mention scope settings, e.g. `TEAMS_MENTION_SCOPE_OPS` for the token named `ops`. */
const MENTION_SCOPE_SETTING_PREFIX = 'TEAMS_MENTION_SCOPE_';

/** A mention scope that lets a token see every webhook. */
export const EVERY_WEBHOOK = '*';

/** The setting holding the tokens. */
const SECRETS_KEY = 'TEAMS_OUTGOING_WEBHOOK_SECRETS';

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

/** `config.mention`. */
interface MentionSettings {
    /** Outgoing-webhook keys; empty means every mention is refused (fail closed). */
    readonly keys: readonly OutgoingWebhookKey[];
    /** What mentions signed with each token (by name) may see; one entry per key. */
    readonly scopes: ReadonlyMap<string, MentionScope>;
    /** An activity whose `timestamp` is older than this is refused like a bad signature (`MENTION_MAX_AGE_SECONDS`). */
    readonly maxAgeMs: number;
    /** How long a command may take before the reply says so (`MENTION_REPLY_BUDGET_MS`). */
    readonly replyBudgetMs: number;
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const TOKEN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses `name:base64token,...` or a bare `base64token`. Messages name entries by position, never by value. */
export function parseOutgoingWebhookSecrets(value: string): { keys: OutgoingWebhookKey[]; problems: string[] } {
    const keys: OutgoingWebhookKey[] = [];
    const problems: string[] = [];
    for (const { where, name = 'default', value: token } of listPairs(value, SECRETS_KEY)) {
        if (!TOKEN_NAME.test(name)) {
            problems.push(`${where}: the name must be 1-64 letters, digits, '_', '-' or '.'`);
            continue;
        }
        if (!BASE64_32_BYTES.test(token)) {
            problems.push(
                `${where} ("${name}"): the token must be base64 of ${OUTGOING_TOKEN_BYTES} bytes (44 characters ending in '='), as Teams shows it`,
            );
            continue;
        }
        if (keys.some((key) => key.name === name)) {
            problems.push(`${where}: the name "${name}" is used twice`);
            continue;
        }
        keys.push({ name, key: Buffer.from(token, 'base64') });
    }
    return { keys, problems };
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
    const entries = listEntries(value);
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
        if (!ALIAS_PATTERN.test(alias)) {
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
function toMentionScopes(env: Readonly<Record<string, string | undefined>>, keys: readonly OutgoingWebhookKey[], problems: string[]): Map<string, MentionScope> {
    const tokenBySetting = new Map<string, string>();
    for (const { name } of keys) {
        const setting = mentionScopeSetting(name);
        const other = tokenBySetting.get(setting);
        if (other !== undefined) {
            problems.push(`${SECRETS_KEY}: the names "${other}" and "${name}" share the scope setting ${setting}; rename one`);
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
                `${key}: no token of ${SECRETS_KEY} has this scope setting (configured: ${known.length === 0 ? 'none' : known.map(mentionScopeSetting).join(', ')})`,
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
        keys.map(({ name }): [string, MentionScope] => [
            name,
            configured.get(name) ?? (keys.length === 1 ? { kind: 'all' } : { kind: 'none', setting: mentionScopeSetting(name) }),
        ]),
    );
}

/** `config.mention`: `TEAMS_OUTGOING_WEBHOOK_SECRETS`, `TEAMS_MENTION_SCOPE_<NAME>`, `MENTION_MAX_AGE_SECONDS` and `MENTION_REPLY_BUDGET_MS`. */
export const mentionSection = defineSection({
    keys: {
        [SECRETS_KEY]: z.string().optional(),
        MENTION_REPLY_BUDGET_MS: integerSetting('MENTION_REPLY_BUDGET_MS', DEFAULT_MENTION_REPLY_BUDGET_MS, 1, 4_900),
        // At most an hour: a longer window only lets a captured request be replayed for longer.
        MENTION_MAX_AGE_SECONDS: integerSetting('MENTION_MAX_AGE_SECONDS', DEFAULT_MENTION_MAX_AGE_SECONDS, 10, 3_600),
    },
    families: [`${MENTION_SCOPE_SETTING_PREFIX}<NAME>`],
    secrets: [SECRETS_KEY],
    build: (settings, env, problems): MentionSettings => {
        const secrets = parseOutgoingWebhookSecrets(settings[SECRETS_KEY] ?? '');
        problems.push(...secrets.problems);
        return {
            keys: secrets.keys,
            scopes: toMentionScopes(env, secrets.keys, problems),
            maxAgeMs: settings.MENTION_MAX_AGE_SECONDS * MS_PER_SECOND,
            replyBudgetMs: settings.MENTION_REPLY_BUDGET_MS,
        };
    },
});
