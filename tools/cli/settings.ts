/** CLI settings: `local.settings.json` Values in the working directory under the environment, parsed like the app's. */
import { type AppConfig, loadConfig } from '../../shared/config.js';
import { readLocalSettings } from '../../shared/platform/index.js';
import type { Environment } from './command.js';

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
