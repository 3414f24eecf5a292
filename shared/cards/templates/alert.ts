/** The `alert` card: a monitoring alert, its severity shown by colour and icon, with facts and a link to it. */
import { z } from 'zod';
import { cardUrlSchema, factSetElement, invalidValue, linkedCardFields, markdownElement, type StateLook, stateCardTemplate, stateLookExpressions, whenPresent } from './parts.js';

/** Alert severities, most severe first. */
export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** An alert's severity. */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Whether the alert is still firing or has cleared (Alertmanager, Grafana and Azure Monitor send both). */
export const ALERT_STATUSES = ['firing', 'resolved'] as const;

/** How each severity looks: red for critical, amber for high and medium, green for low, blue for info. */
export const ALERT_SEVERITY_LOOK = {
    critical: { colour: 'attention', icon: '🔴' },
    high: { colour: 'warning', icon: '🟠' },
    medium: { colour: 'warning', icon: '🟡' },
    low: { colour: 'good', icon: '🟢' },
    info: { colour: 'accent', icon: 'ℹ️' },
} as const satisfies Record<AlertSeverity, StateLook>;

/** How a resolved alert looks, whatever its severity. */
export const ALERT_RESOLVED_LOOK = { colour: 'good', icon: '✅' } as const satisfies StateLook;

/** An image a card may show: https only (Teams fetches card images itself and refuses plain http). */
const cardImageUrlSchema = z.url({ protocol: /^https$/, error: invalidValue('must be an https URL') });

/** One alert of a group, as a line under the card's description. */
const alertItemSchema = z.object({
    title: z.string().trim().min(1).describe('What identifies this alert in its group, e.g. "instance=db-2"'),
    status: z.enum(ALERT_STATUSES).default('firing').describe('"resolved" marks the line with a tick'),
    text: z.string().optional().describe('More about it, in Markdown (its values, since when)'),
    url: cardUrlSchema.optional().describe('Where its title links to'),
});

/** The `alert` template's data. */
export const alertCardDataSchema = z.object({
    title: z.string().trim().min(1).describe('What fired, e.g. "CPU above 90% on api-7"'),
    severity: z.enum(ALERT_SEVERITIES).describe('How bad it is; sets the colour and icon'),
    status: z.enum(ALERT_STATUSES).default('firing').describe('"resolved" shows the alert as cleared, in green'),
    description: z.string().optional().describe('What is happening and what to do, in Markdown'),
    source: z.string().optional().describe('Where the alert comes from, e.g. "Grafana · prod-eu"'),
    ...linkedCardFields('The alert in its monitoring tool (the "Open alert" button)'),
    alerts: z.array(alertItemSchema).optional().describe('The alerts of a group, one line each'),
    note: z.string().optional().describe('What the card leaves out, e.g. "950 more alerts not shown"'),
    imageUrl: cardImageUrlSchema.optional().describe('A picture of the alert (a graph), https only'),
});

/** Data for the `alert` template, as producers write it. */
export type AlertCardData = z.input<typeof alertCardDataSchema>;

const { colour: severityColour, icon: severityIcon } = stateLookExpressions('severity', ALERT_SEVERITY_LOOK, ALERT_SEVERITY_LOOK.info);
const isResolved = "status == 'resolved'";
const colour = `if(${isResolved}, '${ALERT_RESOLVED_LOOK.colour}', ${severityColour})`;
const label = `if(${isResolved}, concat('${ALERT_RESOLVED_LOOK.icon} RESOLVED · ', toUpper(severity)), concat(${severityIcon}, ' ', toUpper(severity)))`;

/** An alert line's heading: its status icon, then its title, linked when it has a URL. */
const alertItemHeading = `concat(if(status == 'resolved', '${ALERT_RESOLVED_LOOK.icon} ', '🔥 '), if(empty(url), title, concat('[', title, '](', url, ')')))`;

/** The `alert` card template. */
export const alertCardTemplate = stateCardTemplate({
    colour,
    header: { label, below: [{ type: 'TextBlock', $when: whenPresent('source'), text: '${source}', isSubtle: true, wrap: true, spacing: 'None' }] },
    body: [
        markdownElement('description'),
        factSetElement([]),
        {
            type: 'Container',
            // `$when` on `$root`: a missing array makes the engine keep the item unexpanded in the root's scope.
            $data: '${alerts}',
            $when: whenPresent('$root.alerts'),
            spacing: 'Small',
            items: [
                { type: 'TextBlock', text: `\${${alertItemHeading}}`, weight: 'Bolder', wrap: true },
                markdownElement('text', { isSubtle: true, spacing: 'None' }),
            ],
        },
        markdownElement('note', { isSubtle: true, size: 'Small' }),
        { type: 'Image', $when: whenPresent('imageUrl'), url: '${imageUrl}', altText: '${title}', size: 'Stretch' },
    ],
    mainLink: 'Open alert',
});

/** Example data for the `alert` template. */
export const alertCardExample: AlertCardData = {
    title: 'CPU above 90% on api-7',
    severity: 'critical',
    description: 'CPU has been above **90%** for 10 minutes. Check the autoscaler and recent deployments.',
    source: 'Grafana · prod-eu',
    facts: [
        { name: 'Host', value: 'api-7' },
        { name: 'Value', value: '97.3%' },
        { name: 'Since', value: '2026-11-23 10:02 UTC' },
    ],
    url: 'https://grafana.example.com/alerting/grafana/cpu-high/view',
    links: [{ title: 'Runbook', url: 'https://wiki.example.com/runbooks/cpu-high' }],
};
