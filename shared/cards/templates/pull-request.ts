/** The `pull-request` card: a review request, mentioning the reviewers so Teams notifies them. */
import { z } from 'zod';
import { cardLinksSchema, cardTemplate, cardUrlSchema, invalidValue, linkActions, markdownElement, whenPresent } from './parts.js';

/** A person to mention: the name shown between `<at>` tags and the Teams user behind it. */
const mentionedPersonSchema = z.object({
    name: z.string().trim().min(1).describe('The name shown in the mention, e.g. "Ada Lovelace"'),
    id: z.string().trim().min(1).describe('Their Microsoft Entra object id or user principal name (UPN)'),
});

/** The `pull-request` template's data. */
export const pullRequestCardDataSchema = z.object({
    repo: z.string().trim().min(1).describe('The repository, e.g. "contoso/api"'),
    number: z.int({ error: invalidValue('must be a whole number') }).positive().describe('The pull request number'),
    title: z.string().trim().min(1).describe('The pull request title'),
    author: z.string().trim().min(1).optional().describe('Who opened it'),
    reviewers: z.array(mentionedPersonSchema).optional().describe('Who is asked to review; each is @mentioned'),
    sourceBranch: z.string().trim().min(1).optional().describe('The branch to merge, e.g. "feature/cache"'),
    targetBranch: z.string().trim().min(1).optional().describe('The branch it merges into, e.g. "main"'),
    additions: z.int().nonnegative().optional().describe('Lines added'),
    deletions: z.int().nonnegative().optional().describe('Lines deleted'),
    description: z.string().optional().describe('The pull request description, in Markdown'),
    url: cardUrlSchema.optional().describe('The pull request (the "Review" button)'),
    links: cardLinksSchema.optional(),
});

/** Data for the `pull-request` template, as producers write it. */
export type PullRequestCardData = z.input<typeof pullRequestCardDataSchema>;

/**
 * The mention text for one reviewer. Teams pairs each `<at>` text in the card with the
 * `msteams.entities` entry whose `text` is identical, so both are built from this one expression.
 */
const mentionText = (person: string): string => `concat('<at>', ${person}.name, '</at>')`;
const reviewerMentions = `join(foreach(reviewers, reviewer, ${mentionText('reviewer')}), ', ')`;
const branches = "concat('`', sourceBranch, '` → `', targetBranch, '`')";

/** The `pull-request` card template. */
export const pullRequestCardTemplate = cardTemplate({
    body: [
        { type: 'TextBlock', text: '🔀 ${repo} #${string(number)}', isSubtle: true, weight: 'Bolder', size: 'Small', wrap: true },
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Large', wrap: true, spacing: 'Small' },
        { type: 'TextBlock', $when: whenPresent('author'), text: 'by ${author}', isSubtle: true, wrap: true, spacing: 'None' },
        {
            type: 'TextBlock',
            $when: whenPresent('reviewers'),
            text: `Review requested: \${${reviewerMentions}}`,
            wrap: true,
        },
        {
            type: 'ColumnSet',
            $when: `\${not(empty(sourceBranch)) && not(empty(targetBranch)) || exists(additions) || exists(deletions)}`,
            columns: [
                {
                    type: 'Column',
                    width: 'stretch',
                    $when: `\${not(empty(sourceBranch)) && not(empty(targetBranch))}`,
                    items: [{ type: 'TextBlock', text: `\${${branches}}`, wrap: true }],
                },
                {
                    type: 'Column',
                    width: 'auto',
                    $when: '${exists(additions)}',
                    items: [{ type: 'TextBlock', text: '+${string(additions)}', color: 'good', weight: 'Bolder', wrap: true }],
                },
                {
                    type: 'Column',
                    width: 'auto',
                    $when: '${exists(deletions)}',
                    items: [{ type: 'TextBlock', text: '−${string(deletions)}', color: 'attention', weight: 'Bolder', wrap: true }],
                },
            ],
        },
        markdownElement('description'),
    ],
    actions: linkActions('Review'),
    msteams: {
        width: 'Full',
        entities: [
            {
                $data: '${reviewers}',
                $when: whenPresent('$root.reviewers'),
                type: 'mention',
                text: `\${${mentionText('$data')}}`,
                mentioned: { id: '${id}', name: '${name}' },
            },
        ],
    },
});

/** Example data for the `pull-request` template. */
export const pullRequestCardExample: PullRequestCardData = {
    repo: 'contoso/api',
    number: 415,
    title: 'Cache tenant settings for 5 minutes',
    author: 'Grace Hopper',
    reviewers: [
        { name: 'Ada Lovelace', id: 'ada@contoso.com' },
        { name: 'Alan Turing', id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b' },
    ],
    sourceBranch: 'feature/tenant-cache',
    targetBranch: 'main',
    additions: 120,
    deletions: 14,
    description: 'Tenant settings were read on every request; this caches them for **5 minutes** per instance.',
    url: 'https://github.com/contoso/api/pull/415',
};
