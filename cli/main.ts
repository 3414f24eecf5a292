/** The `teams-relay` CLI: finds the verb's file in `commands/`, runs it, and turns what it throws into an exit code. */
import { readdir } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppConfig } from '../shared/config/index.js';
import { ConfigurationError, ensureErrorType, isClientError } from '../shared/errors/index.js';
import { EXIT, PROGRAM, type CliCommand, type CliContext, type CliIo } from './command.js';
import { loadCliConfig } from './settings.js';

export { EXIT, PROGRAM, type CliIo } from './command.js';

/** The folder of verbs: one module per verb, named after it. */
const COMMANDS_FOLDER = new URL('./commands/', import.meta.url);
/** `.js` when built, `.ts` when the sources run directly (tests). */
const MODULE_EXTENSION = extname(fileURLToPath(import.meta.url));
/** What a verb may be called: also keeps the dynamic import inside `commands/`. */
const VERB_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const HELP_FLAGS: ReadonlySet<string> = new Set(['--help', '-h']);
/** Ends the flags; anything after it is a value, not `--help`. */
const END_OF_FLAGS = '--';

/** The verbs present in `commands/`, sorted. */
async function listVerbs(): Promise<string[]> {
    const files = await readdir(COMMANDS_FOLDER);
    return files
        .filter((file) => extname(file) === MODULE_EXTENSION && !file.endsWith('.d.ts'))
        .map((file) => file.slice(0, -MODULE_EXTENSION.length))
        .filter((verb) => VERB_NAME.test(verb))
        .sort();
}

function isCliCommand(value: unknown): value is CliCommand {
    if (typeof value !== 'object' || value === null) {
        return false;
    }
    const candidate = value as Partial<Record<keyof CliCommand, unknown>>;
    return (
        typeof candidate.name === 'string' &&
        typeof candidate.summary === 'string' &&
        typeof candidate.usage === 'string' &&
        typeof candidate.run === 'function'
    );
}

/**
 * Loads the verb's module.
 *
 * @throws {TypeError} when the file does not default-export a command named after it.
 */
async function loadCommand(verb: string): Promise<CliCommand> {
    const module = (await import(new URL(`${verb}${MODULE_EXTENSION}`, COMMANDS_FOLDER).href)) as { default?: unknown };
    if (!isCliCommand(module.default) || module.default.name !== verb) {
        throw new TypeError(`commands/${verb}${MODULE_EXTENSION} must default-export a command named "${verb}" (see defineCliCommand)`);
    }
    return module.default;
}

async function overview(): Promise<string> {
    const commands = await Promise.all((await listVerbs()).map(loadCommand));
    const width = Math.max(...commands.map((command) => command.name.length));
    return [
        `Usage: ${PROGRAM} <command> [flags]`,
        '',
        'Commands:',
        ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
        '',
        `Run "${PROGRAM} <command> --help" for a command's flags. Settings come from the environment and`,
        'local.settings.json "Values" in the current directory (the environment wins).',
        '',
        'Exit codes: 0 success, 1 failure (an error answer, storage unreachable), 2 usage or invalid input.',
    ].join('\n');
}

function wantsHelp(args: readonly string[]): boolean {
    const end = args.indexOf(END_OF_FLAGS);
    return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

/** One place where errors become messages and exit codes: the user's mistakes exit 2, everything else 1. */
function reportError(thrown: unknown, verb: string, io: CliIo): number {
    const error = ensureErrorType(thrown);
    const where = verb === '' ? PROGRAM : `${PROGRAM} ${verb}`;
    if (isClientError(error) || error instanceof ConfigurationError) {
        io.stderr(`${where}: ${error.message}`);
        if (error.code === 'usage') {
            io.stderr(`Run "${where} --help" for usage.`);
        }
        return EXIT.usage;
    }
    io.stderr(`${where}: ${error.message}`);
    return EXIT.failure;
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code.
 * Never throws: every failure is reported on `io.stderr`.
 *
 * @example
 * const lines: string[] = [];
 * const code = await main(['send', '--to', 'ops', '--text', 'hi'], { stdout: (l) => lines.push(l), stderr: console.error, env: process.env, cwd: process.cwd() });
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
    const [verb, ...args] = argv;
    try {
        if (verb === undefined) {
            io.stderr(await overview());
            return EXIT.usage;
        }
        if (HELP_FLAGS.has(verb) || verb === 'help') {
            const [topic] = args;
            if (verb !== 'help' || topic === undefined) {
                io.stdout(await overview());
                return EXIT.ok;
            }
            return await main([topic, '--help'], io);
        }
        const verbs = await listVerbs();
        if (!verbs.includes(verb)) {
            const what = verb.startsWith('-') ? `unknown option "${verb}"` : `unknown command "${verb}"`;
            io.stderr(`${PROGRAM}: ${what}. Commands: ${verbs.join(', ')}. Run "${PROGRAM} --help" for usage.`);
            return EXIT.usage;
        }
        const command = await loadCommand(verb);
        if (wantsHelp(args)) {
            io.stdout(command.usage);
            return EXIT.ok;
        }
        let config: Promise<AppConfig> | undefined;
        const context: CliContext = {
            io,
            config: () => (config ??= loadCliConfig(io.env, io.cwd)),
        };
        return await command.run(args, context);
    } catch (thrown) {
        return reportError(thrown, verb ?? '', io);
    }
}

/**
 * Runs the CLI in this process: `process.argv`, the real streams, environment and directory.
 * Sets `process.exitCode` rather than exiting, so output is flushed.
 */
export async function runCli(): Promise<void> {
    process.exitCode = await main(process.argv.slice(2), {
        stdout: (text) => process.stdout.write(`${text}\n`),
        stderr: (text) => process.stderr.write(`${text}\n`),
        env: process.env,
        cwd: process.cwd(),
    });
}

/** True when Node runs this file itself (`node dist/cli/main.js`), not when it is imported. */
function isEntryPoint(): boolean {
    const script = process.argv[1];
    if (script === undefined) {
        return false;
    }
    try {
        return pathToFileURL(realpathSync(script)).href === import.meta.url;
    } catch {
        return false;
    }
}

if (isEntryPoint()) {
    await runCli();
}
