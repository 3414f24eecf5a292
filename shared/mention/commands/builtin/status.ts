/** `status`: each webhook's backlog and budget, and the dead letters, as an Adaptive Card with a bar per rate window. */
import { type BudgetReport, type ConnectionBudget, relayMisconfiguredNotice, type RetryingHead, WEBHOOK_SETTING_PREFIX, type WebhookBudget, windowName, type WindowUsage } from '../../../notify/index.js';
import { getConfig } from '../../../config.js';
import { MS_PER_SECOND } from '../../../platform/config.js';
import { EVERY_WEBHOOK, type MentionScope } from '../../settings.js';
import { type AdaptiveCard, CARD_VERSION } from '../../../cards/index.js';
import { defineCommand, type MentionCaller } from '../command.js';

/** Container styles a bar's filled part can have, by how full the window is. */
type FillStyle = 'good' | 'warning' | 'attention';

/** `HH:MM` inside an ISO timestamp. */
const CLOCK_START = 11;
const CLOCK_END = 16;

/** `HH:MM UTC` of an epoch-ms time. */
function clock(epochMs: number): string {
    return `${new Date(epochMs).toISOString().slice(CLOCK_START, CLOCK_END)} UTC`;
}

/** When something happens: `now`, `in 12 s`, `in 8 min (12:08 UTC)`. */
function when(epochMs: number, now: number): string {
    if (epochMs <= now) {
        return 'now';
    }
    const wait = duration(epochMs - now);
    return isShortWait(epochMs - now) ? `in ${wait}` : `in ${wait} (${clock(epochMs)})`;
}

/** Waits shorter than this are said in seconds, longer ones in minutes with the clock time. */
const SHOW_SECONDS_BELOW = 120;

/** Waits this short are said in seconds, without the clock time. */
function isShortWait(ms: number): boolean {
    return Math.ceil(ms / MS_PER_SECOND) < SHOW_SECONDS_BELOW;
}

/** Seconds in a minute, for waits said in minutes. */
const SECONDS_PER_MINUTE = 60;

/** A wait as people say it: `12 s` or `8 min`. */
function duration(ms: number): string {
    const seconds = Math.ceil(ms / MS_PER_SECOND);
    return isShortWait(ms) ? `${seconds} s` : `${Math.ceil(seconds / SECONDS_PER_MINUTE)} min`;
}

/** A window this full (used / max) is drawn in the warning colour; a full one in the attention colour. */
const WARNING_RATIO = 0.75;

/** The colour of a window's bar: good, warning from {@link WARNING_RATIO}, attention when full. */
export function windowFillStyle(window: Pick<WindowUsage, 'used' | 'max'>): FillStyle {
    if (window.used >= window.max) {
        return 'attention';
    }
    return window.used >= window.max * WARNING_RATIO ? 'warning' : 'good';
}

/** How tall a bar's parts are at least (their style's padding makes them taller in Teams). */
const BAR_MIN_HEIGHT = '8px';

/** One part of a bar: a Column weighted by the sends it stands for, holding a Container of one style. */
function barPart(weight: number, style: FillStyle | 'emphasis', first: boolean): object {
    return {
        type: 'Column',
        width: weight,
        ...(first ? {} : { spacing: 'None' }),
        items: [{ type: 'Container', style, minHeight: BAR_MIN_HEIGHT, items: [] }],
    };
}

/** The label column beside each bar: wide enough for `24 h 1800/1800` at Teams' default font size. */
const BAR_LABEL_WIDTH = '112px';

/**
 * One window as a bar: sends used (filled, coloured by {@link windowFillStyle}) against the rest
 * of the limit (empty), with `1 s 3/4` beside it.
 */
