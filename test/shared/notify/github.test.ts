import { describe, expect, it } from 'vitest';
import type { BuildCardData, DeploymentCardData, MessageCardData, PullRequestCardData } from '../../../shared/cards/index.js';
import type { Conversion, ProducedJob } from '../../../shared/notify/producers/conversion.js';
import { convertGitHubDelivery } from '../../../shared/notify/producers/github.js';
import { GITHUB_CARD_SAMPLES } from '../../support/github-deliveries.js';
import { expectDeliverable as expectDeliverableBy, onlyJob } from '../../support/producer-checks.js';
import { producerFixture } from './producer-jobs.js';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const MENTIONS = new Map([['ada-l', 'ada@contoso.com']]);

const fixture = (name: string): Record<string, unknown> => producerFixture(`github/${name}`);
const expectDeliverable = (job: ProducedJob) => expectDeliverableBy('github', job);

/** The fixture with some fields of its object `key` (e.g. `workflow_run`) set to other values. */
function fixtureWith(name: string, key: string, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const body = fixture(name);
    Object.assign(body[key] as Record<string, unknown>, fields);
    return body;
}

function convert(event: string, body: unknown, deliveryId: string = DELIVERY): Conversion {
    return convertGitHubDelivery({ event, deliveryId, body }, MENTIONS);
}

