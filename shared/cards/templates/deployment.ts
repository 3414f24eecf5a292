/** The `deployment` card: a service version going to an environment, started, succeeded or failed, with its changes. */
import { z } from 'zod';
import {
    bulletListElement,
    cardDurationSchema,
    chooseByValue,
    durationExpression,
    factSetElement,
    linkedCardFields,
    type StateLook,
    stateCardTemplate,
    stateLookExpressions,
} from './parts.js';

/** Where a deployment stands. */
export const DEPLOYMENT_STATUSES = ['started', 'succeeded', 'failed'] as const;

/** A deployment's status. */
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** How each status looks. */
export const DEPLOYMENT_STATUS_LOOK = {
    started: { colour: 'accent', icon: '⏳' },
    succeeded: { colour: 'good', icon: '🚀' },
    failed: { colour: 'attention', icon: '❌' },
} as const satisfies Record<DeploymentStatus, StateLook>;

/** The status a deployment without one is shown with: most notifications announce a finished deployment. */
const DEFAULT_STATUS: DeploymentStatus = 'succeeded';

/** The `deployment` template's data. */
export const deploymentCardDataSchema = z.object({
    service: z.string().trim().min(1).describe('What was deployed, e.g. "api"'),
    version: z.string().trim().min(1).optional().describe('The version deployed, e.g. "2.3.0"'),
    environment: z.string().trim().min(1).optional().describe('Where to, e.g. "production"'),
    status: z.enum(DEPLOYMENT_STATUSES).default(DEFAULT_STATUS).describe('Where the deployment stands; sets the colour'),
    by: z.string().optional().describe('Who or what deployed it'),
    duration: cardDurationSchema.optional(),
    changes: z.array(z.string()).optional().describe('What changed, one Markdown line each, e.g. "Fix login redirect (#412)"'),
    ...linkedCardFields('The deployment run (the "View deployment" button)'),
});

/** Data for the `deployment` template, as producers write it. */
export type DeploymentCardData = z.input<typeof deploymentCardDataSchema>;

const { colour, icon } = stateLookExpressions('status', DEPLOYMENT_STATUS_LOOK, DEPLOYMENT_STATUS_LOOK[DEFAULT_STATUS]);
const verb = chooseByValue('status', { started: 'deploying', failed: 'failed to deploy' }, 'deployed');
const versionPart = "if(empty(version), '', concat(' ', version))";
const environmentPart = "if(empty(environment), '', concat(' to ', environment))";
/** e.g. "🚀 api 2.3.0 deployed to production", "❌ api failed to deploy". */
const headline = `concat(${icon}, ' ', service, ${versionPart}, ' ', ${verb}, ${environmentPart})`;

/** The `deployment` card template. */
export const deploymentCardTemplate = stateCardTemplate({
    colour,
    header: { headline },
    body: [
        factSetElement([
            { title: 'Service', field: 'service' },
            { title: 'Version', field: 'version' },
            { title: 'Environment', field: 'environment' },
            { title: 'Status', field: 'status' },
            { title: 'By', field: 'by' },
            { title: 'Duration', field: 'duration', value: durationExpression('duration') },
        ]),
        bulletListElement('changes', 'Changes'),
    ],
    mainLink: 'View deployment',
});

/** Example data for the `deployment` template. */
export const deploymentCardExample: DeploymentCardData = {
    service: 'api',
    version: '2.3.0',
    environment: 'production',
    status: 'succeeded',
    by: 'Ada Lovelace',
    duration: 252,
    changes: ['Fix login redirect loop (#412)', 'Cache tenant settings for 5 minutes (#415)'],
    url: 'https://github.com/contoso/api/actions/runs/9120',
    links: [{ title: 'Release notes', url: 'https://github.com/contoso/api/releases/tag/v2.3.0' }],
};