function windowBar(window: WindowUsage): object {
    const used = Math.min(Math.max(window.used, 0), window.max);
    const free = window.max - used;
    const parts = [...(used > 0 ? [{ weight: used, style: windowFillStyle(window) }] : []), ...(free > 0 ? [{ weight: free, style: 'emphasis' as const }] : [])];
    const name = windowName(window.windowMs);
    return {
        type: 'ColumnSet',
        spacing: 'Small',
        columns: [
            {
                type: 'Column',
                width: BAR_LABEL_WIDTH,
                verticalContentAlignment: 'Center',
                items: [{ type: 'TextBlock', text: `${name} ${window.used}/${window.max}`, wrap: false }],
            },
            {
                type: 'Column',
                width: 'stretch',
                verticalContentAlignment: 'Center',
                items: [{ type: 'ColumnSet', columns: parts.map((part, index) => barPart(part.weight, part.style, index === 0)) }],
            },
        ],
    };
}

function backOffText(budget: WebhookBudget, now: number): string {
    if (budget.blockedUntil > now) {
        return `throttled ${budget.consecutiveThrottles}× in a row: held back for ${duration(budget.blockedUntil - now)}, until ${clock(budget.blockedUntil)}`;
    }
    return budget.consecutiveThrottles > 0 ? `throttled ${budget.consecutiveThrottles}× in a row, not held back` : 'none';
}

/** `deploy-4711: 3 attempts since 10:42 UTC, next try in 12 s`. */
function retryingText(head: RetryingHead, now: number): string {
    const attempts = `${head.attempts} attempt${head.attempts === 1 ? '' : 's'}`;
    const since = head.firstAttemptAt === undefined ? '' : ` since ${clock(head.firstAttemptAt)}`;
    return `${head.jobId}: ${attempts}${since}, next try ${when(head.notBefore, now)}`;
}

/** Characters of a last error shown on the card: enough to recognise it, and the card stays small with many webhooks. */
const LAST_ERROR_CHARS = 200;

/** `HTTP 502: transient: …`, on one line and cut to {@link LAST_ERROR_CHARS} characters (never inside one). */
function lastErrorText(head: RetryingHead): string {
    const reason = (head.lastReason ?? 'no reason recorded').replace(/\s+/g, ' ').trim();
    const text = head.lastStatus === undefined ? reason : `HTTP ${head.lastStatus}: ${reason}`;
    const characters = Array.from(text);
    return characters.length > LAST_ERROR_CHARS ? `${characters.slice(0, LAST_ERROR_CHARS).join('')}…` : text;
}

/** Facts about a head job being retried: it holds every job behind it. */
function retryingFacts(head: RetryingHead | undefined, now: number): { title: string; value: string }[] {
    return head === undefined
        ? []
        : [
              { title: 'Retrying', value: retryingText(head, now) },
              { title: 'Last error', value: lastErrorText(head) },
          ];
}

/** The webhook's name, marked (and coloured) when Teams throttles it or its head job is being retried. */
function headline(name: string, budget: WebhookBudget, now: number): { text: string; color: 'Attention' | 'Warning' | 'Default' } {
    if (budget.blockedUntil > now) {
        return { text: `${name} · throttled by Teams`, color: 'Attention' };
    }
    return budget.retryingHead === undefined ? { text: name, color: 'Default' } : { text: `${name} · retrying a job`, color: 'Warning' };
}

/**
 * What Teams confirmed and what a flow only accepted, said apart: a Workflows 202 means the flow took
 * the job; whether it posted is in the flow's run history.
 */
function outcomeFacts(budget: WebhookBudget): { title: string; value: string }[] {
    const deadLettered = `${budget.deadLettered} dead-lettered`;
    const notice = relayMisconfiguredNotice(budget.relayWithoutId);
    const warning = notice === undefined ? [] : [{ title: 'Warning', value: notice }];
    if (budget.delivered === 0 && (budget.dialect === 'workflows' || budget.accepted > 0)) {
        return [{ title: 'Accepted', value: `${budget.accepted} by the flow (see its run history), ${deadLettered}` }, ...warning];
    }
    const accepted = budget.accepted > 0 ? `, ${budget.accepted} accepted by a flow` : '';
    return [{ title: 'Delivered', value: `${budget.delivered}${accepted}, ${deadLettered}` }, ...warning];
}

