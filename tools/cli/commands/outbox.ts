/** `teams-relay outbox`: list the jobs waiting in a webhook's outbox, in send order, and skip jobs that will not go. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BACKLOG_COUNT_LIMIT, type OutboxJob, type OutboxStore, skipJobs, type SkipOutcome, webhookKey } from '../../../shared/notify/index.js';
import type { AppConfig } from '../../../shared/config.js';
import { ClientError, wakeupQueueName } from '../../../shared/platform/index.js';
import { sendWakeup } from '../../../shared/notify/azure.js';
import { chooseAction, defineCliCommand, EXIT, openCliStorage, type CliContext, type VerbValues } from '../command.js';
import { jobFieldLines, jobFieldsOf, type ListedJobFields, preview, printable, redactUrls, tableLines, targetOf, webhookByKey } from '../display.js';

/** Most jobs listed per webhook: the head of the outbox, which is what holds the rest. */
export const LIST_LIMIT = 1_000;

/** Spaces per level of `--json` output. */
const JSON_INDENT = 2;

const ACTIONS = ['list', 'skip'] as const;
type Action = (typeof ACTIONS)[number];

const OPTIONS = {
    json: { type: 'boolean' },
    all: { type: 'boolean' },
} as const;

type OutboxValues = VerbValues<typeof OPTIONS>;

/** Which action each flag belongs to. */
const FLAG_ACTIONS: Readonly<Record<keyof typeof OPTIONS, Action>> = { json: 'list', all: 'list' };

const USAGE = `Usage: teams-relay outbox list (<alias> | --all) [--json]
       teams-relay outbox skip <job id> [<job id>...]

Every accepted job waits in its webhook's outbox until Teams' answer is recorded. Jobs go in send
order (createdAt, else when the job was accepted), one after the other: a job at the head that is
being retried holds the jobs behind it until it is delivered or its retries run out.

  list <alias>         the jobs waiting for the alias (TEAMS_WEBHOOK_<ALIAS>), in send order: job id,
                       order (createdAt), accepted, attempts, not before (the retry back-off); under
                       a job, its update key, thread key and mentions when it has them, and its last
                       error when it failed. At most ${LIST_LIMIT} jobs per webhook.
    --all              every webhook: the configured aliases and the {url} webhooks, by host
    --json             print JSON instead (times in epoch ms, absent values as null)
  skip <job id>...     move each job to the dead letters with the reason "skipped by operator",
                       keeping the job whole: "teams-relay deadletters replay <dead letter id>"
                       brings it back. A job a sender is posting right now is either delivered
                       (then it is not skipped) or skipped, never both: the skip holds the webhook
                       as a sender does, waiting for a sender to let go (at most a drain's 30 s
                       plus DELIVERY_LEASE_SECONDS; then it changes nothing and exits 1).
  -h, --help           show this help

Webhook URLs are never printed: a {url} target shows its host only.

Exit codes: 0 done, 1 a job was not skipped (unknown id, delivered meanwhile, webhook busy), 2 usage.

Examples:
  teams-relay outbox list ops
  teams-relay outbox list --all --json
  teams-relay outbox skip deploy-4711`;

/**
 * One waiting job, as `--json` prints it: every key always present, `null` (or no mentions) where it
 * does not apply. `updateKey`, `threadKey` and `mentions` are the job's own.
 */
interface ListedJob extends ListedJobFields {
    /** 1 for the head: the next job to be sent. */
    readonly position: number;
    readonly jobId: string;
    /** The alias, or the host of a `{url}` target. Never a URL. */
    readonly target: string | null;
    /** Send order: the job's `createdAt`, else when it was accepted (epoch ms). */
    readonly order: number;
    readonly acceptedAt: number;
    /** Failed attempts so far. */
    readonly attempts: number;
    readonly firstAttemptAt: number | null;
    /** Not tried again before this time (epoch ms); `null` when it may go in its turn. */
    readonly notBefore: number | null;
    readonly lastStatus: number | null;
    /** Why the last attempt failed, URLs cut to their host. */
    readonly lastReason: string | null;
}

/** One webhook's outbox, as `--json` prints it. */
interface ListedWebhook {
    readonly alias: string | null;
    readonly webhookKey: string;
    /** Jobs waiting (counting stops at {@link BACKLOG_COUNT_LIMIT}). */
    readonly waiting: number;
    /** The first {@link LIST_LIMIT} of them, in send order. */
    readonly jobs: readonly ListedJob[];
}

