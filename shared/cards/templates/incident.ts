/** The `incident` card: an update on an incident, its status by colour, with impact, commander and next update. */
import { z } from 'zod';
import { factSetElement, linkedCardFields, markdownElement, type StateLook, stateCardTemplate, stateLookExpressions, whenPresent } from './parts.js';

/** An incident's stages, as status pages name them (Atlassian Statuspage, incident.io). */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;

/** An incident's status. */
type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** How each status looks. */
export const INCIDENT_STATUS_LOOK = {
    investigating: { colour: 'attention', icon: '🔍' },
    identified: { colour: 'warning', icon: '🛠️' },
    monitoring: { colour: 'accent', icon: '👀' },
    resolved: { colour: 'good', icon: '✅' },
} as const satisfies Record<IncidentStatus, StateLook>;

/** The `incident` template's data. */
export const incidentCardDataSchema = z.object({
    id: z.string().trim().min(1).optional().describe('The incident id, e.g. "INC-2041"'),
    title: z.string().trim().min(1).describe('What is broken, e.g. "Sign-in failing for EU tenants"'),
    status: z.enum(INCIDENT_STATUSES).describe('Where the incident stands; sets the colour'),
    severity: z.string().trim().min(1).optional().describe('The severity in your own scale, e.g. "SEV1" or "P2"'),
    summary: z.string().optional().describe('This update, in Markdown'),
    impact: z.string().optional().describe('Who or what is affected, in Markdown'),
    nextUpdate: z.string().trim().min(1).optional().describe('When the next update is due, as shown, e.g. "11:30 UTC"'),
    commander: z.string().trim().min(1).optional().describe('The incident commander'),
    ...linkedCardFields('The incident page (the "Open incident" button)'),
});

/** Data for the `incident` template, as producers write it. */
type IncidentCardData = z.input<typeof incidentCardDataSchema>;

/** The status an unknown value falls back to in the card; the schema never lets one through. */
const FALLBACK_STATUS: IncidentStatus = 'investigating';

const { colour, icon } = stateLookExpressions('status', INCIDENT_STATUS_LOOK, INCIDENT_STATUS_LOOK[FALLBACK_STATUS]);
const label = `concat(${icon}, ' ', toUpper(status), if(empty(severity), '', concat(' · ', severity)), if(empty(id), '', concat(' · ', id)))`;

/** The `incident` card template. */
export const incidentCardTemplate = stateCardTemplate({
    colour,
    header: { label },
    body: [
        markdownElement('summary'),
        {
            type: 'Container',
            $when: whenPresent('impact'),
            items: [
                { type: 'TextBlock', text: 'Impact', weight: 'Bolder', wrap: true },
                { type: 'TextBlock', text: '${impact}', wrap: true, spacing: 'Small' },
            ],
        },
        factSetElement([
            { title: 'Commander', field: 'commander' },
            { title: 'Next update', field: 'nextUpdate' },
        ]),
    ],
    mainLink: 'Open incident',
});

/** Example data for the `incident` template. */
export const incidentCardExample: IncidentCardData = {
    id: 'INC-2041',
    title: 'Sign-in failing for EU tenants',
    status: 'identified',
    severity: 'SEV1',
    summary: 'A certificate rotation broke token validation in **eu-west**. Rolling back the rotation now.',
    impact: 'About 30% of EU users cannot sign in; other regions are unaffected.',
    nextUpdate: '11:30 UTC',
    commander: 'Margaret Hamilton',
    url: 'https://status.example.com/incidents/INC-2041',
    links: [{ title: 'War room', url: 'https://teams.microsoft.com/l/meetup-join/example' }],
};
