/** The `build` card: a CI pipeline run's result, its status by colour, with the steps that failed. */
import { z } from 'zod';
import {
    bulletListElement,
    cardDurationSchema,
    durationExpression,
    factSetElement,
    invalidValue,
    linkedCardFields,
    markdownElement,
    type StateLook,
    stateCardTemplate,
    stateLookExpressions,
} from './parts.js';

/** A pipeline run's outcomes, as CI systems report them. */
export const BUILD_STATUSES = ['succeeded', 'failed', 'canceled', 'running'] as const;

/** A pipeline run's status. */
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** How each status looks. */
export const BUILD_STATUS_LOOK = {
    succeeded: { colour: 'good', icon: '✅' },
    failed: { colour: 'attention', icon: '❌' },
    canceled: { colour: 'warning', icon: '⏹️' },
    running: { colour: 'accent', icon: '⏳' },
} as const satisfies Record<BuildStatus, StateLook>;

/** Characters of a commit hash shown, as `git log --oneline` does. */
const SHORT_COMMIT_LENGTH = 7;

/** The `build` template's data. */
export const buildCardDataSchema = z.object({
    pipeline: z.string().trim().min(1).describe('The pipeline or workflow, e.g. "api CI"'),
    status: z.enum(BUILD_STATUSES).describe('The run\'s outcome; sets the colour'),
    runNumber: z
        .union([z.int().nonnegative(), z.string().trim().min(1)], { error: invalidValue('must be a whole number or a text') })
        .optional()
        .describe('The run number or name, e.g. 128'),
    branch: z.string().trim().min(1).optional().describe('The branch built, e.g. "main"'),
    commit: z.string().trim().min(1).optional().describe(`The commit built; a hash is shown by its first ${SHORT_COMMIT_LENGTH} characters`),
    commitMessage: z.string().optional().describe('The commit\'s message (its first line)'),
    by: z.string().optional().describe('Who or what triggered the run'),
    duration: cardDurationSchema.optional(),
    failedSteps: z.array(z.string()).optional().describe('The steps or jobs that failed, one Markdown line each'),
    ...linkedCardFields('The run in the CI system (the "View run" button)'),
});

/** Data for the `build` template, as producers write it. */
export type BuildCardData = z.input<typeof buildCardDataSchema>;

/** The status an unknown value falls back to in the card; the schema never lets one through. */
const FALLBACK_STATUS: BuildStatus = 'running';

const { colour, icon } = stateLookExpressions('status', BUILD_STATUS_LOOK, BUILD_STATUS_LOOK[FALLBACK_STATUS]);
const runPart = "if(empty(runNumber), '', concat(' #', string(runNumber)))";
const headline = `concat(${icon}, ' ', pipeline, ${runPart}, ' ', status)`;
const shortCommit = `if(length(commit) > ${SHORT_COMMIT_LENGTH}, substring(commit, 0, ${SHORT_COMMIT_LENGTH}), commit)`;

/** The `build` card template. */
export const buildCardTemplate = stateCardTemplate({
    colour,
    header: { headline },
    body: [
        markdownElement('commitMessage', { isSubtle: true }),
        factSetElement([
            { title: 'Branch', field: 'branch' },
            { title: 'Commit', field: 'commit', value: shortCommit },
            { title: 'By', field: 'by' },
            { title: 'Duration', field: 'duration', value: durationExpression('duration') },
        ]),
        bulletListElement('failedSteps', 'Failed steps', { color: BUILD_STATUS_LOOK.failed.colour }),
    ],
    mainLink: 'View run',
});

/** Example data for the `build` template. */
export const buildCardExample: BuildCardData = {
    pipeline: 'api CI',
    status: 'failed',
    runNumber: 128,
    branch: 'main',
    commit: '9f2c1e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4',
    commitMessage: 'Cache tenant settings for 5 minutes',
    by: 'Grace Hopper',
    duration: '6m 41s',
    failedSteps: ['test: 3 of 412 tests failed', 'lint: `no-floating-promises` in src/cache.ts'],
    url: 'https://github.com/contoso/api/actions/runs/9120',
};
