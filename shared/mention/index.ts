/** Answering a mention: route the command, run it within the budget, and always produce a valid reply. */
import type { Activity, MentionCommandLine } from '../activity/index.js';
import { runWithDeadline, type MentionCommand } from '../commands/index.js';
import { ensureErrorType } from '../errors/index.js';
import { toTeamsReply, type MentionReply, type TeamsReply } from '../reply/index.js';

/** What {@link answerMention} needs besides the command line. */
export interface AnswerOptions {
    readonly activity: Activity;
    readonly commands: readonly MentionCommand[];
    /** How long a command may take before we answer "still working". */
    readonly budgetMs: number;
    readonly receivedAt: number;
    readonly now: () => number;
    /** Where a failing command is reported (never to the user). */
    readonly logError: (message: string) => void;
}

/** The reply to a mention without a command. */
export function emptyCommandReply(): MentionReply {
    return { text: 'Hi! Mention me with a command, for example `ping`. `help` lists them all.' };
}

/** The reply to a command nobody registered. */
export function unknownCommandReply(command: string): MentionReply {
    const shown = command.length > 40 ? `${command.slice(0, 40)}…` : command;
    return { text: `I don't know the command \`${shown.replace(/`/g, "'")}\`. Mention me with \`help\` to see what I can do.` };
}

/** The reply when a command outlives the budget, so Teams never shows its generic error. */
export function stillWorkingReply(command: string): MentionReply {
    return { text: `Still working on \`${command}\`: it is taking longer than Teams waits. Try again in a moment.` };
}

/** The reply when a command failed or produced an invalid reply. */
export function failedCommandReply(command: string): MentionReply {
    return { text: `Sorry, \`${command}\` failed. The error has been logged for the operators.` };
}

/**
 * Runs the command of a mention and returns the message to send back to Teams. Never throws: an
 * unknown command, a slow one, a failing one and one with an invalid reply each get a clear text.
 *
 * @example
 * const reply = await answerMention(extractCommand(activity), { activity, commands, budgetMs: 4000, receivedAt, now: Date.now, logError });
 */
export async function answerMention(line: MentionCommandLine, options: AnswerOptions): Promise<TeamsReply> {
    if (line.command === '') {
        return toTeamsReply(emptyCommandReply());
    }
    const command = options.commands.find((candidate) => candidate.name === line.command);
    if (command === undefined) {
        return toTeamsReply(unknownCommandReply(line.command));
    }
    try {
        const result = await runWithDeadline(
            (signal) =>
                command.run({
                    activity: options.activity,
                    args: line.args,
                    argText: line.argText,
                    receivedAt: options.receivedAt,
                    now: options.now,
                    signal,
                    commands: options.commands,
                }),
            options.budgetMs,
        );
        if (!result.done) {
            options.logError(`Command "${command.name}" exceeded the ${options.budgetMs} ms reply budget`);
            return toTeamsReply(stillWorkingReply(command.name));
        }
        return toTeamsReply(result.value);
    } catch (thrown) {
        const error = ensureErrorType(thrown);
        options.logError(`Command "${command.name}" failed: ${error.name}: ${error.message}`);
        return toTeamsReply(failedCommandReply(command.name));
    }
}
