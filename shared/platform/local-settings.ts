/** `local.settings.json`: the `Values` that `func start`, `npm start` and the CLI read as app settings. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from './errors.js';

/** The file `func start` reads app settings from (Azure Functions Core Tools). */
const LOCAL_SETTINGS_FILE = 'local.settings.json';

const localSettingsSchema = z.looseObject({
    IsEncrypted: z.boolean().optional(),
    Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/**
 * Reads the `Values` of `local.settings.json` in `cwd`; a missing file gives none. Scalars become strings.
 *
 * @throws {ConfigurationError} naming the file when it is not JSON, is encrypted or holds a value that is not a scalar.
 * @example
 * const values = await readLocalSettings(process.cwd()); // { AzureWebJobsStorage: 'UseDevelopmentStorage=true', ... }
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
        throw new ConfigurationError([`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
    }
    const parsed = localSettingsSchema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigurationError([`${path}: invalid value at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'is invalid'}`]);
    }
    if (parsed.data.IsEncrypted === true) {
        throw new ConfigurationError([`${path} is encrypted; decrypt it with "func settings decrypt" or write plain values`]);
    }
    return Object.fromEntries(Object.entries(parsed.data.Values ?? {}).map(([key, value]) => [key, String(value)]));
}
