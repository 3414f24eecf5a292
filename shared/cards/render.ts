/** Adaptive Card templates rendered with adaptivecards-templating. */
import type { AdaptiveCard } from './card.js';

/** A card template: an Adaptive Card with `${...}` bindings, as the Adaptive Cards designer writes them. */
export type CardTemplate = AdaptiveCard;

/** A template parsed once: the engine parses every binding of a template when it is constructed, and an instance may expand any number of data objects. */
type PreparedTemplate = InstanceType<(typeof import('adaptivecards-templating'))['Template']>;

/**
 * Each template's engine instance, parsed on first use. Parsing is most of a render's cost (tens of
 * milliseconds for the alert card), and one job may be rendered many times: accepted, fitted to the
 * size limit by a binary search, checked for each dialect, sent.
 */
const prepared = new WeakMap<CardTemplate, PreparedTemplate>();

async function preparedTemplate(template: CardTemplate): Promise<PreparedTemplate> {
    let engine = prepared.get(template);
    if (engine === undefined) {
        const { Template } = (await import('adaptivecards-templating')).default;
        engine = new Template(template);
        prepared.set(template, engine);
    }
    return engine;
}

/**
 * Expands `template` with `data` (available as `$root`). The templating engine is loaded on first
 * use: it costs ~300 ms to import, which the mention path must not pay on a cold start.
 * Values in `data` are inserted as text and never expanded again, so user input cannot inject bindings.
 *
 * @example
 * const card = await renderCardTemplate(helpTemplate, { commands: [{ name: 'ping', summary: 'Answers pong' }] });
 */
export async function renderCardTemplate(template: CardTemplate, data: object): Promise<AdaptiveCard> {
    const expanded: unknown = (await preparedTemplate(template)).expand({ $root: data });
    if (typeof expanded !== 'object' || expanded === null || (expanded as { type?: unknown }).type !== 'AdaptiveCard') {
        throw new TypeError('The template did not expand to an Adaptive Card');
    }
    return expanded as AdaptiveCard;
}
