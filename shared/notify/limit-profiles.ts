/** Limit profiles per destination: the sliding windows of a connector URL, of a Workflows URL, and of the Teams connection behind Workflows flows. */
import { MS_PER_SECOND } from '../platform/config.js';
import { ConfigurationError } from '../platform/index.js';
import { TEAMS_WEBHOOK_LIMITS, type SlidingWindowLimit } from './limiter.js';
import type { WebhookDialect } from './teams-answer.js';
import { webhookDialect, webhookKey } from './webhook-target.js';

/**
 * The Microsoft Teams connector's throttling limits **per connection** that a Workflows URL's flow
 * posts through: 100 API calls per 60 s, and 25 non-GET calls per 300 s for any Flow bot operation
 * (the stock "Post to a channel when a webhook request is received" flow posts its card as Flow bot,
 * one call per run). A connection is the Teams sign-in of the person who made the flow, shared by
 * every flow they made. Over them, the flow's post is throttled inside Power Automate, out of our
 * sight, after the trigger already answered 202.
 *
 * Source: Microsoft's connector reference for Teams, "Throttling limits",
 * https://learn.microsoft.com/en-us/connectors/teams/#limits (see docs/teams-facts.md).
 *
 * @example
 * WORKFLOWS_CONNECTION_LIMITS[1].max; // 25 posts in any 300 s
 */
export const WORKFLOWS_CONNECTION_LIMITS = [
    { windowMs: 60_000, max: 100 },
    { windowMs: 300_000, max: 25 },
] as const satisfies readonly SlidingWindowLimit[];

/** The windows one destination is held to: per URL, and per Teams connection (none for connector URLs). */
export interface LimitProfile {
    /** Windows per webhook URL. */
    readonly perUrl: readonly SlidingWindowLimit[];
    /** Windows per Teams connection, across every webhook of that connection; empty: no connection budget. */
    readonly perConnection: readonly SlidingWindowLimit[];
}

/** A profile per dialect. */
export type LimitProfiles = Readonly<Record<WebhookDialect, LimitProfile>>;

/**
 * The connector profile: the five per-URL windows of Teams' incoming-webhook table
 * (`TEAMS_WEBHOOK_LIMITS`: 4/1 s, 60/30 s, 100/1 h, 150/2 h, 1800/24 h;
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors),
 * no connection budget.
 */
export const CONNECTOR_PROFILE: LimitProfile = Object.freeze({ perUrl: TEAMS_WEBHOOK_LIMITS, perConnection: Object.freeze([]) });

/**
 * The Workflows profile: the same five windows per URL (Power Automate publishes no per-trigger
 * table, and a flow's post lands in the same channel), plus {@link WORKFLOWS_CONNECTION_LIMITS} per
 * Teams connection.
 */
export const WORKFLOWS_PROFILE: LimitProfile = Object.freeze({ perUrl: TEAMS_WEBHOOK_LIMITS, perConnection: WORKFLOWS_CONNECTION_LIMITS });

/** Both built-in profiles. */
export const DEFAULT_LIMIT_PROFILES: LimitProfiles = Object.freeze({ connector: CONNECTOR_PROFILE, workflows: WORKFLOWS_PROFILE });

/**
 * Longest window a profile may have: 24 h. The send logs keep 24 h of sends (`SEND_LOG_WINDOW_MS`
 * of the outbox rows), so a longer window could not be held.
 */
const MAX_LIMIT_WINDOW_SECONDS = 86_400;

/** Most sends a single window may allow: ten times Teams' daily 1800, far above any published limit. */
const MAX_LIMIT_COUNT = 18_000;

/**
 * Most sends a profile may allow inside its longest window: what a send log must hold. 3000 sends
 * encode in under 25,000 characters (`encodeSends`), inside the two 30,000-character chunks a state
 * row keeps for its log.
 */
export const MAX_SENDS_PER_LONGEST_WINDOW = 3_000;

/** Most windows in one setting. */
const MAX_LIMIT_WINDOWS = 10;

