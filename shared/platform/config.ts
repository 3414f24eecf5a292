/**
 * Configuration machinery and the host's own sections: how a section of settings is declared and
 * parsed with zod, how the sections compose into one schema and one nested, frozen object
 * (`shared/config.ts` composes the app's), and the sections of what the Functions host binds to:
 * storage, the notifications queue and the sweep's schedule.
 *
 * Adding a setting: put its key in the `keys` of the section it belongs to (here, in
 * `shared/notify/settings.ts` or in `shared/mention/settings.ts`) with its zod parser and default,
 * and set the field it becomes in that section's `build`. That is the one place; the key is then
 * part of `CONFIGURATION_KEYS`, its problems name it, and `configurationDefaults()` shows its
 * default. Document it in `local.settings.json.example`, the README's configuration table and the
 * Bicep app settings (`test/deploy/configuration.test.ts` checks they agree):
 *
 * @example
 * keys: {
 *     // ...
 *     DELIVERY_TIMEOUT_MS: integerSetting('DELIVERY_TIMEOUT_MS', DEFAULT_DELIVERY_TIMEOUT_MS, 100, 120_000),
 * },
 * build: (settings) => ({ timeoutMs: settings.DELIVERY_TIMEOUT_MS, ... }),
 */
import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import { isValidNotificationsQueue, MAX_NOTIFICATIONS_QUEUE_CHARS, MIN_QUEUE_NAME_CHARS, poisonQueueName } from './queue-names.js';

/** The settings as the process sees them: `process.env`, or a test's object. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Milliseconds per second, for the settings given in seconds. */
export const MS_PER_SECOND = 1_000;

/** A target alias, lower-cased: what `TEAMS_WEBHOOK_<ALIAS>` may name and a mention scope may list. */
export const ALIAS_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Characters of a bad value quoted in a problem (only for values that are never secrets). */
export const QUOTED_VALUE_CHARS = 40;

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

/** A whole number from `min` to `max`, `fallback` when unset or blank. */
export const integerSetting = (key: string, fallback: number, min: number, max: number) =>
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

/** `true` or `false` in any case, `fallback` when unset or blank. */
export const booleanSetting = (key: string, fallback: boolean) =>
    settingWithDefault(fallback, (value) => BOOLEAN_WORDS.get(value.toLowerCase()), `${key} must be true or false`);

/** Text as a setting holds it: trimmed, `fallback` when unset or blank. */
const textOrDefault = (fallback: string) =>
    z
        .string()
        .trim()
        .optional()
        .transform((value) => (value === undefined || value === '' ? fallback : value));

/** A text setting: trimmed, `fallback` when unset or blank, refused with `problem` unless `valid`. */
const textSetting = (fallback: string, valid: (value: string) => boolean, problem: string) => textOrDefault(fallback).refine(valid, { message: problem });

/**
 * One section of the configuration: the keys it reads (each parsed on its own, so its problems name
 * it), the key families it reads by prefix (`TEAMS_WEBHOOK_<ALIAS>`), which of them are secrets,
 * and how the parsed keys become the section's value. `build` pushes any problem onto `problems`,
 * each starting with its key and never quoting a secret, or throws a {@link ConfigurationError}.
 */
/** The keys of a section: each setting's name and its zod parser. */
type SettingShape = Record<string, z.ZodType>;

interface ConfigSection<Keys extends SettingShape, Value> {
    readonly keys: Keys;
    /** Keys read by prefix, spelled `PREFIX<NAME>` as the README's table does. */
    readonly families?: readonly string[];
    /** Keys (or families) whose values are secrets: never logged, in Azure only Key Vault references. */
    readonly secrets?: readonly string[];
    readonly build: (settings: z.output<z.ZodObject<Keys>>, env: Environment, problems: string[]) => Value;
}

/**
 * The entries of a comma-separated setting, trimmed, blanks dropped.
 *
 * @example
 * listEntries(' ops, ,alerts '); // ['ops', 'alerts']
 */
export function listEntries(value: string): string[] {
    return value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
}

/** One `name:value` entry of a comma-separated setting. */
interface SettingPair {
    /** Where the entry stands, for messages: `KEY entry 2`. Messages name entries by position, so a secret value is never echoed. */
    readonly where: string;
    /** What stands before the first colon, trimmed; `undefined` when the entry has no colon. */
    readonly name: string | undefined;
    /** What stands after the first colon, trimmed; the whole entry when it has none. */
    readonly value: string;
}

/**
 * The `name:value` entries of the comma-separated setting `key`, split at each entry's first colon.
 *
 * @example
 * listPairs('ops:abc, def', 'KEY'); // [{ where: 'KEY entry 1', name: 'ops', value: 'abc' }, { where: 'KEY entry 2', name: undefined, value: 'def' }]
 */
