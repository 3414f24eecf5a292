// App settings for the local host: local.settings.json Values, the environment, and %SETTING% expressions.
export { readLocalSettings } from '../shared/config/local-settings.js';

/** The port `func start` listens on by default (Azure Functions Core Tools). */
export const DEFAULT_PORT = 7071;

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Decides which variables to set: explicit overrides win, then variables already in the environment,
 * then `local.settings.json` (which, like `func start`, never overrides the environment).
 * @returns only the variables whose value must change.
 * @example planEnvironment({ current: { A: '1' }, localValues: { A: '2', B: '3' }, overrides: {} }) // { B: '3' }
 */
export function planEnvironment(input: {
    readonly current: Environment;
    readonly localValues: Readonly<Record<string, string>>;
    readonly overrides: Readonly<Record<string, string>>;
}): Record<string, string> {
    const changes = new Map<string, string>();
    for (const [key, value] of Object.entries(input.localValues)) {
        if (input.current[key] === undefined) changes.set(key, value);
    }
    for (const [key, value] of Object.entries(input.overrides)) {
        if (input.current[key] !== value) changes.set(key, value);
        else changes.delete(key);
    }
    return Object.fromEntries(changes);
}

/**
 * Sets variables in `process.env` and returns a function that restores their previous values.
 */
export function applyEnvironment(changes: Readonly<Record<string, string>>): () => void {
    const previous = new Map<string, string | undefined>();
    for (const [key, value] of Object.entries(changes)) {
        previous.set(key, process.env[key]);
        process.env[key] = value;
    }
    return function restoreEnvironment(): void {
        for (const [key, value] of previous) {
            if (value === undefined) Reflect.deleteProperty(process.env, key);
            else process.env[key] = value;
        }
    };
}

/**
 * Replaces `%NAME%` with the app setting `NAME`, as the host does in binding expressions such as `queueName`.
 * @throws {Error} naming the setting that is not defined.
 * @example resolveSettingExpressions('%NOTIFICATIONS_QUEUE%', { NOTIFICATIONS_QUEUE: 'jobs' }) // 'jobs'
 */
export function resolveSettingExpressions(text: string, env: Environment): string {
    return text.replace(/%([^%]+)%/g, (_whole, name: string) => {
        const value = env[name];
        if (value === undefined) throw new Error(`App setting "${name}" (used as %${name}%) is not defined`);
        return value;
    });
}

/**
 * The port to listen on from `PORT`, default 7071.
 * @throws {Error} when `PORT` is not a port number.
 */
export function portFromEnvironment(env: Environment): number {
    const text = env['PORT'];
    if (text === undefined || text === '') return DEFAULT_PORT;
    const port = Number(text);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new Error(`PORT must be a port number between 0 and 65535, got "${text}"`);
    }
    return port;
}
