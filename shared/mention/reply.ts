/** Replies to a mention: what a command returns, and the validated message Teams receives. */

import { ADAPTIVE_CARD_CONTENT_TYPE, ALLOWED_REPLY_ACTION, cardActionTypes, type AdaptiveCard } from '../cards/index.js';
import { TeamsRelayError } from '../platform/index.js';

// Re-exported for the mention flow's callers; the card facts themselves live in shared/cards/card.ts.
export { ADAPTIVE_CARD_CONTENT_TYPE, ALLOWED_REPLY_ACTION, cardActionTypes, type AdaptiveCard };

/**
 * The largest reply we send, in UTF-8 bytes of its JSON. Teams refuses messages over 28 KB
 * (docs/teams-facts.md#connector-message-size); 24 KB leaves room for what Teams adds around it.
 */
export const MAX_REPLY_BYTES = 24 * 1024;

/** Appended where a long text was cut. */
export const TRUNCATION_MARKER = '\n\n… (truncated)';

/** What a command answers: Markdown text, or an Adaptive Card (with an optional text beside it). */
export type MentionReply = { readonly text: string } | { readonly card: AdaptiveCard; readonly text?: string };

/** The body Teams receives. */
export interface TeamsReply {
    readonly type: 'message';
    readonly text?: string;
    readonly attachments?: readonly [{ readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; readonly content: AdaptiveCard }];
}

/** Why a reply cannot be sent as it is. */
export class InvalidReplyError extends TeamsRelayError {
    override readonly name = 'InvalidReplyError';

    constructor(message: string) {
        super('invalid_reply', message);
    }
}

const encoder = new TextEncoder();

/** UTF-8 byte length of a value's JSON. */
export function jsonByteLength(value: unknown): number {
    return encoder.encode(JSON.stringify(value)).length;
}

/**
 * Cuts `text` so that `measure(result)` is at most `maxBytes`, appending {@link TRUNCATION_MARKER}.
 * Cuts between code points, never inside a character or a surrogate pair.
 */
export function truncateToFit(text: string, maxBytes: number, measure: (candidate: string) => number): string {
    if (measure(text) <= maxBytes) {
        return text;
    }
    const codePoints = Array.from(text);
    let low = 0;
    let high = codePoints.length;
    while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (measure(codePoints.slice(0, middle).join('') + TRUNCATION_MARKER) <= maxBytes) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    return codePoints.slice(0, low).join('') + TRUNCATION_MARKER;
}

/**
 * Validates a command's reply and shapes it for Teams: `type: "message"`, a non-empty text or a
 * card, only `Action.OpenUrl` actions, and at most {@link MAX_REPLY_BYTES} (a long text is
 * truncated with a marker; a card that is too large is refused).
 *
 * @throws {InvalidReplyError} naming the rule the reply breaks.
 * @example
 * toTeamsReply({ text: 'pong' }); // { type: 'message', text: 'pong' }
 */
export function toTeamsReply(reply: MentionReply): TeamsReply {
    if ('card' in reply) {
        const card = reply.card;
        // Commands are typed, but a card may come from JSON at run time.
        if ((card as { type?: unknown }).type !== 'AdaptiveCard') {
            throw new InvalidReplyError('The card is not an Adaptive Card');
        }
        const forbidden = cardActionTypes(card).filter((type) => type !== ALLOWED_REPLY_ACTION);
        if (forbidden.length > 0) {
            throw new InvalidReplyError(`Only ${ALLOWED_REPLY_ACTION} actions are allowed, found ${forbidden.join(', ')}`);
        }
        const base = { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] } as const;
        const text = reply.text?.trim();
        const message: TeamsReply = text ? { ...base, text } : base;
        const size = jsonByteLength(message);
        if (size > MAX_REPLY_BYTES) {
            throw new InvalidReplyError(`The card is ${size} bytes, over the ${MAX_REPLY_BYTES}-byte limit`);
        }
        return message;
    }
    const text = reply.text.trim();
    if (text === '') {
        throw new InvalidReplyError('The reply text is empty (Teams refuses empty text)');
    }
    const fitted = truncateToFit(text, MAX_REPLY_BYTES, (candidate) => jsonByteLength({ type: 'message', text: candidate }));
    return { type: 'message', text: fitted };
}
