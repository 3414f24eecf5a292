/** The app's folder: where host.json, package.json and the deployed package's other top-level files are. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The file at the root of every Functions app folder (and of this repository). */
const APP_FOLDER_MARKER = 'host.json';

/**
 * The nearest folder at or above `start` that holds `host.json`: the app's folder, whether the code
 * runs from the sources (`functions/`, `tools/scripts/`) or built (`dist/functions/`, in the package).
 *
 * @throws {Error} when no folder above `start` holds one.
 * @example
 * findAppRoot(import.meta.dirname); // '/home/site/wwwroot' in Azure
 */
export function findAppRoot(start: string): string {
    let folder = start;
    while (!existsSync(join(folder, APP_FOLDER_MARKER))) {
        const parent = dirname(folder);
        if (parent === folder) {
            throw new Error(`no ${APP_FOLDER_MARKER} above ${start}`);
        }
        folder = parent;
    }
    return folder;
}
