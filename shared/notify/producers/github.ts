/** GitHub webhook deliveries to card jobs: pull requests, workflow runs and failed jobs, deployments and releases. */
import { z } from 'zod';
import type { BuildCardData, BuildStatus, DeploymentCardData, DeploymentStatus, MessageCardData, PullRequestCardData } from '../../cards/index.js';
import { MAX_JOB_MENTIONS, type JobMention } from '../jobs.js';
import { ClientError } from '../../platform/index.js';
import { CARD_TEXT_LIMITS, clipText, isCardUrl, keepFirst, plainText } from './card-text.js';
import type { Conversion, ProducedJob } from './conversion.js';
import type { ProducerEndpoint } from './endpoint.js';
import { GITHUB_LOGIN } from './github-mentions.js';
import { GITHUB_SIGNATURE_HEADER, verifyGitHubSignature } from './github-signature.js';

/** The event GitHub sends once when a webhook is created; it is answered 200 and posts nothing. */
const GITHUB_PING_EVENT = 'ping';

/** The headers that name a delivery's event and id. */
const GITHUB_EVENT_HEADER = 'x-github-event';
const GITHUB_DELIVERY_HEADER = 'x-github-delivery';

/** Longest delivery id kept as an identity: GitHub's are GUIDs. */
const MAX_GITHUB_DELIVERY_ID_LENGTH = 128;

/** How much of a delivery the card shows, besides {@link CARD_TEXT_LIMITS}. */
const GITHUB_CARD_LIMITS = {
    ...CARD_TEXT_LIMITS,
    nameBytes: 200,
    commitMessageBytes: 500,
    failedSteps: 10,
    reviewersNamed: 10,
} as const;

const limits = GITHUB_CARD_LIMITS;

/** One delivery as the endpoint receives it. */
interface GitHubDelivery {
    /** `X-GitHub-Event`. */
    readonly event: string | null | undefined;
    /** `X-GitHub-Delivery`: a GUID per delivery, kept by GitHub's redeliveries. */
    readonly deliveryId: string | null | undefined;
    /** The parsed JSON body. */
    readonly body: unknown;
}

/** A value read leniently: anything else is treated as absent. */
const text = z.string().nullish().catch(undefined);
const count = z.int().nonnegative().nullish().catch(undefined);
const user = z.object({ login: z.string() }).nullish().catch(undefined);
const flag = z.boolean().nullish().catch(undefined);
/** A value the event cannot be shown without. */
const requiredText = z.string({ error: 'must be a string' });
const wholeId = z.int({ error: 'must be a whole number' }).nonnegative();

/** An object of the payload that the event cannot be shown without. */
function payloadObject<Shape extends z.ZodRawShape>(shape: Shape) {
    return z.object(shape, { error: 'must be an object' });
}

const repository = payloadObject({ full_name: z.string().trim().min(1, 'must not be empty'), name: text, html_url: text });

/**
 * Converts one GitHub webhook delivery into jobs: `pull_request` (`opened`, `review_requested`,
 * `closed` when merged) into a `pull-request` card that @mentions the reviewers `mentionMap` knows
 * (lower-case login → UPN or Entra object id), `workflow_run` `completed` and a failed
 * `workflow_job` into a `build` card, `deployment_status` into a `deployment` card, `release`
 * `published` into a `message` card; `ping` is `acknowledged`. Other events and actions are
 * `ignored`. The identity is the delivery id, so GitHub's redelivery of one delivery is posted once.
 *
 * @example
 * convertGitHubDelivery({ event: 'ping', deliveryId, body }, new Map()); // { kind: 'acknowledged', event: 'ping' }
 */