describe('convertGitHubDelivery', () => {
    it('shows an <at> tag in a title or body, written or entity-encoded, as text rather than an unmatched mention', async () => {
        const body = fixture('pull-request-opened');
        const pr = body.pull_request as Record<string, unknown>;
        pr.title = 'Fix <at>Bob</at> parsing';
        pr.body = 'Cc &lt;at&gt;Ada&lt;/at&gt; and <at>Eve</at>';
        const job = onlyJob(convert('pull_request', body));
        expect(JSON.stringify(job.card.data)).not.toMatch(/<at>/i);
        await expectDeliverable(job);
    });

    it.each(GITHUB_CARD_SAMPLES)('turns a %s delivery (%s) into one %s job both destinations accept, identified by the delivery id', async (event, name, template) => {
        const job = onlyJob(convert(event, fixture(name)));
        expect(job.card.template).toBe(template);
        expect(job.identity).toBe(`github:${DELIVERY}`);
        await expectDeliverable(job);
    });

    it('gives one delivery the same identity every time, and another delivery another', () => {
        const first = onlyJob(convert('release', fixture('release-published')));
        const again = onlyJob(convert('release', fixture('release-published')));
        const other = onlyJob(convert('release', fixture('release-published'), 'f1f2f3f4-0000-11e3-81ab-4c9367dc0958'));
        expect(again.identity).toBe(first.identity);
        expect(other.identity).not.toBe(first.identity);
    });

    it('mentions a requested reviewer whose login is mapped, and puts the job in the pull request\'s thread', () => {
        const job = onlyJob(convert('pull_request', fixture('pull-request-review-requested')));
        expect(job.mentions).toEqual([{ id: 'ada@contoso.com', name: 'ada-l' }]);
        expect(job.threadKey).toBe('github:contoso/shop-api/pull/415');
        // Each event replies in the thread rather than replacing the card before it.
        expect(job.updateKey).toBeUndefined();
        expect((job.card.data as PullRequestCardData).description).toContain('Review requested from @ada-l');
    });

    it('names but does not mention reviewers whose login is not mapped, in any case of the login', () => {
        const job = onlyJob(convertGitHubDelivery({ event: 'pull_request', deliveryId: DELIVERY, body: fixture('pull-request-opened') }, new Map([['ltorvalds-c', 'linus@contoso.com']])));
        expect(job.mentions).toEqual([{ id: 'linus@contoso.com', name: 'ltorvalds-c' }]);
        expect((job.card.data as PullRequestCardData).description).toContain('Review requested from @ada-l, @ltorvalds-c');
    });

    it('shows an opened pull request: repo, number, title, author, branches, size and its description as plain text', () => {
        const card = onlyJob(convert('pull_request', fixture('pull-request-opened'))).card.data as PullRequestCardData;
        expect(card).toMatchObject({
            repo: 'contoso/shop-api',
            number: 415,
            title: 'Cache tenant settings for 5 minutes',
            author: 'gracehopper',
            sourceBranch: 'feature/cache-tenant-settings',
            targetBranch: 'main',
            additions: 120,
            deletions: 14,
            url: 'https://github.com/contoso/shop-api/pull/415',
        });
        expect(card.description).toContain('This caches them for **5 minutes** per instance.');
        expect(card.description).not.toContain('<!--');
    });

    it('says who merged a merged pull request, into which branch', () => {
        const job = onlyJob(convert('pull_request', fixture('pull-request-merged')));
        expect((job.card.data as PullRequestCardData).description).toBe('✅ **Merged** into `main` by ada-l');
        expect(job.mentions).toBeUndefined();
    });

    it('ignores a pull request closed without merging, and other pull request actions', () => {
        const closed = fixtureWith('pull-request-merged', 'pull_request', { merged: false });
        expect(convert('pull_request', closed)).toEqual({ kind: 'ignored', event: 'pull_request.closed' });
        expect(convert('pull_request', fixture('pull-request-synchronize'))).toEqual({ kind: 'ignored', event: 'pull_request.synchronize' });
    });

    it('shows a failed workflow run with its branch, commit, who started it and how long it took, keyed to the run', () => {
        const job = onlyJob(convert('workflow_run', fixture('workflow-run-completed-failure')));
        expect(job.updateKey).toBe('github:contoso/shop-api/actions/runs/8245119301');
        expect(job.card.data).toMatchObject({
            pipeline: 'contoso/shop-api · CI',
            status: 'failed',
            runNumber: 128,
            branch: 'feature/cache-tenant-settings',
            commit: '9f2c1e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4',
            commitMessage: 'Cache tenant settings for 5 minutes',
            by: 'gracehopper',
            duration: 401,
            url: 'https://github.com/contoso/shop-api/actions/runs/8245119301',
        } satisfies BuildCardData);
    });

    it('shows a successful rerun with its attempt and event', () => {
        const card = onlyJob(convert('workflow_run', fixture('workflow-run-completed-success'))).card.data as BuildCardData;
        expect(card.status).toBe('succeeded');
        expect(card.facts).toEqual([
            { name: 'Event', value: 'push' },
            { name: 'Attempt', value: 2 },
        ]);
    });

    it.each(Object.entries({ timed_out: 'failed', startup_failure: 'failed', skipped: 'canceled', neutral: 'succeeded', action_required: 'running' }))('shows the conclusion %s as %s, naming it', (conclusion, status) => {
        const body = fixtureWith('workflow-run-completed-failure', 'workflow_run', { conclusion });
        const card = onlyJob(convert('workflow_run', body)).card.data as BuildCardData;
        expect(card.status).toBe(status);
        expect(card.facts).toContainEqual({ name: 'Conclusion', value: conclusion });
    });

    it('shows a cancelled run as canceled, which the status says by itself', () => {
        const body = fixtureWith('workflow-run-completed-failure', 'workflow_run', { conclusion: 'cancelled' });
        const card = onlyJob(convert('workflow_run', body)).card.data as BuildCardData;
        expect(card.status).toBe('canceled');
        expect(card.facts?.map((row) => row.name)).toEqual(['Event']);
    });

    it('makes a running build card of a started workflow run, for relay flows only, keyed like its completion', () => {
        const started = onlyJob(convert('workflow_run', fixture('workflow-run-in-progress')));
        expect(started.relayOnly).toBe(true);
        expect((started.card.data as BuildCardData).status).toBe('running');
        const completed = onlyJob(convert('workflow_run', fixture('workflow-run-completed-failure')));
        expect(completed.relayOnly).toBeUndefined();
        expect(started.updateKey).toBe(completed.updateKey);
    });

    it('ignores a workflow run action it does not show', () => {
        const body = fixture('workflow-run-in-progress');
        body.action = 'deleted';
        expect(convert('workflow_run', body)).toEqual({ kind: 'ignored', event: 'workflow_run.deleted' });
    });

    it('lists the steps that failed in a failed workflow job', () => {
        const job = onlyJob(convert('workflow_job', fixture('workflow-job-completed-failure')));
        expect(job.card.data).toMatchObject({ pipeline: 'contoso/shop-api · CI / test (node 20)', status: 'failed', failedSteps: ['npm test'], duration: 387 });
        expect(job.updateKey).toBe('github:contoso/shop-api/actions/runs/8245119301/jobs/22711930042');
    });

    it('ignores a workflow job that did not fail', () => {
        const body = fixtureWith('workflow-job-completed-failure', 'workflow_job', { conclusion: 'success' });
        expect(convert('workflow_job', body)).toEqual({ kind: 'ignored', event: 'workflow_job.completed (success)' });
    });

    it('shows a deployment status: service, version, environment, who, and links to the log and the environment', () => {
        const job = onlyJob(convert('deployment_status', fixture('deployment-status-success')));
        expect(job.updateKey).toBe('github:contoso/shop-api/deployments/1402457731');
        expect(job.card.data).toEqual({
            service: 'shop-api',
            version: 'v2.3.0',
            environment: 'production',
            status: 'succeeded',
            by: 'ada-l',
            duration: 251,
            facts: [
                { name: 'Commit', value: '4e1c2b7d9a0f3e5c6b8d1a2f4e7c9b0d3a5f6e81' },
                { name: 'Note', value: 'Deployed to 3 of 3 instances' },
            ],
            url: 'https://github.com/contoso/shop-api/actions/runs/8245330112/job/22712500991',
            links: [{ title: 'Open environment', url: 'https://shop.contoso.com' }],
        } satisfies DeploymentCardData);
    });

    it.each(Object.entries({ pending: 'started', in_progress: 'started', failure: 'failed', error: 'failed' }))('shows the deployment state %s as %s', (state, status) => {
        const body = fixtureWith('deployment-status-success', 'deployment_status', { state });
        expect((onlyJob(convert('deployment_status', body)).card.data as DeploymentCardData).status).toBe(status);
    });

    it('ignores an inactive (superseded) deployment status', () => {
        const body = fixtureWith('deployment-status-success', 'deployment_status', { state: 'inactive' });
        expect(convert('deployment_status', body)).toEqual({ kind: 'ignored', event: 'deployment_status.inactive' });
    });

    it('shows a published release with its notes, tag and author', () => {
        const card = onlyJob(convert('release', fixture('release-published'))).card.data as MessageCardData;
        expect(card.title).toBe('🏷️ contoso/shop-api v2.3.0 released');
        expect(card.text).toContain("## What's changed");
        expect(card.facts).toEqual([
            { name: 'Tag', value: 'v2.3.0' },
            { name: 'By', value: 'ada-l' },
        ]);
        expect(card.links).toEqual([{ title: 'Release notes', url: 'https://github.com/contoso/shop-api/releases/tag/v2.3.0' }]);
    });

    it('ignores other release actions', () => {
        expect(convert('release', { ...fixture('release-published'), action: 'created' })).toEqual({ kind: 'ignored', event: 'release.created' });
    });

    it('ignores other events by name', () => {
        expect(convert('push', fixture('push'))).toEqual({ kind: 'ignored', event: 'push' });
        expect(convert('issues', { action: 'opened' })).toEqual({ kind: 'ignored', event: 'issues' });
    });

    it('acknowledges ping, which GitHub sends when the webhook is created, posting nothing', () => {
        expect(convert('ping', fixture('ping'))).toEqual({ kind: 'acknowledged', event: 'ping' });
    });

    it.each([
        ['no event header', { event: undefined, deliveryId: DELIVERY, body: {} }, 'X-GitHub-Event: missing'],
        ['no delivery id', { event: 'push', deliveryId: undefined, body: {} }, 'X-GitHub-Delivery: missing'],
        ['a delivery id with a control character', { event: 'push', deliveryId: 'a\nb', body: {} }, 'X-GitHub-Delivery'],
        ['a body that is not an object', { event: 'push', deliveryId: DELIVERY, body: [1] }, 'body: must be a JSON object'],
        ['a pull request without one', { event: 'pull_request', deliveryId: DELIVERY, body: { action: 'opened', number: 1, repository: { full_name: 'a/b' } } }, 'pull_request: must be an object'],
        ['a workflow run without its repository', { event: 'workflow_run', deliveryId: DELIVERY, body: { action: 'completed', workflow_run: { id: 1 } } }, 'repository: must be an object'],
    ])('names the problem with %s', (_what, delivery, problem) => {
        const conversion = convertGitHubDelivery(delivery, MENTIONS);
        expect(conversion.kind).toBe('invalid');
        expect(conversion.kind === 'invalid' ? conversion.problems.join('\n') : '').toContain(problem);
    });

    it('fits a pull request with a huge body, title and reviewer list into a deliverable card', async () => {
        const body = fixture('pull-request-opened');
        const pr = body.pull_request as Record<string, unknown>;
        pr.title = '<script>alert(1)</script>'.repeat(5_000);
        pr.body = '<img src=x onerror=alert(1)>字'.repeat(50_000);
        pr.requested_reviewers = Array.from({ length: 500 }, (_, index) => ({ login: `user-${index}` }));
        const job = onlyJob(convertGitHubDelivery({ event: 'pull_request', deliveryId: DELIVERY, body }, new Map(Array.from({ length: 500 }, (_, index) => [`user-${index}`, `u${index}@contoso.com`]))));
        expect(job.mentions).toHaveLength(20);
        expect((job.card.data as PullRequestCardData).description).toContain('490 more reviewers');
        await expectDeliverable(job);
    });
});
