/** Adaptive Card templates rendered with adaptivecards-templating. */
import type { AdaptiveCard } from './card.js';

/** A card template: an Adaptive Card with `${...}` bindings, as the Adaptive Cards designer writes them. */
export type CardTemplate = AdaptiveCard;

/**
 * Expands `template` with `data` (available as `$root`). The templating engine is loaded on first
 * use: it costs ~300 ms to import, which the mention path must not pay on a cold start.
 * Values in `data` are inserted as text and never expanded again, so user input cannot inject bindings.
 *
 * @example
 * const card = await renderCardTemplate(helpTemplate, { commands: [{ name: 'ping', summary: 'Answers pong' }] });
 */
export async function renderCardTemplate(template: CardTemplate, data: object): Promise<AdaptiveCard> {
    const { Template } = (await import('adaptivecards-templating')).default;
    const expanded: unknown = new Template(template).expand({ $root: data });
    if (typeof expanded !== 'object' || expanded === null || (expanded as { type?: unknown }).type !== 'AdaptiveCard') {
        throw new TypeError('The template did not expand to an Adaptive Card');
    }
    return expanded as AdaptiveCard;
}
