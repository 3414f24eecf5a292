#!/usr/bin/env node
// The `teams-relay` command: builds dist/ when it is missing or older than the sources, then runs dist/tools/cli/main.js.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package root, one level above bin/. */
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** The compiled CLI. */
const CLI_MAIN = join(ROOT, 'dist', 'tools', 'cli', 'main.js');
/** The folders and files the CLI is compiled from; a change in any of them makes dist/ stale. */
const SOURCES = ['tools', 'shared', 'tsconfig.json', 'tsconfig.build.json'];
/** Source files that feed the build. */
const SOURCE_FILE = /\.(ts|mts|cts|json)$/;
/** Exit code when the CLI cannot start at all (build failed and nothing to run). */
const EXIT_FAILURE = 1;

/** Newest modification time (ms) of the source files under `path`, or 0 when there are none (an installed package). */
function newestSourceTime(path) {
    let stats;
    try {
        stats = statSync(path);
    } catch {
        return 0;
    }
    if (stats.isFile()) {
        return SOURCE_FILE.test(path) ? stats.mtimeMs : 0;
    }
    let newest = 0;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
            newest = Math.max(newest, newestSourceTime(join(path, entry.name)));
        }
    }
    return newest;
}

/** Why dist/ must be rebuilt, or undefined when it is up to date. */
function staleReason() {
    if (!existsSync(CLI_MAIN)) {
        return 'dist/ is missing';
    }
    const builtAt = statSync(CLI_MAIN).mtimeMs;
    const changedAt = Math.max(...SOURCES.map((source) => newestSourceTime(join(ROOT, source))));
    return changedAt > builtAt ? 'the sources changed' : undefined;
}

const reason = staleReason();
if (reason !== undefined) {
    process.stderr.write(`teams-relay: building dist/ first (${reason})...\n`);
    const build = spawnSync('npm', ['run', '--silent', 'build'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: process.platform === 'win32',
    });
    if (!existsSync(CLI_MAIN)) {
        process.stderr.write(`teams-relay: the build did not produce ${CLI_MAIN}:\n${build.stdout ?? ''}${build.stderr ?? ''}${build.error?.message ?? ''}\n`);
        process.exit(EXIT_FAILURE);
    }
    if (build.status !== 0) {
        // tsc emits despite type errors elsewhere in the project; run what it produced.
        process.stderr.write('teams-relay: the build reported errors (run "npm run build" to see them); running what it emitted\n');
    }
}

const { runCli } = await import(pathToFileURL(CLI_MAIN).href);
await runCli();
