/** The `teams-relay` CLI: finds the verb in `VERBS`, runs it, and turns what it throws into an exit code. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AppConfig } from '../../shared/config.js';
import { ConfigurationError, ensureErrorType, isClientError } from '../../shared/platform/index.js';
import { EXIT, PROGRAM, type CliCommand, type CliContext, type CliIo } from './command.js';
import { loadCliConfig } from './settings.js';
import { VERBS, type Verb } from './verbs.js';

export { EXIT, PROGRAM, type CliIo } from './command.js';

const HELP_FLAGS: ReadonlySet<string> = new Set(['--help', '-h']);
/** Ends the flags; anything after it is a value, not `--help`. */
const END_OF_FLAGS = '--';

/** The verbs, sorted by name. */
function sortedVerbs(): Verb[] {
    return [...VERBS].sort((a, b) => (a.name < b.name ? -1 : Number(a.name > b.name)));
}

/**
 * Loads the verb's module.
 *
 * @throws {TypeError} when its command is not named after the verb.
 */
async function loadCommand(verb: Verb): Promise<CliCommand> {
    const command = (await verb.load()).default;
    if (command.name !== verb.name) {
        throw new TypeError(`the command of the verb "${verb.name}" is named "${command.name}" (see defineCliCommand)`);
    }
    return command;
}

async function overview(): Promise<string> {
    const commands = await Promise.all(sortedVerbs().map(loadCommand));
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
        const known = VERBS.find((candidate) => candidate.name === verb);
        if (known === undefined) {
            const what = verb.startsWith('-') ? `unknown option "${verb}"` : `unknown command "${verb}"`;
            io.stderr(`${PROGRAM}: ${what}. Commands: ${sortedVerbs().map((candidate) => candidate.name).join(', ')}. Run "${PROGRAM} --help" for usage.`);
            return EXIT.usage;
        }
        const command = await loadCommand(known);
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

/** True when Node runs this file itself (`node dist/tools/cli/main.js`), not when it is imported. */
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
