/** `teams-relay budget`: each webhook's backlog, sends per window against its limit, back-off, next free slot and counters. */
import { BACKLOG_COUNT_LIMIT, type BudgetReport, type ConnectionBudget, readBudgets, relayMisconfiguredNotice, type RetryingHead, type WebhookBudget, windowName } from '../../../shared/notify/index.js';
import { defineCliCommand, EXIT, openCliStorage } from '../command.js';
import { preview, webhookByKey } from '../display.js';


const MS_PER_SECOND = 1_000;
const SECONDS_PER_MINUTE = 60;
const MINUTES_PER_HOUR = 60;

/** Waits shorter than this many seconds are shown in seconds, longer ones in minutes. */
const SHOW_SECONDS_BELOW = 120;

/** Waits shorter than this many minutes are shown in minutes, longer ones in hours and minutes. */
const SHOW_MINUTES_BELOW = 120;

/** Width of the labels in the human output. */
const LABEL_WIDTH = 11;

/** Spaces per level of `--json` output. */
const JSON_INDENT = 2;

const OPTIONS = {
    json: { type: 'boolean' },
} as const;

const USAGE = `Usage: teams-relay budget [--json]

Shows, for every configured alias (TEAMS_WEBHOOK_<ALIAS>) and every other webhook with stored state
({url} targets), what the delivery engine sees:

  backlog      jobs waiting in the webhook's outbox
  sent         sends in each sliding window against Teams' limit: 1 s, 30 s, 1 h, 2 h, 24 h
  back-off     throttled answers in a row, and until when Teams' throttling holds the webhook back
  next slot    when the next POST may start
  wake-up      when the pending wake-up message fires
  connection   for a Workflows webhook, the Teams connection whose Flow bot budget it shares
  lifetime     jobs delivered (a connector confirmed the post) or accepted (a Workflows flow took
               them; whether it posted is in the flow's run history), throttled answers, dead letters
  retrying     only when the job at the head has failed and waits to be tried again (it holds
               the jobs behind it): its id, attempts, since when, and when it is tried next
  last error   why its last attempt failed, with the HTTP status when there was one

then each Teams connection (the Flow bot budget behind Workflows URLs): the webhooks sharing it, its
sends in the 60 s and 5 min windows against their limits (100 and 25), any Retry-After hold and its
next slot; then the number of dead letters. A warning comes first for every connector URL: Microsoft
retired Office 365 connectors, and the warning links the move to Workflows. Webhooks are named by alias, or by the first characters of their
key; URLs are never printed. "teams-relay outbox list" shows every waiting job; "teams-relay outbox
skip <job id>" moves a job that will not go to the dead letters.

  --json       print the report as JSON (times in epoch ms; absent values as null)
  -h, --help   show this help

Examples:
  teams-relay budget
  teams-relay budget --json`;

/** How long until `at`, as people say it: "now", "in 12 s", "in 38 min", "in 3 h 5 min". */
function untilText(at: number, now: number): string {
    if (at <= now) {
        return 'now';
    }
    const seconds = Math.ceil((at - now) / MS_PER_SECOND);
    if (seconds < SHOW_SECONDS_BELOW) {
        return `in ${seconds} s`;
    }
    const minutes = Math.ceil(seconds / SECONDS_PER_MINUTE);
    if (minutes < SHOW_MINUTES_BELOW) {
        return `in ${minutes} min`;
    }
    const rest = minutes % MINUTES_PER_HOUR;
    return `in ${Math.floor(minutes / MINUTES_PER_HOUR)} h${rest === 0 ? '' : ` ${rest} min`}`;
}