export function convertGitHubDelivery(delivery: GitHubDelivery, mentionMap: ReadonlyMap<string, string>): Conversion {
    const problems = [...headerProblems(delivery)];
    if (typeof delivery.body !== 'object' || delivery.body === null || Array.isArray(delivery.body)) {
        problems.push('body: must be a JSON object (a GitHub webhook payload)');
    }
    if (problems.length > 0) {
        return { kind: 'invalid', problems };
    }
    const event = delivery.event ?? '';
    const identity = `github:${delivery.deliveryId ?? ''}`;
    switch (event) {
        case GITHUB_PING_EVENT:
            return { kind: 'acknowledged', event };
        case 'pull_request':
            return pullRequest(identity, delivery.body, mentionMap);
        case 'workflow_run':
            return convertParsed(event, workflowRunEvent, delivery.body, (data) => workflowRun(identity, data));
        case 'workflow_job':
            return convertParsed(event, workflowJobEvent, delivery.body, (data) => workflowJob(identity, data));
        case 'deployment_status':
            return convertParsed(event, deploymentStatusEvent, delivery.body, (data) => deploymentStatus(identity, data));
        case 'release':
            return convertParsed(event, releaseEvent, delivery.body, (data) => release(identity, data));
        default:
            return { kind: 'ignored', event };
    }
}

function headerProblems(delivery: GitHubDelivery): string[] {
    const problems: string[] = [];
    if (typeof delivery.event !== 'string' || !/^[a-z_]{1,64}$/.test(delivery.event)) {
        problems.push('X-GitHub-Event: missing or not an event name (GitHub sends it with every delivery)');
    }
    const id = delivery.deliveryId;
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_GITHUB_DELIVERY_ID_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(id)) {
        problems.push(`X-GitHub-Delivery: missing or not a delivery id (GitHub sends a GUID; at most ${MAX_GITHUB_DELIVERY_ID_LENGTH} characters)`);
    }
    return problems;
}

/** The event's payload, parsed with `schema`, as `convert` makes it jobs; or the problems, each naming its field. */
function convertParsed<S extends z.ZodType>(event: string, schema: S, body: unknown, convert: (data: z.output<S>) => Conversion): Conversion {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
        return { kind: 'invalid', problems: parsed.error.issues.map((issue) => `${issue.path.length === 0 ? event : issue.path.join('.')}: ${issue.message}`) };
    }
    return convert(parsed.data);
}

/** The one job of a card about `path` in the repository, which the card is updated by (`updateKey`). */
function repositoryJob(identity: string, repository: string, path: string, card: ProducedJob['card'], extra: Pick<ProducedJob, 'relayOnly'> = {}): Conversion {
    return { kind: 'jobs', jobs: [{ identity, updateKey: `github:${repository}/${path}`, ...extra, card }] };
}

/** `{ [key]: value }` cut to a name's size when the value has more than spaces, else nothing. */
function nameField<K extends string>(key: K, value: string | null | undefined): { [P in K]?: string } {
    return optional(key, value?.trim() ? clipText(value, limits.nameBytes) : undefined);
}

/** `event.action`, for the answer to an action this converter does not post. */
function ignored(event: string, action: string): Conversion {
    return { kind: 'ignored', event: `${event}.${clipText(action, limits.factNameBytes)}` };
}

/** A one-button `links` list for a card, when the URL is one a card may open. */
function linkList(title: string, url: string | null | undefined): { title: string; url: string }[] | undefined {
    return url && isCardUrl(url) ? [{ title, url }] : undefined;
}

/** The first line of a commit message. */
function firstLine(message: string | null | undefined): string | undefined {
    const line = message?.split('\n')[0]?.trim();
    return line ? clipText(line, limits.commitMessageBytes) : undefined;
}

/** Whole seconds from `start` to `end` (ISO 8601), when both are times and in order. */
function secondsBetween(start: string | null | undefined, end: string | null | undefined): number | undefined {
    const seconds = Math.round((Date.parse(end ?? '') - Date.parse(start ?? '')) / 1000);
    return Number.isSafeInteger(seconds) && seconds >= 0 ? seconds : undefined;
}

