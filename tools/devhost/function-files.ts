// Finds the function entry points named by package.json "main", a path or a simple glob.
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * Converts one glob path segment (`*`, `?`, literals) into a regular expression.
 * @example segmentPattern('*.js').test('mention.js') // true
 */
function segmentPattern(segment: string): RegExp {
    const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    return new RegExp(`^${body}$`);
}

async function isDirectory(path: string): Promise<boolean> {
    try {
        return (await stat(path)).isDirectory();
    } catch {
        return false;
    }
}

async function expand(base: string, segments: readonly string[]): Promise<string[]> {
    const [segment, ...rest] = segments;
    if (segment === undefined) return [base];
    if (segment === '**') {
        const here = await expand(base, rest);
        const entries = (await isDirectory(base)) ? await readdir(base, { withFileTypes: true }) : [];
        const deeper = await Promise.all(
            entries.filter((entry) => entry.isDirectory()).map((entry) => expand(join(base, entry.name), segments)),
        );
        return [...here, ...deeper.flat()];
    }
    if (!/[*?]/.test(segment)) {
        const next = join(base, segment);
        return rest.length === 0 || (await isDirectory(next)) ? expand(next, rest) : [];
    }
    if (!(await isDirectory(base))) return [];
    const pattern = segmentPattern(segment);
    const entries = await readdir(base, { withFileTypes: true });
    const matches = entries.filter(
        (entry) => pattern.test(entry.name) && (rest.length > 0 ? entry.isDirectory() : entry.isFile()),
    );
    const nested = await Promise.all(matches.map((entry) => expand(join(base, entry.name), rest)));
    return nested.flat();
}

/**
 * Resolves a path or glob (`dist/functions/*.js`, `**` allowed) against a folder into existing files,
 * sorted for a stable load order.
 */
export async function resolveFunctionFiles(pattern: string, cwd: string): Promise<string[]> {
    const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
    const root = absolute.startsWith('/') ? '/' : '';
    const segments = absolute.split(/[\\/]/).filter((segment) => segment !== '');
    const found = await expand(root === '' ? (segments.shift() ?? '') + '/' : root, segments);
    const files = await Promise.all(found.map(async (file) => ((await stat(file)).isFile() ? file : undefined)));
    return [...new Set(files.filter((file): file is string => file !== undefined))].sort();
}

/**
 * Reads the `main` entry of the project's package.json, which names the function entry points.
 * @throws {Error} when package.json is missing or has no string `main`.
 */
export async function readMainPattern(cwd: string): Promise<string> {
    const path = join(cwd, 'package.json');
    let json: unknown;
    try {
        json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
        throw new Error(`Cannot read the function entry points from ${path}: ${(error as Error).message}`, { cause: error });
    }
    const main = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['main'] : undefined;
    if (typeof main !== 'string' || main === '') {
        throw new Error(`${path} has no "main" naming the function files (e.g. "dist/functions/*.js")`);
    }
    return main;
}
