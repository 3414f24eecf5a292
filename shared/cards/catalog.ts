/** The named card templates a notification job may use as `card: { template, data }`. */
import type { CardTemplate } from './index.js';
import { messageCardTemplate } from './templates/message.js';

/** A named template and the fields its data needs. */
export interface CatalogEntry {
    readonly name: string;
    readonly summary: string;
    readonly template: CardTemplate;
    /** Data fields that must be present (non-empty). */
    readonly requiredFields: readonly string[];
}

const entries: readonly CatalogEntry[] = [
    {
        name: 'message',
        summary: 'A title, Markdown text, facts and links',
        template: messageCardTemplate,
        requiredFields: ['title'],
    },
];

/** Every template a job may name, by name. */
export const CARD_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(entries.map((entry) => [entry.name, entry]));

/**
 * Checks a job's `card` against the catalog: the template exists and its required fields are there.
 * Returns the problems, each naming the field; empty when the card is fine.
 */
export function checkCardData(template: string, data: Readonly<Record<string, unknown>>): string[] {
    const entry = CARD_CATALOG.get(template);
    if (entry === undefined) {
        return [`card.template: unknown template "${template}" (known: ${[...CARD_CATALOG.keys()].join(', ')})`];
    }
    return entry.requiredFields
        .filter((field) => data[field] === undefined || data[field] === null || data[field] === '')
        .map((field) => `card.data.${field}: required by the "${template}" template`);
}
