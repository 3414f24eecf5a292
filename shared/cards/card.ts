/** The Adaptive Card as plain JSON, its attachment content type, and the actions a card holds. */

/** Highest card version Workflows renders; 1.5 and 1.6 show "We're sorry, this card couldn't be displayed" (docs/teams-facts.md#workflows-payload). */
export const WORKFLOWS_MAX_CARD_VERSION = '1.4';

/**
 * The version of every card the app builds (templates, text, replies, the status card): the highest
 * Workflows renders, so one card suits either kind of webhook.
 */
export const CARD_VERSION = WORKFLOWS_MAX_CARD_VERSION;

/** Content type of an Adaptive Card attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The only action type Teams allows in outgoing-webhook replies (docs/teams-facts.md#reply). */
export const ALLOWED_REPLY_ACTION = 'Action.OpenUrl';

/** An Adaptive Card as plain JSON. */
export type AdaptiveCard = Readonly<Record<string, unknown>> & { readonly type: 'AdaptiveCard' };

/** Every action in a card (in `actions`, `selectAction`, action sets and nested cards), as its `type`. */
export function cardActionTypes(node: unknown): string[] {
    const found: string[] = [];
    // An explicit stack rather than recursion: cards come from producers and may nest to any depth.
    const pending: { readonly value: unknown; readonly isAction: boolean }[] = [{ value: node, isAction: false }];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
        const { value, isAction } = next;
        if (typeof value !== 'object' || value === null) {
            continue;
        }
        let children: { value: unknown; isAction: boolean }[];
        if (Array.isArray(value)) {
            children = value.map((item: unknown) => ({ value: item, isAction }));
        } else {
            const record = value as Record<string, unknown>;
            if (isAction) {
                found.push(typeof record.type === 'string' ? record.type : '(no type)');
            }
            children = Object.entries(record).map(([key, child]) => ({ value: child, isAction: key === 'actions' || key === 'selectAction' }));
        }
        // Reversed onto the stack, so actions are listed in document order.
        for (let index = children.length - 1; index >= 0; index--) {
            const child = children[index];
            if (child !== undefined) {
                pending.push(child);
            }
        }
    }
    return found;
}
