// The test watchdog (watchdog.setup.ts): a test file that blocks its event loop fails, naming where it is stuck, and the run ends.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE_CONFIG = join(ROOT, 'test', 'fixtures', 'watchdog', 'vitest.config.mts');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
/** The stall the fixtures' watchdog waits for: short, so the test is quick. */
const FIXTURE_LIMIT_MS = 2_000;
/** Far more than the fixture run needs (about 10 s); past it the child is killed and the test fails. */
const RUN_LIMIT_MS = 60_000;

interface Run {
    readonly code: number | null;
    readonly output: string;
}

/** Runs Vitest on the fixtures in a child process, with the watchdog's limit lowered, killing it if it outlives {@link RUN_LIMIT_MS}. */
function runFixtures(): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [VITEST, 'run', '--config', FIXTURE_CONFIG], {
            cwd: ROOT,
            env: { ...process.env, TEST_WATCHDOG_MS: String(FIXTURE_LIMIT_MS), NO_COLOR: '1' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
        child.once('error', reject);
        child.once('close', (code) => {
            clearTimeout(timer);
            resolve({ code, output });
        });
    });
}

/** A process's state letter from /proc (`Z` for a killed child not yet reaped), or `gone`. */
function processState(pid: number): string {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
        return 'gone';
    }
}

describe('the test watchdog', () => {
    it('fails a file whose event loop is blocked or starved, naming the function or the child process it is stuck in, and lets the run end', async () => {
        const run = await runFixtures();
        expect(run.code, run.output).toBe(1);
        const reports = run.output.split('watchdog: the event loop of test process ').slice(1);
        expect(reports, run.output).toHaveLength(3);
        const inJavaScript = reports.filter((report) => report.includes('stuck in JavaScript')).join('\n');
        expect(inJavaScript, run.output).toMatch(/^\s+spinForEver file:\/\/\S+blocked\.fixture\.ts:\d+:\d+$/m);
        // A chain of promises that never ends starves the timers as surely as a loop.
        expect(inJavaScript, run.output).toMatch(/^\s+chainForEver file:\/\/\S+starved\.fixture\.ts:\d+:\d+$/m);
        const inChild = reports.find((report) => report.includes('not running JavaScript'));
        expect(inChild, run.output).toMatch(/^\s+pid (\d+): sleep 600$/m);
        const sleeper = Number(/^\s+pid (\d+): sleep 600$/m.exec(inChild ?? '')?.[1]);
        expect(processState(sleeper), 'the child process was killed').toMatch(/^(gone|Z)$/);
        // A file whose loop turns is left alone, even with its clock faked.
        expect(run.output).toMatch(/✓ fake-clock\.fixture\.ts \(1 test\)/);
    }, RUN_LIMIT_MS + 10_000);
});