/** `10:42:13 UTC`, and the date too when it is not today's. */
function clockText(at: number, now: number): string {
    const iso = new Date(at).toISOString();
    const time = `${iso.slice(11, 19)} UTC`;
    return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

function webhookName(budget: WebhookBudget): string {
    return budget.alias ?? `${webhookByKey(budget.webhookKey)} ({url} target)`;
}

function backlogText(backlog: number): string {
    const jobs = `${backlog} job${backlog === 1 ? '' : 's'}`;
    return backlog >= BACKLOG_COUNT_LIMIT ? `at least ${jobs}` : jobs;
}

function backOffText(budget: WebhookBudget, now: number): string {
    if (budget.consecutiveThrottles === 0 && budget.blockedUntil === 0) {
        return 'none';
    }
    const streak = `${budget.consecutiveThrottles} throttled in a row`;
    return budget.blockedUntil > now ? `${streak}, blocked until ${clockText(budget.blockedUntil, now)} (${untilText(budget.blockedUntil, now)})` : `${streak}, not blocked`;
}

function wakeUpText(wakeAt: number, now: number): string {
    if (wakeAt === 0) {
        return 'none';
    }
    if (wakeAt <= now) {
        return `due since ${clockText(wakeAt, now)}`;
    }
    return `${untilText(wakeAt, now)} (${clockText(wakeAt, now)})`;
}

/** `job deploy-4711, 3 attempts since 10:42:13 UTC, next try in 12 s`. */
function retryingText(head: RetryingHead, now: number): string {
    const attempts = `${head.attempts} attempt${head.attempts === 1 ? '' : 's'}`;
    const since = head.firstAttemptAt === undefined ? '' : ` since ${clockText(head.firstAttemptAt, now)}`;
    return `job ${head.jobId}, ${attempts}${since}, next try ${untilText(head.notBefore, now)}`;
}

/** `HTTP 502: transient: ...`, or the reason alone when there was no answer. */
function lastErrorText(head: RetryingHead): string {
    const reason = preview(head.lastReason ?? 'no reason recorded');
    return head.lastStatus === undefined ? reason : `HTTP ${head.lastStatus}: ${reason}`;
}

/**
 * What Teams confirmed (`delivered`: a connector's `1`) and what a flow only accepted (a Workflows
 * 202: whether it posted is in the flow's run history), said apart.
 */
function lifetimeText(budget: WebhookBudget): string {
    const outcomes = budget.delivered === 0 && (budget.dialect === 'workflows' || budget.accepted > 0)
        ? `${budget.accepted} accepted by the flow (see its run history)`
        : `${budget.delivered} delivered${budget.accepted > 0 ? `, ${budget.accepted} accepted by a flow` : ''}`;
    const superseded = budget.superseded > 0 ? `, ${budget.superseded} superseded by a newer update` : '';
    return `${outcomes}${superseded}, ${budget.throttled} throttled, ${budget.deadLettered} dead-lettered`;
}

/** One Teams connection: who shares it, its windows, its next slot. */
function connectionLines(connection: ConnectionBudget, now: number): string[] {
    const facts: [string, string][] = [
        ['shared by', connection.aliases.length === 0 ? '{url} targets only' : connection.aliases.join(', ')],
        ['sent', connection.windows.map((window) => `${windowName(window.windowMs)} ${window.used}/${window.max}`).join('  ')],
        ['held', connection.blockedUntil > now ? `by Retry-After until ${clockText(connection.blockedUntil, now)} (${untilText(connection.blockedUntil, now)})` : 'no'],
        ['next slot', untilText(connection.nextSlot, now)],
        ['in turn', `${connection.sharing} webhook${connection.sharing === 1 ? '' : 's'} taking turns`],
    ];
    return [`Teams connection ${connection.connection}  Flow bot budget`, ...facts.map(([label, value]) => `  ${label.padEnd(LABEL_WIDTH)}  ${value}`)];
}

/** A relay flow that answers without a message id, said plainly. */
function relayWarning(budget: WebhookBudget): [string, string][] {
    const notice = relayMisconfiguredNotice(budget.relayWithoutId);
    return notice === undefined ? [] : [['warning', notice]];
}

function webhookLines(budget: WebhookBudget, now: number): string[] {
    const windows = budget.windows
        .map((window) => `${windowName(window.windowMs)} ${window.used}/${window.max}`)
        .join('  ');
    const facts: [string, string][] = [
        ['backlog', backlogText(budget.backlog)],
        ['sent', windows],
        ['back-off', backOffText(budget, now)],
        ['next slot', untilText(budget.nextSlot, now)],
        ['wake-up', wakeUpText(budget.wakeAt, now)],
        ...(budget.connection === undefined ? [] : ([['connection', `${budget.connection} (its Flow bot budget is shared, below)`]] as [string, string][])),
        ['lifetime', lifetimeText(budget)],
        ...relayWarning(budget),
        ...(budget.retryingHead === undefined
            ? []
            : ([
                  ['retrying', retryingText(budget.retryingHead, now)],
                  ['last error', lastErrorText(budget.retryingHead)],
              ] as [string, string][])),
    ];
    const dialect = budget.dialect === 'connector' ? 'connector (retired by Microsoft)' : (budget.dialect ?? 'dialect unknown');
    return [`${webhookName(budget)}  ${dialect}`, ...facts.map(([label, value]) => `  ${label.padEnd(LABEL_WIDTH)}  ${value}`)];
}

/** The report for people. */
function reportLines(report: BudgetReport): string[] {
    const lines: string[] = [];
    for (const notice of report.notices ?? []) {
        lines.push(`Warning: ${notice}`, '');
    }
    if (report.webhooks.length === 0) {
        lines.push('No webhook is configured: set TEAMS_WEBHOOK_<ALIAS>.');
    }
    for (const budget of report.webhooks) {
        lines.push(...webhookLines(budget, report.at), '');
    }
    for (const connection of report.connections ?? []) {
        lines.push(...connectionLines(connection, report.at), '');
    }
    if (report.webhooks.length === 0) {
        lines.push('');
    }
    const count = `${report.deadLetters} dead letter${report.deadLetters === 1 ? '' : 's'}`;
    lines.push(report.deadLetters === 0 ? `${count}.` : `${count}: teams-relay deadletters list`);
    return lines;
}

/** `undefined` printed as `null`, so every key of the report is always present. */
function nullForUndefined(_key: string, value: unknown): unknown {
    return value === undefined ? null : value;
}

/** `teams-relay budget`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'budget', summary: "show each webhook's backlog, sends per window against the limit, back-off and next slot", usage: USAGE, options: OPTIONS },
    async ({ values }, context) => {
        const config = await context.config();
        const { store } = await openCliStorage(context.io, config);
        const now = (context.io.now ?? Date.now)();
        const report = await readBudgets(store, config, { now, guardMs: config.delivery.guardMs });
        if (values.json === true) {
            context.io.stdout(JSON.stringify(report, nullForUndefined, JSON_INDENT));
            return EXIT.ok;
        }
        for (const line of reportLines(report)) {
            context.io.stdout(line);
        }
        return EXIT.ok;
    },
);
