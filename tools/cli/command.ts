/** The CLI verb contract: what a verb receives, how it parses its flags, and how it reads files it is given. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { TableClient } from '@azure/data-tables';
import type { AppConfig } from '../../shared/config.js';
import type { StorageSetting } from '../../shared/platform/config.js';
import { ClientError } from '../../shared/platform/index.js';
import type { OutboxStore } from '../../shared/notify/index.js';
import { createTableOutboxStore, type QueueOpener } from '../../shared/notify/azure.js';
import { createQueueClient, createTableClient, DEAD_LETTER_TABLE_NAME, OUTBOX_TABLE_NAME } from '../../shared/platform/azure.js';
import { printable } from './display.js';

/** The program name, as users type it. */
export const PROGRAM = 'teams-relay';

/** Exit codes: success, a failure at run time (an answer, storage), a usage or input error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Opens a client for a table in the configured storage account. */
type TableOpener = (storage: StorageSetting, tableName: string) => TableClient;

/**
 * Asks the person at the terminal a question and resolves to the line they typed, or to
 * `undefined` when there is nobody to ask (no terminal).
 */
type TerminalPrompt = (question: string) => Promise<string | undefined>;

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Everything the CLI touches outside itself, injected so tests run it in process. */
export interface CliIo {
    /** Receives standard output, in whole lines. */
    readonly stdout: (text: string) => void;
    /** Receives standard error, in whole lines. */
    readonly stderr: (text: string) => void;
    /** The environment; wins over `local.settings.json`. */
    readonly env: Environment;
    /** The working directory: where `local.settings.json` and relative file flags are read. */
    readonly cwd: string;
    /** HTTP client for `sign --send`. @default globalThis.fetch */
    readonly fetch?: typeof fetch;
    /** Opens queue clients (`send`, `deadletters`, `outbox skip`). @default a client from the configured storage */
    readonly openQueue?: QueueOpener;
    /** Opens table clients (`deadletters`, `budget`, `outbox`). @default a client from the configured storage */
    readonly openTable?: TableOpener;
    /** Asks for a confirmation (`deadletters purge`). @default {@link askOnTerminal} */
    readonly prompt?: TerminalPrompt;
    /** The clock, in epoch ms (`budget`, `outbox`). @default Date.now */
    readonly now?: () => number;
    /** Waits `ms` (`outbox skip`, while a sender holds a webhook). @default a timer */
    readonly sleep?: (ms: number) => Promise<void>;
}

/** What a verb receives besides its arguments. */
export interface CliContext {
    readonly io: CliIo;
    /** The app configuration from the environment and `local.settings.json`, parsed on first use. */
    readonly config: () => Promise<AppConfig>;
}

/** The flags a verb declares, in `node:util` `parseArgs`' shape. */
type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A verb's arguments, parsed: its flags' values and, for a verb that takes them, its operands in the order given. */
type ParsedVerbArgs<T extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>>;

/** The flag values a verb declaring `options` receives. */
export type VerbValues<T extends OptionsConfig> = ParsedVerbArgs<T>['values'];

/**
 * One verb of the CLI. Each lives in its own file in `tools/cli/commands/`, named after the verb,
 * default-exports one of these (made by {@link defineCliCommand}), and has its line in `VERBS` (`tools/cli/verbs.ts`).
 */
export interface CliCommand {
    /** The verb, lower-case; equal to the file name and to its name in `VERBS`. */
    readonly name: string;
    /** One line for the CLI's `--help`. */
    readonly summary: string;
    /** The verb's full `--help` text. */
    readonly usage: string;
    /**
     * Runs the verb and resolves to its exit code. Throws a {@link ClientError} for what the
     * user got wrong (exit 2, its message shown as is); anything else thrown exits 1.
     */
    readonly run: (args: readonly string[], context: CliContext) => Promise<number>;
}

/** What a verb declares besides how it runs. */
interface CliCommandSpec<T extends OptionsConfig> extends Omit<CliCommand, 'run'> {
    /** Its flags, parsed strictly: an unknown flag, or a flag missing its value, is a usage error naming it. */
    readonly options: T;
    /** `true` when it takes operands after its flags (`deadletters replay <id>...`); otherwise any is a usage error. */
    readonly operands?: true;
}

/** Turns `parseArgs`' own errors into a usage error naming the flag; anything else is rethrown. */
function usageError(error: unknown): unknown {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
        return new ClientError('usage', error.message.split('\n')[0] ?? error.message, 400, { cause: error });
    }
    return error;
}

/**
 * Declares a verb: `run` gets the arguments parsed against `spec.options` (and `spec.operands`), so
 * every verb refuses unknown flags and stray operands with the same usage errors.
 *
 * @example
 * export default defineCliCommand({ name: 'ping', summary: 'Prints pong', usage: USAGE, options: {} }, ({ values }, { io }) => ...);
 */
