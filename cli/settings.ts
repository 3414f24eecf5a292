/** CLI settings: `local.settings.json` Values in the working directory under the environment, parsed like the app's. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig, type AppConfig } from '../shared/config/index.js';
import { ClientError } from '../shared/errors/index.js';
import type { Environment } from './command.js';

/** The file `func start` reads app settings from (Azure Functions Core Tools). */
export const LOCAL_SETTINGS_FILE = 'local.settings.json';

const localSettingsSchema = z.looseObject({
    IsEncrypted: z.boolean().optional(),
    Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/**
 * Reads the `Values` of `local.settings.json` in `cwd`; a missing file gives none.
 *
 * @throws {ClientError} `bad_local_settings` naming the file when it is not JSON, is encrypted or holds a non-scalar value.
 */
export async function readLocalSettings(cwd: string): Promise<Record<string, string>> {
    const path = join(cwd, LOCAL_SETTINGS_FILE);
    let text: string;
    try {
        text = await readFile(path, 'utf8');
    } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
            return {};
        }
        throw error;
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (error) {
        throw new ClientError('bad_local_settings', `${path} is not valid JSON`, 400, { cause: error });
    }
    const parsed = localSettingsSchema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ClientError('bad_local_settings', `${path}: "${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}`);
    }
    if (parsed.data.IsEncrypted === true) {
        throw new ClientError('bad_local_settings', `${path} is encrypted; decrypt it with "func settings decrypt"`);
    }
    return Object.fromEntries(Object.entries(parsed.data.Values ?? {}).map(([key, value]) => [key, String(value)]));
}

/**
 * The app configuration as the CLI sees it: `local.settings.json` Values in `cwd`, overridden by
 * the environment (as `func start` does), parsed with {@link loadConfig}.
 *
 * @throws {ConfigurationError} naming every bad key.
 * @example
 * const config = await loadCliConfig(process.env, process.cwd());
 */
export async function loadCliConfig(env: Environment, cwd: string): Promise<AppConfig> {
    const local = await readLocalSettings(cwd);
    const merged: Record<string, string | undefined> = { ...local };
    for (const [key, value] of Object.entries(env)) {
        if (value !== undefined) {
            merged[key] = value;
        }
    }
    return loadConfig(merged);
}