const pullRequestEvent = z.object({
    action: requiredText,
    number: z.int({ error: 'must be a whole number' }).positive(),
    pull_request: payloadObject({
        title: requiredText,
        html_url: text,
        body: text,
        user,
        merged: flag,
        merged_by: user,
        draft: flag,
        head: z.object({ ref: text }).nullish().catch(undefined),
        base: z.object({ ref: text }).nullish().catch(undefined),
        additions: count,
        deletions: count,
        requested_reviewers: z.array(z.unknown()).nullish().catch(undefined),
    }),
    requested_reviewer: user,
    requested_team: z.object({ name: z.string() }).nullish().catch(undefined),
    repository,
});

/** The pull request actions that are posted. */
const POSTED_PULL_REQUEST_ACTIONS = new Set(['opened', 'review_requested', 'closed']);

function pullRequest(identity: string, body: unknown, mentionMap: ReadonlyMap<string, string>): Conversion {
    const action = z.object({ action: z.string() }).safeParse(body);
    if (action.success && !POSTED_PULL_REQUEST_ACTIONS.has(action.data.action)) {
        return ignored('pull_request', action.data.action);
    }
    return convertParsed('pull_request', pullRequestEvent, body, (data) => pullRequestCard(identity, data, mentionMap));
}

function pullRequestCard(identity: string, data: z.output<typeof pullRequestEvent>, mentionMap: ReadonlyMap<string, string>): Conversion {
    const pr = data.pull_request;
    if (data.action === 'closed' && pr.merged !== true) {
        return ignored('pull_request', 'closed');
    }
    const reviewers = (data.action === 'review_requested' ? [data.requested_reviewer] : (pr.requested_reviewers ?? []).map((item) => user.parse(item)))
        .flatMap((reviewer) => (reviewer && GITHUB_LOGIN.test(reviewer.login) ? [reviewer.login] : []));
    const mentions: JobMention[] = reviewers.flatMap((login) => {
        const id = mentionMap.get(login.toLowerCase());
        return id === undefined ? [] : [{ id, name: login }];
    });
    const lines: string[] = [];
    if (data.action === 'closed') {
        lines.push(`✅ **Merged**${pr.base?.ref ? ` into \`${clipText(pr.base.ref, limits.nameBytes)}\`` : ''}${pr.merged_by ? ` by ${clipText(pr.merged_by.login, limits.nameBytes)}` : ''}`);
    }
    const named = keepFirst(reviewers, limits.reviewersNamed, 'reviewers');
    const team = data.action === 'review_requested' ? data.requested_team?.name : undefined;
    if (named.kept.length > 0 || team) {
        const who = [...named.kept.map((login) => `@${login}`), ...(team ? [`team ${clipText(team, limits.nameBytes)}`] : []), ...(named.leftOut ? [named.leftOut] : [])];
        lines.push(`Review requested from ${who.join(', ')}`);
    }
    if (data.action === 'opened' && pr.body) {
        lines.push(plainText(pr.body));
    }
    const description = clipText(lines.join('\n\n'), limits.descriptionBytes);
    const key = `github:${data.repository.full_name}/pull/${data.number}`;
    const card: PullRequestCardData = {
        repo: clipText(data.repository.full_name, limits.nameBytes),
        number: data.number,
        title: clipText(`${pr.draft === true ? '[Draft] ' : ''}${pr.title.trim() || '(no title)'}`, limits.titleBytes),
        ...(pr.user ? { author: clipText(pr.user.login, limits.nameBytes) } : {}),
        ...nameField('sourceBranch', pr.head?.ref),
        ...nameField('targetBranch', pr.base?.ref),
        ...(pr.additions !== null && pr.additions !== undefined ? { additions: pr.additions } : {}),
        ...(pr.deletions !== null && pr.deletions !== undefined ? { deletions: pr.deletions } : {}),
        ...(description !== '' ? { description } : {}),
        ...(pr.html_url && isCardUrl(pr.html_url) ? { url: pr.html_url } : {}),
    };
    // Each event of a pull request is its own message in the pull request's thread (on a relay flow).
    const job: ProducedJob = {
        identity,
        threadKey: key,
        ...(mentions.length > 0 ? { mentions: mentions.slice(0, MAX_JOB_MENTIONS) } : {}),
        card: { template: 'pull-request', data: card },
    };
    return { kind: 'jobs', jobs: [job] };
}

/** A GitHub Actions conclusion as the `build` card's status; anything unknown shows as still running. */
const CONCLUSION_STATUS: Readonly<Record<string, BuildStatus>> = {
    success: 'succeeded',
    neutral: 'succeeded',
    failure: 'failed',
    timed_out: 'failed',
    startup_failure: 'failed',
    cancelled: 'canceled',
    skipped: 'canceled',
    stale: 'canceled',
};

/** The conclusions the card's status shows by itself; others are also named in a fact. */
const PLAIN_CONCLUSIONS = new Set(['success', 'failure', 'cancelled']);

function buildStatus(conclusion: string | null | undefined): BuildStatus {
    return (conclusion !== null && conclusion !== undefined && Object.hasOwn(CONCLUSION_STATUS, conclusion) ? CONCLUSION_STATUS[conclusion] : undefined) ?? 'running';
}

const workflowRunEvent = z.object({
    action: requiredText,
    workflow_run: payloadObject({
        id: wholeId,
        name: text,
        run_number: count,
        run_attempt: count,
        conclusion: text,
        event: text,
        head_branch: text,
        head_sha: text,
        head_commit: z.object({ message: text }).nullish().catch(undefined),
        html_url: text,
        actor: user,
        triggering_actor: user,
        run_started_at: text,
        updated_at: text,
    }),
    workflow: z.object({ name: text }).nullish().catch(undefined),
    repository,
});

function workflowRun(identity: string, data: z.output<typeof workflowRunEvent>): Conversion {
    // A run that starts is worth a card only where the card can turn into the result later (a relay
    // flow updates it in place); other aliases get the completed run alone.
    const started = data.action === 'requested' || data.action === 'in_progress';
    if (data.action !== 'completed' && !started) {
        return ignored('workflow_run', data.action);
    }
    const run = data.workflow_run;
    const facts = [
        ...(run.conclusion && !PLAIN_CONCLUSIONS.has(run.conclusion) ? [{ name: 'Conclusion', value: clipText(run.conclusion, limits.factValueBytes) }] : []),
        ...(run.event ? [{ name: 'Event', value: clipText(run.event, limits.factValueBytes) }] : []),
        ...(run.run_attempt !== null && run.run_attempt !== undefined && run.run_attempt > 1 ? [{ name: 'Attempt', value: run.run_attempt }] : []),
    ];
    const duration = secondsBetween(run.run_started_at, run.updated_at);
    const by = run.triggering_actor?.login ?? run.actor?.login;
    const card: BuildCardData = {
        pipeline: clipText(`${data.repository.full_name} · ${run.name?.trim() || data.workflow?.name?.trim() || 'workflow'}`, limits.titleBytes),
        status: started ? 'running' : buildStatus(run.conclusion),
        ...(run.run_number !== null && run.run_number !== undefined ? { runNumber: run.run_number } : {}),
        ...nameField('branch', run.head_branch),
        ...nameField('commit', run.head_sha),
        ...optional('commitMessage', firstLine(run.head_commit?.message)),
        ...(by ? { by: clipText(by, limits.nameBytes) } : {}),
        ...(duration !== undefined ? { duration } : {}),
        ...(facts.length > 0 ? { facts } : {}),
        ...(run.html_url && isCardUrl(run.html_url) ? { url: run.html_url } : {}),
    };
    return repositoryJob(identity, data.repository.full_name, `actions/runs/${run.id}`, { template: 'build', data: card }, started ? { relayOnly: true } : {});
}

const workflowJobEvent = z.object({
    action: requiredText,
    workflow_job: payloadObject({
        id: wholeId,
        run_id: z.int().nonnegative().nullish().catch(undefined),
        name: text,
        workflow_name: text,
        conclusion: text,
        head_branch: text,
        head_sha: text,
        html_url: text,
        started_at: text,
        completed_at: text,
        steps: z.array(z.unknown()).nullish().catch(undefined),
    }),
    repository,
    sender: user,
});

const step = z.object({ name: z.string(), conclusion: text });

/**
 * A failed job of a workflow run: a `build` card listing the steps that failed, which only the
 * `workflow_job` payload names (a `workflow_run` payload does not list its jobs). Jobs that did not
 * fail are not posted: the run's own card reports them.
 */
function workflowJob(identity: string, data: z.output<typeof workflowJobEvent>): Conversion {
    const job = data.workflow_job;
    if (data.action !== 'completed' || buildStatus(job.conclusion) !== 'failed') {
        return ignored('workflow_job', data.action === 'completed' ? `completed (${job.conclusion ?? 'no conclusion'})` : data.action);
    }
    const failed = (job.steps ?? []).flatMap((item) => {
        const parsedStep = step.safeParse(item);
        return parsedStep.success && buildStatus(parsedStep.data.conclusion) === 'failed' ? [parsedStep.data.name] : [];
    });
    const shown = keepFirst(failed, limits.failedSteps, 'failed steps');
    const duration = secondsBetween(job.started_at, job.completed_at);
    const card: BuildCardData = {
        pipeline: clipText(`${data.repository.full_name} · ${job.workflow_name?.trim() || 'workflow'} / ${job.name?.trim() || 'job'}`, limits.titleBytes),
        status: 'failed',
        ...nameField('branch', job.head_branch),
        ...nameField('commit', job.head_sha),
        ...(data.sender ? { by: clipText(data.sender.login, limits.nameBytes) } : {}),
        ...(duration !== undefined ? { duration } : {}),
        ...(shown.kept.length > 0 ? { failedSteps: [...shown.kept.map((name) => clipText(name, limits.nameBytes)), ...(shown.leftOut ? [shown.leftOut] : [])] } : {}),
        ...(job.conclusion && !PLAIN_CONCLUSIONS.has(job.conclusion) ? { facts: [{ name: 'Conclusion', value: clipText(job.conclusion, limits.factValueBytes) }] } : {}),
        ...(job.html_url && isCardUrl(job.html_url) ? { url: job.html_url } : {}),
    };
    const run = job.run_id === null || job.run_id === undefined ? '' : `actions/runs/${job.run_id}/`;
    return repositoryJob(identity, data.repository.full_name, `${run}jobs/${job.id}`, { template: 'build', data: card });
}

/** A deployment status's state as the `deployment` card's status; `inactive` (superseded) is not posted. */
const DEPLOYMENT_STATE_STATUS: Readonly<Record<string, DeploymentStatus>> = {
    pending: 'started',
    queued: 'started',
    in_progress: 'started',
    waiting: 'started',
    success: 'succeeded',
    failure: 'failed',
    error: 'failed',
};

const deploymentStatusEvent = z.object({
    deployment_status: payloadObject({
        state: requiredText,
        environment: text,
        description: text,
        target_url: text,
        log_url: text,
        environment_url: text,
        creator: user,
        created_at: text,
    }),
    deployment: payloadObject({ id: wholeId, ref: text, sha: text, environment: text, creator: user, created_at: text }),
    repository,
});

function deploymentStatus(identity: string, data: z.output<typeof deploymentStatusEvent>): Conversion {
    const state = data.deployment_status;
    const status = Object.hasOwn(DEPLOYMENT_STATE_STATUS, state.state) ? DEPLOYMENT_STATE_STATUS[state.state] : undefined;
    if (status === undefined) {
        return ignored('deployment_status', state.state);
    }
    const environment = state.environment?.trim() || data.deployment.environment?.trim();
    const by = state.creator?.login ?? data.deployment.creator?.login;
    const duration = status === 'started' ? undefined : secondsBetween(data.deployment.created_at, state.created_at);
    const facts = [
        ...(data.deployment.sha?.trim() && data.deployment.sha !== data.deployment.ref ? [{ name: 'Commit', value: clipText(data.deployment.sha, limits.nameBytes) }] : []),
        ...(state.description?.trim() ? [{ name: 'Note', value: clipText(plainText(state.description), limits.factValueBytes) }] : []),
    ];
    const card: DeploymentCardData = {
        service: clipText(data.repository.name?.trim() || data.repository.full_name, limits.nameBytes),
        ...nameField('version', data.deployment.ref),
        ...nameField('environment', environment),
        status,
        ...(by ? { by: clipText(by, limits.nameBytes) } : {}),
        ...(duration !== undefined ? { duration } : {}),
        ...(facts.length > 0 ? { facts } : {}),
        ...(state.log_url && isCardUrl(state.log_url) ? { url: state.log_url } : state.target_url && isCardUrl(state.target_url) ? { url: state.target_url } : {}),
        ...optional('links', linkList('Open environment', state.environment_url)),
    };
    return repositoryJob(identity, data.repository.full_name, `deployments/${data.deployment.id}`, { template: 'deployment', data: card });
}

const releaseEvent = z.object({
    action: requiredText,
    release: payloadObject({ id: wholeId, tag_name: requiredText, name: text, body: text, html_url: text, prerelease: flag, author: user }),
    repository,
});

function release(identity: string, data: z.output<typeof releaseEvent>): Conversion {
    if (data.action !== 'published') {
        return ignored('release', data.action);
    }
    const rel = data.release;
    const name = rel.name?.trim() || rel.tag_name.trim() || 'a release';
    const facts = [
        ...(rel.tag_name.trim() ? [{ name: 'Tag', value: clipText(rel.tag_name, limits.nameBytes) }] : []),
        ...(rel.author ? [{ name: 'By', value: clipText(rel.author.login, limits.nameBytes) }] : []),
        ...(rel.prerelease === true ? [{ name: 'Pre-release', value: 'yes' }] : []),
    ];
    const card: MessageCardData = {
        title: clipText(`🏷️ ${data.repository.full_name} ${name} released`, limits.titleBytes),
        ...optional('text', rel.body?.trim() ? clipText(plainText(rel.body), limits.descriptionBytes) : undefined),
        ...(facts.length > 0 ? { facts } : {}),
        ...optional('links', linkList('Release notes', rel.html_url)),
    };
    return repositoryJob(identity, data.repository.full_name, `releases/${rel.id}`, { template: 'message', data: card });
}

/** `{ [key]: value }` when the value is present, else nothing (optional card fields are left out, never `undefined`). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/**
 * `POST /api/hooks/github`: every delivery must carry `X-Hub-Signature-256` made with
 * `GITHUB_WEBHOOK_SECRET`, checked over the raw body before it is parsed; any failure, a missing
 * secret included, is the same `401`.
 */
export const githubProducer: ProducerEndpoint = {
    name: 'github',
    format: 'a GitHub webhook delivery',
    routesAlerts: false,
    verify(rawBody, input) {
        const check = verifyGitHubSignature(rawBody, input.header(GITHUB_SIGNATURE_HEADER), input.config.github.webhookSecret);
        if (!check.ok) {
            throw new ClientError('bad_signature', `The request is not signed with the GitHub webhook secret (${GITHUB_SIGNATURE_HEADER})`, 401);
        }
    },
    convert: (body, input) =>
        convertGitHubDelivery({ event: input.header(GITHUB_EVENT_HEADER), deliveryId: input.header(GITHUB_DELIVERY_HEADER), body }, input.config.github.mentionMap),
};
