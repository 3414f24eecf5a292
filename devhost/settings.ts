// App settings for the local host: local.settings.json Values, the environment, and %SETTING% expressions.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** The port `func start` listens on by default (Azure Functions Core Tools). */
export const DEFAULT_PORT = 7071;

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

const localSettingsSchema = z.looseObject({
    IsEncrypted: z.boolean().optional(),
    Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/**
 * Reads the `Values` of `local.settings.json` in a project folder; a missing file gives no values.
 * @throws {Error} when the file is not JSON, is encrypted, or a value is not a scalar.
 */
export async function readLocalSettings(cwd: string): Promise<Record<string, string>> {
    const path = join(cwd, 'local.settings.json');
    let text: string;
    try {
        text = await readFile(path, 'utf8');
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw error;
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (error) {
        throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = localSettingsSchema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${path}: invalid value at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? ''}`);
    }
    if (parsed.data.IsEncrypted === true) {
        throw new Error(`${path} is encrypted; decrypt it with "func settings decrypt" or write plain values`);
    }
    return Object.fromEntries(Object.entries(parsed.data.Values ?? {}).map(([key, value]) => [key, String(value)]));
}

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
