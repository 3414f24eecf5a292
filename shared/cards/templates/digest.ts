/** The `digest` card: many notifications in one message, each a section, rendered cards embedded with their content and links. */
import { z } from 'zod';
import { ALLOWED_REPLY_ACTION, CARD_VERSION, cardActionTypes } from '../card.js';
import { cardTemplate, cardUrlSchema, markdownElement, whenPresent } from './parts.js';

/** A card element or action as JSON: its `type` and whatever else it holds. */
const typedJsonSchema = z.looseObject({ type: z.string() });

/**
 * An Adaptive Card already rendered (no `${...}` bindings left). Its `body` is embedded in the
 * digest, its actions become an ActionSet and its mention entities join the digest's, so its
 * content, links and mentions all survive. Only `Action.OpenUrl` actions are allowed anywhere in it.
 */
const embeddedCardSchema = z
    .looseObject({
        type: z.literal('AdaptiveCard', 'must be "AdaptiveCard"'),
        body: z.array(typedJsonSchema).optional(),
        actions: z.array(typedJsonSchema).optional(),
        msteams: z.looseObject({ entities: z.array(z.looseObject({})).optional() }).optional(),
    })
    .superRefine((card, context) => {
        const forbidden = cardActionTypes(card).filter((type) => type !== ALLOWED_REPLY_ACTION);
        if (forbidden.length > 0) {
            context.addIssue({ code: 'custom', message: `only ${ALLOWED_REPLY_ACTION} actions are allowed, found ${[...new Set(forbidden)].join(', ')}` });
        }
    })
    .describe('A rendered Adaptive Card whose content is embedded in the section');

/** One notification in a digest. */
const digestItemSchema = z.object({
    title: z.string().trim().min(1).describe('The section heading'),
    text: z.string().optional().describe('The notification, in Markdown'),
    time: z.string().trim().min(1).optional().describe('When it happened, as shown, e.g. "10:02 UTC"'),
    link: cardUrlSchema.optional().describe('Where the heading links to'),
    card: embeddedCardSchema.optional(),
});

/** The `digest` template's data. */
export const digestCardDataSchema = z.object({
    title: z.string().trim().min(1).describe('The digest title, e.g. "ops: 12 notifications in the last hour"'),
    count: z.int().nonnegative().optional().describe('How many notifications it stands for (default: the number of items)'),
    items: z.array(digestItemSchema).min(1, 'needs at least one item').describe('The notifications, one section each'),
});

/** Data for the `digest` template, as producers write it. */
export type DigestCardData = z.input<typeof digestCardDataSchema>;

const total = 'if(exists(count), count, count(items))';
const countLine = `concat(string(${total}), if(${total} == 1, ' notification', ' notifications'))`;
/** The heading, as a Markdown link when the item has one. */
const itemHeading = "if(empty(link), title, concat('[', title, '](', link, ')'))";
/** Every embedded card's mention entities, so `<at>` texts in embedded bodies still mention. */
const embeddedMentions = 'flatten(foreach(where(items, item, not(empty(item.card.msteams.entities))), item, item.card.msteams.entities))';

/** The `digest` card template. */
export const digestCardTemplate = cardTemplate({
    body: [
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Large', wrap: true },
        { type: 'TextBlock', text: `\${${countLine}}`, isSubtle: true, wrap: true, spacing: 'None' },
        {
            type: 'Container',
            $data: '${items}',
            separator: true,
            spacing: 'Medium',
            items: [
                { type: 'TextBlock', text: `\${${itemHeading}}`, weight: 'Bolder', wrap: true },
                { type: 'TextBlock', $when: whenPresent('time'), text: '${time}', isSubtle: true, size: 'Small', wrap: true, spacing: 'None' },
                markdownElement('text'),
                // Whole-value bindings insert the embedded card's JSON as it is, never expanded again.
                { type: 'Container', $when: whenPresent('card.body'), items: '${card.body}' },
                { type: 'ActionSet', $when: whenPresent('card.actions'), actions: '${card.actions}' },
            ],
        },
    ],
    msteams: { width: 'Full', entities: `\${${embeddedMentions}}` },
});

/** Example data for the `digest` template. */
export const digestCardExample: DigestCardData = {
    title: 'ops: 3 notifications in the last hour',
    count: 3,
    items: [
        {
            title: 'api 2.3.0 deployed to production',
            time: '10:02 UTC',
            link: 'https://github.com/contoso/api/actions/runs/9120',
            text: 'By Ada Lovelace in 4m 12s.',
        },
        {
            title: 'CPU above 90% on api-7',
            time: '10:09 UTC',
            card: {
                type: 'AdaptiveCard',
                version: CARD_VERSION,
                body: [
                    { type: 'TextBlock', text: '🔴 CRITICAL · Grafana · prod-eu', color: 'attention', weight: 'Bolder', wrap: true },
                    { type: 'FactSet', facts: [{ title: 'Host', value: 'api-7' }, { title: 'Value', value: '97.3%' }] },
                ],
                actions: [{ type: 'Action.OpenUrl', title: 'Open alert', url: 'https://grafana.example.com/alerting/grafana/cpu-high/view' }],
            },
        },
        { title: 'Nightly backup verified', time: '10:30 UTC', text: '12 databases, 184 GB, copied to the [secondary region](https://backups.example.com/reports/2026-11-23).' },
    ],
};