/** A part of the card under a separator: its heading in bold (coloured when something needs attention), then `items`. */
function section(heading: { text: string; color: 'Attention' | 'Warning' | 'Default' }, items: readonly object[]): object {
    return {
        type: 'Container',
        separator: true,
        spacing: 'Medium',
        items: [{ type: 'TextBlock', ...heading, weight: 'Bolder', wrap: true }, ...items],
    };
}

/** Hex characters of a webhook key naming a webhook without an alias: enough to tell webhooks apart. */
const WEBHOOK_KEY_PREFIX_CHARS = 8;

/** A webhook's name: its alias, or for a `{url}` target its host (never the URL), else the start of its key. */
function webhookName(budget: WebhookBudget): string {
    if (budget.alias !== undefined) {
        return budget.alias;
    }
    return budget.host === undefined ? `webhook ${budget.webhookKey.slice(0, WEBHOOK_KEY_PREFIX_CHARS)}` : `${budget.host} ({url} target)`;
}

function webhookSection(budget: WebhookBudget, now: number): object {
    const name = webhookName(budget);
    const facts = [
        { title: 'Backlog', value: `${budget.backlog} job${budget.backlog === 1 ? '' : 's'}` },
        { title: 'Next slot', value: when(budget.nextSlot, now) },
        { title: 'Back-off', value: backOffText(budget, now) },
        ...(budget.connection === undefined ? [] : [{ title: 'Connection', value: `${budget.connection} (shared Flow bot budget, below)` }]),
        ...outcomeFacts(budget),
        ...retryingFacts(budget.retryingHead, now),
    ];
    const dialect = budget.dialect === 'connector' ? 'connector (retired by Microsoft)' : budget.dialect;
    return section(headline(name, budget, now), [
        ...(dialect === undefined ? [] : [{ type: 'TextBlock', text: dialect, isSubtle: true, size: 'Small', spacing: 'None' }]),
        { type: 'FactSet', spacing: 'Small', facts },
        ...budget.windows.map(windowBar),
    ]);
}

/** One Teams connection: who shares it, a bar per window of its Flow bot budget, and its next slot. */
function connectionSection(connection: ConnectionBudget, now: number): object {
    const blocked = connection.blockedUntil > now;
    const on = connection.aliases.length === 0 ? '{url} targets only' : connection.aliases.join(', ');
    const heading = { text: `Teams connection ${connection.connection}${blocked ? ' · held by Retry-After' : ''}`, color: blocked ? 'Attention' : 'Default' } as const;
    const facts = [
        { title: 'Next slot', value: when(connection.nextSlot, now) },
        { title: 'Taking turns', value: `${connection.sharing} webhook${connection.sharing === 1 ? '' : 's'}` },
    ];
    return section(heading, [
        { type: 'TextBlock', text: `Flow bot budget shared by ${on}`, isSubtle: true, size: 'Small', spacing: 'None', wrap: true },
        { type: 'FactSet', spacing: 'Small', facts },
        ...connection.windows.map(windowBar),
    ]);
}

/** Lines that say what a limited scope leaves out: which aliases it covers, and those not configured. */
function scopeLines(scope: MentionScope, configured: ReadonlySet<string>): object[] {
    if (scope.kind !== 'aliases') {
        return [];
    }
    const missing = scope.aliases.filter((alias) => !configured.has(alias));
    return [
        { type: 'TextBlock', text: `Webhooks this channel may see: ${scope.aliases.join(', ')}`, isSubtle: true, spacing: 'None', wrap: true },
        ...(missing.length === 0
            ? []
            : [{ type: 'TextBlock', text: `Not configured: ${missing.map((alias) => `${alias} (${WEBHOOK_SETTING_PREFIX}${alias.toUpperCase()})`).join(', ')}`, color: 'Warning', wrap: true }]),
    ];
}

