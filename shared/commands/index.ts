/** Mention commands: the command contract, the registry that discovers them, and running one within Teams' budget. */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Activity } from '../activity/index.js';
import type { MentionScope } from '../config/index.js';
import type { MentionReply } from '../reply/index.js';

/** Who sent a mention, as far as the app knows: the token whose signature matched, and what it may see. */
export interface MentionCaller {
    /** The name of the token in `TEAMS_OUTGOING_WEBHOOK_SECRETS` (`default` for a bare token). */
    readonly tokenName: string;
    /** The webhooks this token's mentions may see (`TEAMS_MENTION_SCOPE_<NAME>`). */
    readonly scope: MentionScope;
}

/** What a command receives. */
export interface CommandInput {
    /** The parsed activity. */
    readonly activity: Activity;
    /** The words after the command. */
    readonly args: readonly string[];
    /** Everything after the command, as one string. */
    readonly argText: string;
    /** The verified sender: its token and scope. */
    readonly caller: MentionCaller;
    /** When the request reached the server (ms since epoch). */
    readonly receivedAt: number;
    /** The clock (injected in tests). */
    readonly now: () => number;
    /** Aborted when the reply budget runs out; long commands should stop then. */
    readonly signal: AbortSignal;
    /** Every registered command, for `help`. */
    readonly commands: readonly MentionCommand[];
}

/**
 * A mention command. One file each in `builtin/`, default-exporting one of these; the registry
 * finds it by itself.
 *
 * @example
 * export default defineCommand({ name: 'ping', summary: 'Answers pong', run: () => ({ text: 'pong' }) });
 */
export interface MentionCommand {
    /** The word that invokes it, lower-case. */
    readonly name: string;
    /** One line for `help`. */
    readonly summary: string;
    /** How to call it, e.g. `status [alias]`. @default the name */
    readonly usage?: string;
    readonly run: (input: CommandInput) => MentionReply | Promise<MentionReply>;
}

/** Declares a command (an identity function that checks the shape at compile time). */
export function defineCommand(command: MentionCommand): MentionCommand {
    return command;
}

const COMMAND_NAME = /^[a-z][a-z0-9-]{0,31}$/;

function isMentionCommand(value: unknown): value is MentionCommand {
    if (typeof value !== 'object' || value === null) {
        return false;
    }
    const candidate = value as Partial<MentionCommand>;
    return typeof candidate.name === 'string' && typeof candidate.summary === 'string' && typeof candidate.run === 'function';
}

/** The folder of built-in commands, beside this module. */
const BUILTIN_FOLDER = join(fileURLToPath(new URL('.', import.meta.url)), 'builtin');
/** `.js` when built, `.ts` when the sources run directly (tests). */
const MODULE_EXTENSION = extname(fileURLToPath(import.meta.url));

/**
 * Loads every command module in `folder` (default: `builtin/`), sorted by name. Each file's
 * default export must be a {@link MentionCommand}; a file that is not, or a duplicate name, is an error.
 */
export async function discoverCommands(folder = BUILTIN_FOLDER): Promise<MentionCommand[]> {
    const files = (await readdir(folder))
        .filter((file) => extname(file) === MODULE_EXTENSION && !file.endsWith('.d.ts'))
        .sort();
    const commands = await Promise.all(
        files.map(async (file) => {
            const module = (await import(new URL(`file://${join(folder, file)}`).href)) as { default?: unknown };
            if (!isMentionCommand(module.default) || !COMMAND_NAME.test(module.default.name)) {
                throw new TypeError(`${basename(file)} must default-export a command with a lower-case name, a summary and run()`);
            }
            return module.default;
        }),
    );
    const seen = new Set<string>();
    for (const command of commands) {
        if (seen.has(command.name)) {
            throw new TypeError(`Two commands are named "${command.name}"`);
        }
        seen.add(command.name);
    }
    return commands.sort((a, b) => a.name.localeCompare(b.name));
}

let builtin: Promise<MentionCommand[]> | undefined;

/** The built-in commands, discovered once per process. */
export function builtinCommands(): Promise<MentionCommand[]> {
    builtin ??= discoverCommands();
    return builtin;
}

/** The outcome of {@link runWithDeadline}. */
export type DeadlineResult<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/**
 * What is left of a reply budget that started when the request arrived: reading and checking the
 * body, and loading the commands, have used some of it already. Never negative.
 *
 * @example
 * remainingBudgetMs(4000, receivedAt, Date.now()); // 3990 when the request arrived 10 ms ago
 */
export function remainingBudgetMs(budgetMs: number, receivedAt: number, now: number): number {
    return Math.max(0, budgetMs - Math.max(0, now - receivedAt));
}

/**
 * Runs `work` but gives up waiting after `budgetMs`, aborting `controller` then. The work is not
 * killed (JavaScript cannot), only told to stop; its result is discarded.
 *
 * @example
 * const result = await runWithDeadline((signal) => command.run({ ...input, signal }), 4000);
 */
export async function runWithDeadline<T>(
    work: (signal: AbortSignal) => T | Promise<T>,
    budgetMs: number,
): Promise<DeadlineResult<T>> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DeadlineResult<T>>((resolve) => {
        timer = setTimeout(() => {
            controller.abort(new Error(`Reply budget of ${budgetMs} ms exceeded`));
            resolve({ done: false });
        }, budgetMs);
    });
    try {
        const running = Promise.resolve()
            .then(() => work(controller.signal))
            .then((value): DeadlineResult<T> => ({ done: true, value }));
        return await Promise.race([running, deadline]);
    } finally {
        clearTimeout(timer);
    }
}
