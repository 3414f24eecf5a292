/** The mention command contract: what a command receives and what it declares. */
import type { Activity } from '../activity.js';
import type { MentionScope } from '../settings.js';
import type { MentionReply } from '../reply.js';

/** Who sent a mention, as far as the app knows: the token whose signature matched, and what it may see. */
export interface MentionCaller {
    /** The name of the token in `TEAMS_OUTGOING_WEBHOOK_SECRETS` (`default` for a bare token). */
    readonly tokenName: string;
    /** The webhooks this token's mentions may see (`TEAMS_MENTION_SCOPE_<NAME>`). */
    readonly scope: MentionScope;
}

/** What every command of one mention shares: the mention, who sent it, when it arrived, the clock and the registered commands. */
export interface MentionContext {
    /** The parsed activity. */
    readonly activity: Activity;
    /** The verified sender: its token and scope. */
    readonly caller: MentionCaller;
    /** When the request reached the server (ms since epoch): the reply budget counts from here, not from when the command starts. */
    readonly receivedAt: number;
    /** The clock (injected in tests). */
    readonly now: () => number;
    /** Every registered command, for `help`. */
    readonly commands: readonly MentionCommand[];
}

/** What a command receives: the mention's context, its words, and the signal of its budget. */
export interface CommandInput extends MentionContext {
    /** The words after the command. */
    readonly args: readonly string[];
    /** Everything after the command, as one string. */
    readonly argText: string;
    /** Aborted when the reply budget runs out; long commands should stop then. */
    readonly signal: AbortSignal;
}

/**
 * A mention command. One file each in `builtin/`, default-exporting one of these, and one line in
 * `BUILTIN_COMMANDS` (`index.ts`).
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
