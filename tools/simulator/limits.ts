/** The thresholds the simulated Teams endpoints enforce, each with its source in docs/teams-facts.md. */

/** One fixed (or, for the auditor, sliding) window: at most `max` requests per `windowMs`. */
export interface WindowLimit {
    /** Length of the window in milliseconds. */
    readonly windowMs: number;
    /** Requests allowed per window. */
    readonly max: number;
}

const MS_PER_SECOND = 1_000;

/** Connector rate-limit table: 4 requests per 1 s (docs/teams-facts.md#connector-rate-limits). */
export const PER_SECOND_LIMIT = { windowMs: 1 * MS_PER_SECOND, max: 4 } as const satisfies WindowLimit;
/** Connector rate-limit table: 60 requests per 30 s (docs/teams-facts.md#connector-rate-limits). */
const PER_30_SECONDS_LIMIT = { windowMs: 30 * MS_PER_SECOND, max: 60 } as const satisfies WindowLimit;
/** Connector rate-limit table: 100 requests per 3600 s (docs/teams-facts.md#connector-rate-limits). */
const PER_HOUR_LIMIT = { windowMs: 3_600 * MS_PER_SECOND, max: 100 } as const satisfies WindowLimit;
/** Connector rate-limit table: 150 requests per 7200 s (docs/teams-facts.md#connector-rate-limits). */
const PER_2_HOURS_LIMIT = { windowMs: 7_200 * MS_PER_SECOND, max: 150 } as const satisfies WindowLimit;
/** Connector rate-limit table: 1800 requests per 86400 s (docs/teams-facts.md#connector-rate-limits). */
const PER_DAY_LIMIT = { windowMs: 86_400 * MS_PER_SECOND, max: 1_800 } as const satisfies WindowLimit;

/**
 * The five per-webhook windows (docs/teams-facts.md#connector-rate-limits). Workflows publish no table; the app
 * applies the same five to them (docs/teams-facts.md#flow-bot-throttling), so both dialects use them.
 */
export const TEAMS_WEBHOOK_LIMITS: readonly WindowLimit[] = Object.freeze([
    PER_SECOND_LIMIT,
    PER_30_SECONDS_LIMIT,
    PER_HOUR_LIMIT,
    PER_2_HOURS_LIMIT,
    PER_DAY_LIMIT,
]);

/**
 * The Microsoft Teams connector's throttling limit for Flow bot operations (post a card as Flow bot,
 * reply, update): 25 calls per 300 s **per connection**, the Teams sign-in of whoever made the flow.
 * Source: https://learn.microsoft.com/en-us/connectors/teams/ ("Throttling Limits")
 */
export const FLOW_BOT_POSTS_LIMIT = { windowMs: 300 * MS_PER_SECOND, max: 25 } as const satisfies WindowLimit;
/**
 * The Microsoft Teams connector's limit on API calls: 100 per 60 s per connection.
 * Source: https://learn.microsoft.com/en-us/connectors/teams/ ("Throttling Limits")
 */
export const CONNECTION_CALLS_LIMIT = { windowMs: 60 * MS_PER_SECOND, max: 100 } as const satisfies WindowLimit;

/**
 * The budget of one Teams connection, shared by every flow its owner made: each accepted Workflows
 * request makes its flow call the connector once, to post the card as Flow bot, so the call counts
 * in both windows.
 */
export const TEAMS_CONNECTION_LIMITS: readonly WindowLimit[] = Object.freeze([CONNECTION_CALLS_LIMIT, FLOW_BOT_POSTS_LIMIT]);

/**
 * The connection a flow belongs to when nothing maps it to another: as if one person made every
 * flow (the same name the app gives a Workflows webhook without `TEAMS_CONNECTION_<ALIAS>`).
 */
export const DEFAULT_CONNECTION = 'default';

/** At most 28 KB, one exact report of 28,672 bytes (docs/teams-facts.md#connector-message-size). */
export const TEAMS_MAX_MESSAGE_BYTES = 28 * 1_024;

/**
 * Exceeding a window at least this long starts the optional extended block: senders report a
 * webhook "over the 30 s limit" blocked for hours (docs/teams-facts.md#connector-rate-limits), while going over the 1 s window does not.
 */
export const BLOCK_TRIGGER_MIN_WINDOW_MS = PER_30_SECONDS_LIMIT.windowMs;
