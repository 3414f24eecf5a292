/** Mention commands: the command contract, the list of built-in commands, and running one within Teams' budget. */
import help from './builtin/help.js';
import ping from './builtin/ping.js';
import status from './builtin/status.js';
import whoami from './builtin/whoami.js';
import type { MentionCommand } from './command.js';

export { type CommandInput, type MentionCaller, type MentionCommand, type MentionContext } from './command.js';

/**
 * Every built-in command, in the order `help` lists them. Adding one: its file in `builtin/` and its
 * line here. Their modules are light (a command loads what it needs inside `run`), so the mention
 * function's cold start loads them all.
 */
export const BUILTIN_COMMANDS: readonly MentionCommand[] = [help, ping, status, whoami];

/** The outcome of {@link runWithDeadline}. */
type DeadlineResult<T> = { readonly done: true; readonly value: T } | { readonly done: false };

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
