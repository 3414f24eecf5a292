/** Reading rendered Adaptive Cards in tests: find elements by type, collect texts, compare versions. */
import { CARD_CATALOG, validateCardData, type CatalogEntry } from '../../../shared/cards/catalog.js';
import { renderCardTemplate } from '../../../shared/cards/render.js';
import type { AdaptiveCard } from '../../../shared/mention/reply.js';

/** A card element (or any JSON object in a card). */
export type CardNode = Readonly<Record<string, unknown>>;

/** Every object in `node` (depth first, `node` included) whose `type` is `type`. */
export function nodesOfType(node: unknown, type: string): CardNode[] {
    const found: CardNode[] = [];
    const visit = (value: unknown): void => {
        if (Array.isArray(value)) {
            value.forEach(visit);
            return;
        }
        if (typeof value !== 'object' || value === null) {
            return;
        }
        const record = value as CardNode;
        if (record['type'] === type) {
            found.push(record);
        }
        Object.values(record).forEach(visit);
    };
    visit(node);
    return found;
}

/** The `text` of every TextBlock in a card, in order. */
export function textBlockTexts(card: unknown): string[] {
    return nodesOfType(card, 'TextBlock').map((block) => String(block['text']));
}

/** `"1.4"` → `[1, 4]`. */
export function versionParts(version: unknown): [number, number] {
    const [major = Number.NaN, minor = Number.NaN] = String(version).split('.').map(Number);
    return [major, minor];
}

/** A catalog entry that must exist. */
export function catalogEntry(name: string): CatalogEntry {
    const entry = CARD_CATALOG.get(name);
    if (entry === undefined) {
        throw new TypeError(`No "${name}" template in the catalog`);
    }
    return entry;
}

/** Validates `data` for the template and renders the parsed data, as delivery does; throws on invalid data. */
export async function renderValid(name: string, data: Readonly<Record<string, unknown>>): Promise<AdaptiveCard> {
    const validation = validateCardData(name, data);
    if (!validation.ok) {
        throw new TypeError(`Invalid data for "${name}": ${validation.problems.join('; ')}`);
    }
    return renderCardTemplate(catalogEntry(name).template, validation.data);
}

/** The colour of a card's header band: the first Container's `style`. */
export function headerStyle(card: AdaptiveCard): unknown {
    return nodesOfType(card, 'Container')[0]?.['style'];
}