export function listPairs(value: string, key: string): SettingPair[] {
    return listEntries(value).map((entry, index) => {
        const colon = entry.indexOf(':');
        return {
            where: `${key} entry ${index + 1}`,
            name: colon === -1 ? undefined : entry.slice(0, colon).trim(),
            value: colon === -1 ? entry : entry.slice(colon + 1).trim(),
        };
    });
}

/** Declares a section (an identity function that infers its types). */
export function defineSection<Keys extends SettingShape, Value>(section: ConfigSection<Keys, Value>): ConfigSection<Keys, Value> {
    return section;
}

/** Any section, as {@link composeConfig} takes them. */
interface AnySection {
    readonly keys: SettingShape;
    readonly families?: readonly string[];
    readonly secrets?: readonly string[];
    readonly build: (settings: never, env: Environment, problems: string[]) => unknown;
}

/** The configuration object the sections make: each section's value under its name. */
export type ConfigOf<Sections extends Record<string, AnySection>> = {
    readonly [Name in keyof Sections]: ReturnType<Sections[Name]['build']>;
};

/** What {@link composeConfig} makes of the sections. */
interface ComposedConfig<Config> {
    /** The one schema: every key of every section. */
    readonly schema: z.ZodObject;
    /** Every key the app reads, families spelled `PREFIX<NAME>`. */
    readonly keys: readonly string[];
    /** The keys (or families) whose values are secrets. */
    readonly secretKeys: readonly string[];
    /** The value each key takes when unset, as an app setting would spell it; keys without a default are absent. */
    defaults(): Readonly<Record<string, string>>;
    /** Parses `env` into the frozen configuration. @throws {ConfigurationError} naming every bad key at once. */
    load(env: Environment): Config;
}

/**
 * Freezes `value` and everything it holds: objects, arrays, and the keys and values of maps (a map's
 * own entries stay settable at run time; its type, `ReadonlyMap`, forbids that at compile time).
 * Buffers and typed arrays cannot be frozen and are left as they are.
 */
function deepFreeze<T>(value: T): T {
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) {
        return value;
    }
    if (value instanceof Map) {
        for (const [key, item] of value as Map<unknown, unknown>) {
            deepFreeze(key);
            deepFreeze(item);
        }
    } else {
        for (const item of Object.values(value)) {
            deepFreeze(item);
        }
    }
    return Object.freeze(value);
}

/**
 * Composes sections into one schema and one loader. Every key is parsed on its own first, so one bad
 * value hides none of the others (a key that failed takes its default for the sections' `build`,
 * whose own problems are then reported too); the sections are built in the order given.
 */
export function composeConfig<Sections extends Record<string, AnySection>>(sections: Sections): ComposedConfig<ConfigOf<Sections>> {
    const entries = Object.entries(sections);
    const schema = z.object(Object.assign({}, ...entries.map(([, section]) => section.keys)) as SettingShape);
    const keys = entries.flatMap(([, section]) => [...Object.keys(section.keys), ...(section.families ?? [])]);
    const secretKeys = entries.flatMap(([, section]) => section.secrets ?? []);
    return {
        schema,
        keys: Object.freeze(keys),
        secretKeys: Object.freeze(secretKeys),
        defaults() {
            const defaults = schema.parse({});
            return Object.freeze(Object.fromEntries(Object.entries(defaults).flatMap(([key, value]) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? [[key, String(value)]] : []))));
        },
        load(env) {
            const problems: string[] = [];
            const parsed = entries.map(([name, section]) => [name, section, parseEachSetting(section.keys, env, problems)] as const);
            const config: Record<string, unknown> = {};
            for (const [name, section, settings] of parsed) {
                try {
                    config[name] = section.build(settings as never, env, problems);
                } catch (thrown) {
                    if (!(thrown instanceof ConfigurationError)) {
                        throw thrown;
                    }
                    problems.push(...thrown.problems);
                }
            }
            if (problems.length > 0) {
                throw new ConfigurationError(problems);
            }
            return deepFreeze(config as ConfigOf<Sections>);
        },
    };
}

/**
 * Parses each key of `keys` on its own: a failure is added to `problems` as a line that starts with
 * its key (zod's messages name no value), and the key takes its default instead.
 */
function parseEachSetting(keys: SettingShape, env: Environment, problems: string[]): Record<string, unknown> {
    const settings: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(keys)) {
        const parsed = schema.safeParse(env[key]);
        if (parsed.success) {
            settings[key] = parsed.data;
            continue;
        }
        for (const issue of parsed.error.issues) {
            problems.push(issue.message.startsWith(key) ? issue.message : `${key}: ${issue.message}`);
        }
        const fallback = schema.safeParse(undefined);
        settings[key] = fallback.success ? fallback.data : undefined;
    }
    return settings;
}

/** Default storage: the local emulator, as `func start` assumes. */
const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

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

