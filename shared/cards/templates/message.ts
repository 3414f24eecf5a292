/** The `message` card: a title, Markdown text, optional facts and links. */
import type { CardTemplate } from '../index.js';

/** Data: `{ title: string, text?: string, facts?: { name, value }[], links?: { title, url }[] }`. */
export const messageCardTemplate: CardTemplate = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: [
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', $when: '${exists(text)}', text: '${text}', wrap: true },
        { type: 'FactSet', $when: '${count(facts) > 0}', facts: [{ $data: '${facts}', title: '${name}', value: '${value}' }] },
    ],
    actions: [{ $data: '${links}', $when: '${exists(url)}', type: 'Action.OpenUrl', title: '${title}', url: '${url}' }],
};