export function defineCliCommand<const T extends OptionsConfig>(
    spec: CliCommandSpec<T>,
    run: (parsed: ParsedVerbArgs<T>, context: CliContext) => Promise<number>,
): CliCommand {
    const { options, operands, ...command } = spec;
    return {
        ...command,
        run: (args, context) => {
            let parsed: ParsedVerbArgs<T>;
            try {
                parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: operands === true });
            } catch (error) {
                throw usageError(error);
            }
            return run(parsed, context);
        },
    };
}

/**
 * Picks the action of a verb that has several (`deadletters list|replay|purge`): the first operand,
 * the rest being its operands.
 *
 * @throws {ClientError} `usage` when the action is missing or unknown, or a flag given belongs to another action.
 * @example
 * const { action, operands } = chooseAction('outbox', ['list', 'skip'], { json: 'list' }, parsed);
 */
export function chooseAction<const A extends string, T extends OptionsConfig>(
    verb: string,
    actions: readonly A[],
    flagActions: Readonly<Record<keyof T, A>>,
    { values, positionals }: ParsedVerbArgs<T>,
): { readonly action: A; readonly operands: string[] } {
    const [action, ...operands] = positionals;
    const known = actions.find((candidate) => candidate === action);
    if (known === undefined) {
        const given = action === undefined ? 'an action is required' : `unknown action "${printable(action)}"`;
        throw new ClientError('usage', `${given}: use ${actions.join(', ')}`);
    }
    const flagValues: Readonly<Record<string, unknown>> = values;
    for (const [flag, owner] of Object.entries<A>(flagActions)) {
        if (owner !== known && flagValues[flag] !== undefined) {
            throw new ClientError('usage', `--${flag} goes with "${verb} ${owner}" only`);
        }
    }
    return { action: known, operands };
}

/**
 * Reads a file named by a flag, relative to the working directory, as exact bytes.
 *
 * @throws {ClientError} `unreadable_file` naming the flag and the path.
 */
export async function readFlagFile(io: CliIo, flag: string, path: string): Promise<Buffer> {
    const absolute = resolve(io.cwd, path);
    try {
        return await readFile(absolute);
    } catch (error) {
        const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
        throw new ClientError('unreadable_file', `${flag}: cannot read ${absolute} (${reason})`, 400, { cause: error });
    }
}

/**
 * Parses JSON given to a flag.
 *
 * @throws {ClientError} `bad_json` naming the flag.
 */
export function parseFlagJson(flag: string, text: string): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ClientError('bad_json', `${flag} is not valid JSON: ${reason}`, 400, { cause: error });
    }
}

/**
 * Requires exactly one of a group of flags.
 *
 * @throws {ClientError} `usage` naming the flags when none or several are given.
 */
export function exactlyOne<K extends string>(values: Partial<Record<K, unknown>>, flags: readonly K[]): K {
    const given = flags.filter((flag) => values[flag] !== undefined);
    const [only] = given;
    if (given.length === 1 && only !== undefined) {
        return only;
    }
    const names = flags.map((flag) => `--${flag}`);
    throw new ClientError(
        'usage',
        given.length === 0
            ? `one of ${names.join(', ')} is required`
            : `${given.map((flag) => `--${flag}`).join(' and ')} cannot be combined: give one of ${names.join(', ')}`,
    );
}

/**
 * Asks on the terminal (the question on standard error, the answer from standard input), when both
 * are a terminal; resolves to `undefined` otherwise, so nothing waits on a pipe or a CI job.
 *
 * @example
 * const answer = await askOnTerminal('Type "purge" to delete 3 dead letters: ');
 */
export async function askOnTerminal(question: string): Promise<string | undefined> {
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
        return undefined;
    }
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
        return await terminal.question(question);
    } finally {
        terminal.close();
    }
}

/** How a verb reaches storage: its queues and the outbox store, opened from the configuration. */
interface CliStorage {
    readonly openQueue: QueueOpener;
    /** The outbox store, its tables created if missing. */
    readonly store: OutboxStore;
}

/**
 * Opens the outbox store (and says how to open queues) from `config.storage`, through the injected
 * openers when the io has them. Creates the tables when they are missing, as the app does.
 *
 * @example
 * const { store, openQueue } = await openCliStorage(context.io, await context.config());
 */
export async function openCliStorage(io: CliIo, config: AppConfig): Promise<CliStorage> {
    const openTable = io.openTable ?? createTableClient;
    const store = createTableOutboxStore({
        outbox: openTable(config.storage, OUTBOX_TABLE_NAME),
        deadLetters: openTable(config.storage, DEAD_LETTER_TABLE_NAME),
    });
    await store.ensureTables();
    return { openQueue: io.openQueue ?? createQueueClient, store };
}