/**
 * The status card for a budget report: first any notice (a retired connector URL); per webhook its
 * backlog, next slot, back-off, its Teams connection, what Teams delivered or a flow only accepted,
 * the head job when it is being retried (id, attempts, since when, last error) and a bar per rate
 * window (used against the limit); then each Teams connection's shared budget, and the dead letters.
 * With a scope of some aliases, it says which, and names those not configured. Adaptive Card 1.4, no
 * actions. Pure.
 *
 * @example
 * const card = statusCard(await readBudgets(store, config, { now: Date.now(), guardMs: 50 }));
 */
export function statusCard(report: BudgetReport, scope: MentionScope = { kind: 'all' }, configured: ReadonlySet<string> = new Set()): AdaptiveCard {
    const body: object[] = [
        { type: 'TextBlock', text: 'Webhook budgets', weight: 'Bolder', size: 'Medium' },
        { type: 'TextBlock', text: `Sends per rate window against Teams' limits, at ${clock(report.at)}`, isSubtle: true, spacing: 'None', wrap: true },
        ...scopeLines(scope, configured),
    ];
    for (const notice of report.notices ?? []) {
        body.push({ type: 'TextBlock', text: notice, wrap: true, color: 'Warning', size: 'Small' });
    }
    if (report.webhooks.length === 0 && scope.kind === 'all') {
        body.push({ type: 'TextBlock', text: 'No webhook is configured yet: set TEAMS_WEBHOOK_<ALIAS>.', wrap: true });
    }
    body.push(...report.webhooks.map((budget) => webhookSection(budget, report.at)));
    body.push(...(report.connections ?? []).map((connection) => connectionSection(connection, report.at)));
    body.push({
        type: 'TextBlock',
        text: report.deadLetters === 0 ? 'No dead letters.' : `${report.deadLetters} dead letter(s): \`npx teams-relay deadletters list\``,
        wrap: true,
        color: report.deadLetters === 0 ? 'Good' : 'Attention',
        separator: true,
        spacing: 'Medium',
    });
    return { type: 'AdaptiveCard', version: CARD_VERSION, body };
}

/**
 * The answer to a mention whose token may see no webhook: several tokens are configured and this
 * one's scope is not, so it names the setting to add.
 *
 * @example
 * noScopeText({ tokenName: 'ops', scope: { kind: 'none', setting: 'TEAMS_MENTION_SCOPE_OPS' } });
 */
function noScopeText(caller: MentionCaller): string {
    const setting = caller.scope.kind === 'none' ? caller.scope.setting : 'TEAMS_MENTION_SCOPE_<NAME>';
    return (
        `This outgoing webhook (token \`${caller.tokenName}\`) may not see any webhook yet: several tokens are configured, ` +
        `so each one's scope must be set. An operator sets \`${setting}\` to the aliases it may see, comma-separated, or \`${EVERY_WEBHOOK}\` for all of them.`
    );
}

export default defineCommand({
    name: 'status',
    summary: 'Shows the backlog and remaining budget of each webhook this channel may see, and their dead letters',
    run: async ({ now, caller }) => {
        const { scope } = caller;
        if (scope.kind === 'none') {
            return { text: noScopeText(caller) };
        }
        // Storage clients load only when someone asks: the mention path stays light.
        const [{ deliveryRuntime }, { readBudgets }] = await Promise.all([import('../../../notify/azure.js'), import('../../../notify/index.js')]);
        const runtime = await deliveryRuntime(getConfig());
        const report = await readBudgets(runtime.store, runtime.config, {
            now: now(),
            guardMs: runtime.config.delivery.guardMs,
            ...(scope.kind === 'aliases' ? { aliases: scope.aliases } : {}),
        });
        return { card: statusCard(report, scope, new Set(runtime.config.targets.webhooks.keys())) };
    },
});