/** The setting that overrides each list of windows. */
export const LIMIT_SETTINGS = {
    connector: 'LIMITS_CONNECTOR',
    workflows: 'LIMITS_WORKFLOWS',
    workflowsConnection: 'LIMITS_WORKFLOWS_CONNECTION',
} as const;

/** Window lengths as people say them, for the windows of the built-in profiles. */
const WINDOW_NAMES: Readonly<Record<number, string>> = {
    1_000: '1 s',
    30_000: '30 s',
    60_000: '60 s',
    300_000: '5 min',
    3_600_000: '1 h',
    7_200_000: '2 h',
    86_400_000: '24 h',
};

/**
 * A window's length as people say it: `30 s`, `5 min`, `24 h`; any other length in seconds.
 *
 * @example
 * windowName(300_000); // '5 min'
 */
export function windowName(windowMs: number): string {
    return WINDOW_NAMES[windowMs] ?? `${windowMs / MS_PER_SECOND} s`;
}

/**
 * `count/seconds,...` for a list of windows, as the `LIMITS_*` settings spell it.
 *
 * @example
 * formatLimits(WORKFLOWS_CONNECTION_LIMITS); // '100/60,25/300'
 */
export function formatLimits(limits: readonly SlidingWindowLimit[]): string {
    return limits.map((limit) => `${limit.max}/${limit.windowMs / MS_PER_SECOND}`).join(',');
}

/**
 * The most sends `limits` allow in their longest window: the tightest `max × ⌈longest / windowMs⌉`
 * over the windows (each window of length W allows at most `max` in any W, so at most that many per
 * `⌈longest / W⌉` consecutive Ws covering the longest window).
 *
 * @example
 * sendsAllowedInLongestWindow(TEAMS_WEBHOOK_LIMITS); // 1800
 */
export function sendsAllowedInLongestWindow(limits: readonly SlidingWindowLimit[]): number {
    const longest = Math.max(0, ...limits.map((limit) => limit.windowMs));
    return Math.min(...limits.map((limit) => limit.max * Math.ceil(longest / limit.windowMs)));
}

/**
 * Parses one `LIMITS_*` setting: comma-separated `count/seconds` windows, e.g. `4/1,60/30,100/3600`.
 * Every window needs a whole count from 1 to {@link MAX_LIMIT_COUNT} and whole seconds from 1 to
 * {@link MAX_LIMIT_WINDOW_SECONDS}, no length twice, at most {@link MAX_LIMIT_WINDOWS} windows, and
 * together they may allow at most {@link MAX_SENDS_PER_LONGEST_WINDOW} sends in the longest window.
 * Problems name the key and the window, and are pushed onto `problems`.
 *
 * @returns the windows ordered by length, or `undefined` when any is wrong.
 * @example
 * parseLimits('25/300,100/60', 'LIMITS_WORKFLOWS_CONNECTION', []); // [{windowMs: 60000, max: 100}, {windowMs: 300000, max: 25}]
 */
export function parseLimits(value: string, key: string, problems: string[]): SlidingWindowLimit[] | undefined {
    const items = value.split(',').map((item) => item.trim());
    const found: string[] = [];
    if (items.length > MAX_LIMIT_WINDOWS) {
        problems.push(`${key}: at most ${MAX_LIMIT_WINDOWS} windows`);
        return undefined;
    }
    const limits: SlidingWindowLimit[] = [];
    items.forEach((item, index) => {
        const match = /^(\d{1,6})\s*\/\s*(\d{1,6})$/.exec(item);
        const count = Number(match?.[1]);
        const seconds = Number(match?.[2]);
        if (match === null) {
            found.push(`${key} window ${index + 1}: must be count/seconds, e.g. 25/300`);
        } else if (count < 1 || count > MAX_LIMIT_COUNT) {
            found.push(`${key} window ${index + 1}: the count must be from 1 to ${MAX_LIMIT_COUNT}`);
        } else if (seconds < 1 || seconds > MAX_LIMIT_WINDOW_SECONDS) {
            found.push(`${key} window ${index + 1}: the seconds must be from 1 to ${MAX_LIMIT_WINDOW_SECONDS} (the send log keeps 24 h)`);
        } else if (limits.some((limit) => limit.windowMs === seconds * MS_PER_SECOND)) {
            found.push(`${key} window ${index + 1}: a ${seconds} s window is given twice`);
        } else {
            limits.push({ windowMs: seconds * MS_PER_SECOND, max: count });
        }
    });
    if (found.length === 0 && sendsAllowedInLongestWindow(limits) > MAX_SENDS_PER_LONGEST_WINDOW) {
        found.push(
            `${key}: the windows allow ${sendsAllowedInLongestWindow(limits)} sends in the longest window; at most ${MAX_SENDS_PER_LONGEST_WINDOW} can be logged (add a longer window with a lower count)`,
        );
    }
    if (found.length > 0) {
        problems.push(...found);
        return undefined;
    }
    return limits.sort((a, b) => a.windowMs - b.windowMs);
}