/** `config.storage`: `AzureWebJobsStorage`, or the `AzureWebJobsStorage__*` settings of identity-based storage. */
export const storageSection = defineSection({
    keys: {
        AzureWebJobsStorage: z.string().trim().optional(),
        AzureWebJobsStorage__accountName: z.string().trim().optional(),
        AzureWebJobsStorage__queueServiceUri: z.url().optional(),
        AzureWebJobsStorage__tableServiceUri: z.url().optional(),
        AzureWebJobsStorage__clientId: z.string().trim().optional(),
    },
    build: (settings, _env, problems): StorageSetting => {
        const identity = {
            ...(settings.AzureWebJobsStorage__accountName ? { accountName: settings.AzureWebJobsStorage__accountName } : {}),
            ...(settings.AzureWebJobsStorage__queueServiceUri ? { queueServiceUri: settings.AzureWebJobsStorage__queueServiceUri } : {}),
            ...(settings.AzureWebJobsStorage__tableServiceUri ? { tableServiceUri: settings.AzureWebJobsStorage__tableServiceUri } : {}),
            ...(settings.AzureWebJobsStorage__clientId ? { clientId: settings.AzureWebJobsStorage__clientId } : {}),
        };
        const connectionString = settings.AzureWebJobsStorage;
        if (connectionString !== undefined && connectionString !== '') {
            if (connectionString !== DEVELOPMENT_STORAGE && !/AccountName=|QueueEndpoint=|TableEndpoint=/i.test(connectionString)) {
                problems.push('AzureWebJobsStorage must be a storage connection string or UseDevelopmentStorage=true');
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
    },
});

/** Default notification queue name (README, "Configuration"). */
export const DEFAULT_NOTIFICATIONS_QUEUE = 'notifications';

/** The queues the app reads. */
export interface QueueSettings {
    /** Where notification jobs are put (`NOTIFICATIONS_QUEUE`). */
    readonly notifications: string;
    /** Where the Functions host moves a notification message after its last failed attempt. */
    readonly poison: string;
}

/** `config.queues`: `NOTIFICATIONS_QUEUE` and the poison queue named after it. */
export const queuesSection = defineSection({
    keys: {
        NOTIFICATIONS_QUEUE: textSetting(
            DEFAULT_NOTIFICATIONS_QUEUE,
            isValidNotificationsQueue,
            `NOTIFICATIONS_QUEUE must be a valid queue name: ${MIN_QUEUE_NAME_CHARS}-${MAX_NOTIFICATIONS_QUEUE_CHARS} lower-case letters, digits and single hyphens, starting and ending with a letter or digit (the longest queue named after it, "<name>-wakeup-poison", must stay within 63)`,
        ),
    },
    build: (settings): QueueSettings => ({ notifications: settings.NOTIFICATIONS_QUEUE, poison: poisonQueueName(settings.NOTIFICATIONS_QUEUE) }),
});

/** Default schedule of the safety-net sweep: every minute (NCRONTAB, with seconds). */
const DEFAULT_SWEEP_SCHEDULE = '0 */1 * * * *';

/** The app setting that holds the sweep's schedule. */
const SWEEP_SCHEDULE_KEY = 'SWEEP_SCHEDULE';

/** `SWEEP_SCHEDULE` as written: trimmed, the default when unset or blank. */
const sweepScheduleText = textOrDefault(DEFAULT_SWEEP_SCHEDULE);

/** Fields of an NCRONTAB expression as the Functions host reads it: second minute hour day month day-of-week. */
const NCRONTAB_FIELDS = 6;

/** When the timers run. */
interface SweepSettings {
    /** NCRONTAB schedule of the sweep that wakes stranded webhooks (`SWEEP_SCHEDULE`). */
    readonly schedule: string;
}

/** `config.sweep`: `SWEEP_SCHEDULE`. */
export const sweepSection = defineSection({
    keys: {
        [SWEEP_SCHEDULE_KEY]: sweepScheduleText.refine((value) => value.split(/\s+/).length === NCRONTAB_FIELDS, {
            message: `${SWEEP_SCHEDULE_KEY} must be an NCRONTAB expression with 6 fields (second minute hour day month day-of-week)`,
        }),
    },
    build: (settings): SweepSettings => ({ schedule: settings[SWEEP_SCHEDULE_KEY] }),
});

/**
 * The schedule the sweep's timer is registered with, read from `env` when its function module loads,
 * as the Functions host reads a trigger's settings then: `SWEEP_SCHEDULE` trimmed, the default when
 * unset or blank. Not validated here: a value {@link sweepSection} refuses is passed on as written, so
 * the host refuses the timer and the start-up check names the key.
 *
 * @example
 * sweepSchedule({ SWEEP_SCHEDULE: ' 0 0 9 * * Mon-Fri ' }); // '0 0 9 * * Mon-Fri'
 */
export function sweepSchedule(env: Environment): string {
    return sweepScheduleText.parse(env[SWEEP_SCHEDULE_KEY]);
}
