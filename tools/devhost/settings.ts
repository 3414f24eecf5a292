// App settings for the local host: local.settings.json Values, the environment, %SETTING% expressions, PORT, HOST and the body limit.
import { isIP } from 'node:net';
export { readLocalSettings } from '../../shared/platform/index.js';

/** The port `func start` listens on by default (Azure Functions Core Tools). */
const DEFAULT_PORT = 7071;

/**
 * The address the local host listens on unless `HOST` says otherwise: loopback only, because function
 * keys are not enforced locally (as with `func start`), so anyone who can reach the port could call
 * `/api/notifications`.
 */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The Functions host's own limit on a request body when `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` is unset:
 * 104857600 bytes (docs/teams-facts.md#request-body-size).
 */
export const DEFAULT_REQUEST_BODY_SIZE_LIMIT = 100 * 1024 * 1024;

/** The setting that limits request bodies, in Azure and here alike. */
export const REQUEST_BODY_SIZE_SETTING = 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT';

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

/**
 * The address to listen on from `HOST`, default {@link DEFAULT_HOST}, and whether it is loopback only.
 * A host name other than `localhost` is taken as given (and is not loopback).
 * @throws {Error} when `HOST` holds spaces, a scheme, a port or a path.
 * @example hostFromEnvironment({ HOST: '0.0.0.0' }) // { host: '0.0.0.0', loopback: false }
 */
export function hostFromEnvironment(env: Environment): { readonly host: string; readonly loopback: boolean } {
    const text = (env['HOST'] ?? '').trim();
    if (text === '') return { host: DEFAULT_HOST, loopback: true };
    const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host) || (isIP(host) === 0 && host.includes(':'))) {
        throw new Error(`HOST must be an IP address or a host name to listen on (such as 127.0.0.1 or 0.0.0.0), got "${text.slice(0, 60)}"`);
    }
    return { host, loopback: isLoopback(host) };
}

/** True for `localhost`, 127.0.0.0/8 and `::1` (also written as an IPv4-mapped address). */
export function isLoopback(host: string): boolean {
    const lower = host.toLowerCase();
    if (lower === 'localhost' || lower === '::1') return true;
    const v4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
    return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The largest request body the host accepts, from `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` (bytes), as the
 * Functions host reads it; default {@link DEFAULT_REQUEST_BODY_SIZE_LIMIT}.
 * @throws {Error} naming the setting when it is not a positive whole number.
 */
export function requestBodyLimitFromEnvironment(env: Environment): number {
    const text = (env[REQUEST_BODY_SIZE_SETTING] ?? '').trim();
    if (text === '') return DEFAULT_REQUEST_BODY_SIZE_LIMIT;
    const limit = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(limit) || limit < 1) {
        throw new Error(`${REQUEST_BODY_SIZE_SETTING} must be a whole number of bytes, at least 1, got "${text.slice(0, 60)}"`);
    }
    return limit;
}
