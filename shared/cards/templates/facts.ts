/** The `facts` card: a title and a list of name/value facts, with optional Markdown text and links. */
import { z } from 'zod';
import { cardFactSchema, cardLinksSchema, cardTemplate, factSetElement, linkActions, markdownElement } from './parts.js';

/** The `facts` template's data. */
export const factsCardDataSchema = z.object({
    title: z.string().trim().min(1).describe('The card title'),
    facts: z.array(cardFactSchema).min(1, 'needs at least one fact').describe('The name/value rows'),
    text: z.string().optional().describe('Markdown text under the facts'),
    links: cardLinksSchema.optional(),
});

/** Data for the `facts` template, as producers write it. */
type FactsCardData = z.input<typeof factsCardDataSchema>;

/** The `facts` card template. */
export const factsCardTemplate = cardTemplate({
    body: [
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Medium', wrap: true },
        factSetElement([]),
        markdownElement('text'),
    ],
    actions: linkActions(),
    msteams: { width: 'Full' },
});

/** Example data for the `facts` template. */
export const factsCardExample: FactsCardData = {
    title: 'Nightly backup',
    facts: [
        { name: 'Databases', value: 12 },
        { name: 'Size', value: '184 GB' },
        { name: 'Verified', value: true },
    ],
    text: 'All backups were copied to the **secondary region**.',
    links: [{ title: 'Backup report', url: 'https://backups.example.com/reports/2026-11-23' }],
};
