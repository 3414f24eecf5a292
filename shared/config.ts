/**
 * The app's configuration: one zod schema, composed of each area's section, parsed once into one
 * nested, frozen object. Each area owns its section and takes it as it is: `config.storage`,
 * `config.queues` and `config.sweep` (`shared/platform/config.ts`), `config.mention`
 * (`shared/mention/settings.ts`), `config.targets`, `config.delivery` and `config.github` (`shared/notify/settings.ts`),
 * `config.cards` (`shared/cards/settings.ts`).
 * How to add a setting: `shared/platform/config.ts`, at the top.
 */
import { cardsSection } from './cards/settings.js';
import { mentionSection } from './mention/settings.js';
import { deliverySection, githubSection, targetsSection } from './notify/settings.js';
import { composeConfig, type ConfigOf, type Environment, queuesSection, storageSection, sweepSection } from './platform/config.js';

/** The sections, in the order their problems are reported. */
const SECTIONS = {
    storage: storageSection,
    queues: queuesSection,
    mention: mentionSection,
    targets: targetsSection,
    delivery: deliverySection,
    github: githubSection,
    sweep: sweepSection,
    cards: cardsSection,
};

const APP = composeConfig(SECTIONS);

/** The app's configuration, validated and deeply frozen. */
export type AppConfig = ConfigOf<typeof SECTIONS>;

/** Every configuration key the app reads, for documentation and consistency checks. */
export const CONFIGURATION_KEYS: readonly string[] = APP.keys;

/**
 * The configuration keys whose values are secrets (tokens, webhook URLs): never logged, and in Azure
 * only ever Key Vault references, never plain app settings.
 */
export const SECRET_CONFIGURATION_KEYS: readonly string[] = APP.secretKeys;

/**
 * The value each key takes when it is unset, as an app setting would spell it; keys without a
 * default (storage, secrets, `ALLOWED_WEBHOOK_HOSTS`, whose empty value means the built-in hosts) are absent.
 *
 * @example
 * configurationDefaults().NOTIFICATIONS_QUEUE; // 'notifications'
 */
export function configurationDefaults(): Readonly<Record<string, string>> {
    return APP.defaults();
}

/**
 * Parses and validates the configuration from an environment. Pure: reads nothing but `env`.
 * Every problem is reported at once, each naming its key, never a secret's value.
 *
 * @throws {ConfigurationError} when any setting is invalid.
 * @example
 * const config = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: 'contoso:vqF0...zaA=' });
 * config.delivery.timeoutMs; // 10000
 */
export function loadConfig(env: Environment): AppConfig {
    return APP.load(env);
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