/** A webhook to list: its key, and the alias it is configured under. */
interface WebhookToList {
    readonly webhookKey: string;
    readonly alias: string | undefined;
}

function listedJob(job: OutboxJob, position: number): ListedJob {
    return {
        position,
        jobId: job.jobId,
        target: job.alias ?? targetOf(job.job) ?? null,
        order: job.order,
        acceptedAt: job.acceptedAt,
        attempts: job.attempts,
        firstAttemptAt: job.firstAttemptAt ?? null,
        notBefore: job.notBefore === 0 ? null : job.notBefore,
        lastStatus: job.lastStatus ?? null,
        lastReason: job.lastReason === undefined ? null : redactUrls(job.lastReason),
        ...jobFieldsOf(job.job),
    };
}

/** The webhooks `list` covers: the alias named, or with `--all` every configured alias, then every other webhook with state. */
async function webhooksToList(values: OutboxValues, operands: readonly string[], config: AppConfig, store: OutboxStore): Promise<WebhookToList[]> {
    const configured = [...config.targets.webhooks].map(([alias, url]) => ({ webhookKey: webhookKey(url), alias }));
    if (values.all === true) {
        if (operands.length > 0) {
            throw new ClientError('usage', `--all lists every webhook: give it without an alias, got "${operands.map(printable).join(' ')}"`);
        }
        const known = new Set(configured.map((webhook) => webhook.webhookKey));
        const others = (await store.listWebhooks())
            .filter((state) => !known.has(state.webhookKey))
            .map((state) => ({ webhookKey: state.webhookKey, alias: undefined }))
            .sort((a, b) => (a.webhookKey < b.webhookKey ? -1 : 1));
        return [...configured, ...others];
    }
    const [name, ...rest] = operands;
    if (name === undefined || rest.length > 0) {
        throw new ClientError('usage', name === undefined ? 'give the alias to list, or --all' : `list takes one alias, got "${operands.map(printable).join(' ')}"`);
    }
    const alias = name.toLowerCase();
    const url = config.targets.webhooks.get(alias);
    if (url === undefined) {
        const known = [...config.targets.webhooks.keys()];
        throw new ClientError('unknown_alias', `unknown alias "${printable(name)}" (configured: ${known.length === 0 ? 'none' : known.join(', ')}); --all also lists {url} webhooks`);
    }
    return [{ webhookKey: webhookKey(url), alias }];
}

