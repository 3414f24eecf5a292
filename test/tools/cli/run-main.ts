/** Runs the CLI in process with captured output, a chosen environment and a scratch working directory, and checks its refusals. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { EXIT, main, type CliIo } from '../../../tools/cli/main.js';

/** What one CLI run printed and returned. */
export interface CliRun {
    readonly code: number;
    /** Standard output, lines joined with `\n`. */
    readonly stdout: string;
    /** Standard error, lines joined with `\n`. */
    readonly stderr: string;
}

/** Options for {@link runMain}; `cwd` defaults to an empty scratch folder. */
export type RunOptions = Partial<Omit<CliIo, 'stdout' | 'stderr'>>;

/** Runs `teams-relay <argv>` in process. The environment is only what `options.env` holds. */
export async function runMain(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(argv, {
        env: {},
        cwd: tmpdir(),
        ...options,
        stdout: (text) => stdout.push(text),
        stderr: (text) => stderr.push(text),
    });
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** Expects a run refused as a usage or input error: exit 2, with `message` in its standard error. */
export function expectRefused(result: CliRun, message: string): void {
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(message);
}

/** A scratch folder, optionally holding a `local.settings.json` with these `Values`. */
export interface ScratchFolder {
    readonly path: string;
    remove(): Promise<void>;
}

/** Creates a scratch folder for one test. Remove it in `afterEach`/`afterAll`. */
export async function scratchFolder(localValues?: Readonly<Record<string, string>>): Promise<ScratchFolder> {
    const path = await mkdtemp(join(tmpdir(), 'teams-relay-cli-'));
    if (localValues !== undefined) {
        await writeFile(join(path, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: localValues }));
    }
    return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
