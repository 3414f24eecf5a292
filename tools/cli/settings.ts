/** CLI settings: `local.settings.json` Values in the working directory under the environment, parsed like the app's. */
import { installCustomTemplates } from '../../shared/cards/index.js';
import { type AppConfig, loadConfig } from '../../shared/config.js';
import { readLocalSettings } from '../../shared/platform/index.js';
import type { CliContext, Environment } from './command.js';

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

/**
 * Puts the custom card templates of `CARD_TEMPLATES_DIR` (else `templates/` in the working
 * directory, the app's folder) into the catalog, as the app does at start, so the verbs that name
 * templates know them.
 *
 * @throws {ConfigurationError} naming every bad template file, as the app's start would.
 */
export async function useCliCardTemplates(context: CliContext): Promise<void> {
    const config = await context.config();
    await installCustomTemplates({ setting: config.cards.templatesDir, appRoot: context.io.cwd });
}