/** `2026-11-23 10:00:00Z`. */
function clock(epochMs: number): string {
    const iso = new Date(epochMs).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

function heading(webhook: ListedWebhook): string {
    const name = webhook.alias ?? `${webhookByKey(webhook.webhookKey)}${webhook.jobs[0]?.target == null ? '' : ` (${webhook.jobs[0].target})`}`;
    if (webhook.waiting === 0) {
        return `${name}: no jobs waiting.`;
    }
    const count = `${webhook.waiting >= BACKLOG_COUNT_LIMIT ? 'at least ' : ''}${webhook.waiting} job${webhook.waiting === 1 ? '' : 's'} waiting`;
    return `${name}: ${count}, in send order${webhook.jobs.length < webhook.waiting ? ` (the first ${webhook.jobs.length} shown)` : ''}`;
}

/** The line under a job that failed: its last error and since when. */
function lastErrorLines(job: ListedJob): string[] {
    if (job.lastReason === null && job.lastStatus === null) {
        return [];
    }
    const status = job.lastStatus === null ? '' : `HTTP ${job.lastStatus}: `;
    const since = job.firstAttemptAt === null ? '' : ` (failing since ${clock(job.firstAttemptAt)})`;
    return [`last error: ${status}${preview(job.lastReason ?? 'no reason recorded')}${since}`];
}

function table(jobs: readonly ListedJob[]): string[] {
    return tableLines(
        ['#', 'JOB ID', 'ORDER (createdAt)', 'ACCEPTED', 'ATTEMPTS', 'NOT BEFORE'],
        jobs.map((job) => ({
            cells: [
                String(job.position),
                printable(job.jobId),
                clock(job.order),
                clock(job.acceptedAt),
                String(job.attempts),
                job.notBefore === null ? '-' : clock(job.notBefore),
            ],
            details: [...jobFieldLines(job), ...lastErrorLines(job)],
        })),
    );
}

async function list(values: OutboxValues, operands: readonly string[], context: CliContext): Promise<number> {
    const { io } = context;
    const config = await context.config();
    const { store } = await openCliStorage(io, config);
    const webhooks = await webhooksToList(values, operands, config, store);
    const listed = await Promise.all(
        webhooks.map(async ({ webhookKey: key, alias }): Promise<ListedWebhook> => {
            const [waiting, jobs] = await Promise.all([store.countJobs(key, BACKLOG_COUNT_LIMIT), store.headJobs(key, LIST_LIMIT)]);
            return { alias: alias ?? null, webhookKey: key, waiting: Math.max(waiting, jobs.length), jobs: jobs.map((job, index) => listedJob(job, index + 1)) };
        }),
    );
    if (values.json === true) {
        io.stdout(JSON.stringify({ at: (io.now ?? Date.now)(), webhooks: listed }, undefined, JSON_INDENT));
        return EXIT.ok;
    }
    // With --all, an idle webhook is one line; with an alias, it is the answer.
    const shown = values.all === true ? listed.filter((webhook) => webhook.waiting > 0) : listed;
    if (shown.length === 0) {
        io.stdout('No jobs waiting in any outbox.');
        return EXIT.ok;
    }
    shown.forEach((webhook, index) => {
        if (index > 0) {
            io.stdout('');
        }
        io.stdout(heading(webhook));
        if (webhook.jobs.length > 0) {
            for (const line of table(webhook.jobs)) {
                io.stdout(line);
            }
        }
    });
    return EXIT.ok;
}

/** What the operator reads about one outcome, and whether it is a failure. */
function outcomeLine(outcome: SkipOutcome): { readonly failed: boolean; readonly text: string } {
    const id = printable(outcome.jobId);
    if (outcome.kind === 'unknown') {
        return { failed: true, text: `${id}: not skipped: no job waits under this id (teams-relay outbox list --all)` };
    }
    const where = outcome.alias ?? webhookByKey(outcome.webhookKey);
    switch (outcome.kind) {
        case 'skipped':
            return { failed: false, text: `skipped ${id} (${where}): dead letter ${outcome.deadLetterId}` };
        case 'delivered':
            return { failed: true, text: `${id}: not skipped: it was delivered to ${where} before the skip could take the webhook` };
        case 'gone':
            return { failed: true, text: `${id}: not skipped: it left the outbox of ${where} meanwhile (teams-relay deadletters list)` };
        case 'busy':
            return { failed: true, text: `${id}: not skipped: a sender kept ${where} busy; nothing was changed, try again` };
    }
}

async function skip(ids: readonly string[], context: CliContext): Promise<number> {
    if (ids.length === 0) {
        throw new ClientError('usage', 'give the ids of the jobs to skip (teams-relay outbox list shows them)');
    }
    const { io } = context;
    const config = await context.config();
    const { store, openQueue } = await openCliStorage(io, config);
    const wakeupQueue = openQueue(config.storage, wakeupQueueName(config.queues.notifications));
    const outcomes = await skipJobs(ids, {
        store,
        now: io.now ?? Date.now,
        sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        owner: `operator-${hostname()}-${randomUUID().slice(0, 8)}`,
        leaseMs: config.delivery.leaseMs,
        // A sender lets go at the end of its drain; one that crashed, when its lease runs out.
        maxWaitMs: config.delivery.maxDrainMs + config.delivery.leaseMs,
        wake: async (key, now) => {
            await wakeupQueue.createIfNotExists();
            await sendWakeup(wakeupQueue, key, now, now);
        },
        waiting: (key, alias) => {
            io.stderr(`Waiting for the sender of ${alias ?? webhookByKey(key)} to let go…`);
        },
    });
    let failures = 0;
    const skipped: string[] = [];
    for (const outcome of outcomes) {
        const { failed, text } = outcomeLine(outcome);
        if (failed) {
            failures += 1;
            io.stderr(text);
        } else {
            io.stdout(text);
        }
        if (outcome.kind === 'skipped') {
            skipped.push(outcome.deadLetterId);
        }
    }
    if (skipped.length > 0) {
        io.stdout(`To send ${skipped.length === 1 ? 'it' : 'them'} after all: teams-relay deadletters replay ${skipped.join(' ')}`);
    }
    return failures === 0 ? EXIT.ok : EXIT.failure;
}

/** `teams-relay outbox`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'outbox', summary: 'list the jobs waiting for a webhook in send order, or skip jobs to the dead letters', usage: USAGE, options: OPTIONS, operands: true },
    async (parsed, context) => {
        const { action, operands } = chooseAction('outbox', ACTIONS, FLAG_ACTIONS, parsed);
        return action === 'list' ? list(parsed.values, operands, context) : skip(operands, context);
    },
);
