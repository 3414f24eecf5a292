/** The `message` card: a title, Markdown text, optional facts and links. */
import { z } from 'zod';
import { cardFactsSchema, cardLinksSchema, cardTemplate, factSetElement, linkActions, markdownElement } from './parts.js';

/** The `message` template's data. */
export const messageCardDataSchema = z.object({
    title: z.string().trim().min(1).describe('The card title'),
    text: z.string().optional().describe('The message, in Markdown'),
    facts: cardFactsSchema.optional(),
    links: cardLinksSchema.optional(),
});

/** Data for the `message` template, as producers write it. */
export type MessageCardData = z.input<typeof messageCardDataSchema>;

/** The `message` card template. */
export const messageCardTemplate = cardTemplate({
    body: [
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Medium', wrap: true },
        markdownElement('text'),
        factSetElement([]),
    ],
    actions: linkActions(),
});

/** Example data for the `message` template. */
export const messageCardExample: MessageCardData = {
    title: 'Maintenance tonight',
    text: 'The **reporting** database is read-only from 22:00 to 23:00 UTC while it is upgraded.',
    facts: [{ name: 'Window', value: '22:00–23:00 UTC' }],
    links: [{ title: 'Change request', url: 'https://itsm.example.com/change/CHG-3321' }],
};
