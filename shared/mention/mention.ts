/** Answering a mention: route the command, run it within the budget, and always produce a valid reply. */
import type { MentionCommandLine } from './activity.js';
import { describeCardProblems, validateCard } from '../cards/index.js';
import { type MentionContext, remainingBudgetMs, runWithDeadline } from './commands/index.js';
import { ensureErrorType } from '../platform/index.js';
import { InvalidReplyError, toTeamsReply, type MentionReply, type TeamsReply } from './reply.js';

/** What {@link answerMention} needs besides the command line: the mention's context, the budget, and where errors go. */
interface AnswerOptions extends MentionContext {
    /** How long after the request arrived the reply is due; past it we answer "still working". */
    readonly budgetMs: number;
    /** Where a failing command is reported (never to the user). */
    readonly logError: (message: string) => void;
}

/** The reply to a mention without a command. */
function emptyCommandReply(): MentionReply {
    return { text: 'Hi! Mention me with a command, for example `ping`. `help` lists them all.' };
}

/** The reply to a command nobody registered. */
function unknownCommandReply(command: string): MentionReply {
    const shown = command.length > 40 ? `${command.slice(0, 40)}…` : command;
    return { text: `I don't know the command \`${shown.replace(/`/g, "'")}\`. Mention me with \`help\` to see what I can do.` };
}

/** The reply when a command outlives the budget, so Teams never shows its generic error. */
function stillWorkingReply(command: string): MentionReply {
    return { text: `Still working on \`${command}\`: it is taking longer than Teams waits. Try again in a moment.` };
}

/** The reply when a command failed or produced an invalid reply. */
function failedCommandReply(command: string): MentionReply {
    return { text: `Sorry, \`${command}\` failed. The error has been logged for the operators.` };
}

/**
 * A command's reply once its card, if any, passed the mention-reply rules of `validateCard` (only
 * `Action.OpenUrl`, a known version, known elements, valid values, consistent mentions). The object
 * model behind those rules is loaded on the first card reply, never at start-up.
 *
 * @throws {InvalidReplyError} listing every problem of the card.
 */
async function checkedReply(reply: MentionReply): Promise<MentionReply> {
    if ('card' in reply) {
        const problems = await validateCard(reply.card, { destination: 'mention-reply' });
        if (problems.length > 0) {
            throw new InvalidReplyError(describeCardProblems('mention-reply', problems));
        }
    }
    return reply;
}

/**
 * Runs the command of a mention and returns the message to send back to Teams. Never throws: an
 * unknown command, a slow one, a failing one and one with an invalid reply (a card that breaks the
 * mention-reply rules included; its problems go to `logError`) each get a clear text.
 *
 * @example
 * const reply = await answerMention(extractCommand(activity), { activity, commands, caller, budgetMs: 4000, receivedAt, now: Date.now, logError });
 */
export async function answerMention(line: MentionCommandLine, options: AnswerOptions): Promise<TeamsReply> {
    if (line.command === '') {
        return toTeamsReply(emptyCommandReply());
    }
    const { budgetMs, logError, activity, caller, receivedAt, now, commands } = options;
    const command = commands.find((candidate) => candidate.name === line.command);
    if (command === undefined) {
        return toTeamsReply(unknownCommandReply(line.command));
    }
    try {
        const result = await runWithDeadline(
            (signal) => command.run({ activity, caller, receivedAt, now, commands, args: line.args, argText: line.argText, signal }),
            remainingBudgetMs(budgetMs, receivedAt, now()),
        );
        if (!result.done) {
            logError(`Command "${command.name}" exceeded the ${budgetMs} ms reply budget, counted from the request's arrival`);
            return toTeamsReply(stillWorkingReply(command.name));
        }
        return toTeamsReply(await checkedReply(result.value));
    } catch (thrown) {
        const error = ensureErrorType(thrown);
        logError(`Command "${command.name}" failed: ${error.name}: ${error.message}`);
        return toTeamsReply(failedCommandReply(command.name));
    }
}
