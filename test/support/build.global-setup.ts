// Vitest global setup: builds dist/ once so end-to-end tests can run `node dist/tools/devhost/main.js`.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** The compiled entry point of `npm start`. */
const DEVHOST_MAIN = join(import.meta.dirname, '..', '..', 'dist', 'tools', 'devhost', 'main.js');

/**
 * Runs `npm run build` once per test run. Type errors elsewhere in the project do not stop the run here
 * (tsc still emits, and `npm run typecheck` reports them); a build that leaves no fresh
 * dist/tools/devhost/main.js does.
 */
export default function buildOnce(): void {
    const started = Date.now();
    const result = spawnSync('npm', ['run', 'build'], {
        cwd: join(import.meta.dirname, '..', '..'),
        encoding: 'utf8',
        shell: process.platform === 'win32',
    });
    let builtAt: number;
    try {
        builtAt = statSync(DEVHOST_MAIN).mtimeMs;
    } catch {
        builtAt = 0;
    }
    if (builtAt + 1000 < started) {
        throw new Error(`npm run build did not produce ${DEVHOST_MAIN}:\n${result.stdout}\n${result.stderr}`);
    }
    if (result.status !== 0) {
        console.warn(`npm run build reported errors (tests continue with what it emitted):\n${result.stdout}`);
    }
}