/** The three optional `LIMITS_*` settings as read. */
interface LimitSettings {
    readonly LIMITS_CONNECTOR?: string | undefined;
    readonly LIMITS_WORKFLOWS?: string | undefined;
    readonly LIMITS_WORKFLOWS_CONNECTION?: string | undefined;
}

/**
 * The profiles with any `LIMITS_*` overrides applied; an unset or blank setting keeps the built-in
 * windows of {@link DEFAULT_LIMIT_PROFILES}.
 *
 * @throws {ConfigurationError} naming every wrong setting.
 * @example
 * limitProfiles({ LIMITS_WORKFLOWS_CONNECTION: '100/60,20/300' }).workflows.perConnection;
 */
export function limitProfiles(settings: LimitSettings): LimitProfiles {
    const problems: string[] = [];
    const read = (key: (typeof LIMIT_SETTINGS)[keyof typeof LIMIT_SETTINGS], fallback: readonly SlidingWindowLimit[]): readonly SlidingWindowLimit[] => {
        const value = settings[key]?.trim();
        if (value === undefined || value === '') {
            return fallback;
        }
        return Object.freeze(parseLimits(value, key, problems) ?? []);
    };
    const connector = read(LIMIT_SETTINGS.connector, CONNECTOR_PROFILE.perUrl);
    const workflows = read(LIMIT_SETTINGS.workflows, WORKFLOWS_PROFILE.perUrl);
    const workflowsConnection = read(LIMIT_SETTINGS.workflowsConnection, WORKFLOWS_PROFILE.perConnection);
    if (problems.length > 0) {
        throw new ConfigurationError(problems);
    }
    return Object.freeze({
        connector: Object.freeze({ perUrl: connector, perConnection: CONNECTOR_PROFILE.perConnection }),
        workflows: Object.freeze({ perUrl: workflows, perConnection: workflowsConnection }),
    });
}

/** The Teams connection every Workflows webhook belongs to unless `TEAMS_CONNECTION_<ALIAS>` names another. */
export const DEFAULT_TEAMS_CONNECTION = 'default';

/** Prefix of the settings naming the Teams connection behind a Workflows alias, e.g. `TEAMS_CONNECTION_OPS`. */
export const CONNECTION_SETTING_PREFIX = 'TEAMS_CONNECTION_';

/** A connection name: 1-64 letters, digits, `_`, `-` or `.` (compared case-insensitively, kept lower-case). */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/**
 * The Teams connection the flow behind `url` posts with: `undefined` for a connector URL (no
 * connection budget), the configured connection of a Workflows alias's URL, and
 * {@link DEFAULT_TEAMS_CONNECTION} for any other Workflows URL (a `{url}` target), so that
 * everything stays inside one connection's budget until the operator says otherwise.
 *
 * @example
 * teamsConnectionOf(new URL(flowUrl), config.targets.connections); // 'default'
 */
export function teamsConnectionOf(url: URL, connectionsByWebhook: ReadonlyMap<string, string>): string | undefined {
    if (webhookDialect(url) !== 'workflows') {
        return undefined;
    }
    return connectionsByWebhook.get(webhookKey(url)) ?? DEFAULT_TEAMS_CONNECTION;
}
