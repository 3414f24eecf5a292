/** Stale and repeated mentions: the activity's signed `timestamp` against a window, and the replies already given. */
import { createHash } from 'node:crypto';

/**
 * How far an activity's `timestamp` may lie in the future: clocks that are a little apart, never a
 * request stamped to stay valid for long.
 */
export const MAX_FUTURE_SKEW_MS = 60_000;

/** Replies remembered per instance at most: far more than the mentions of a few minutes. */
const MAX_REMEMBERED_REPLIES = 10_000;

/** Bytes of remembered replies per instance at most (a reply is at most 24 KB, most are a line of text). */
const MAX_REMEMBERED_REPLY_BYTES = 8 * 1024 * 1024;

/** What an entry costs besides its reply: the key, the timestamps, the map's own share. */
const ENTRY_OVERHEAD_BYTES = 256;

/**
 * An ISO 8601 date-time as Bot Framework writes it: `2026-11-23T10:00:00.1234567Z`, with 0 to 9
 * fraction digits and `Z` or a `±hh:mm` offset. Nothing else: no week dates, no missing zone.
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-](\d{2}):(\d{2}))$/;

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_HOUR = 60;
/** Digits of a fraction that stand for milliseconds. */
const MILLISECOND_DIGITS = 3;
/** Largest offset from UTC a zone has (UTC+14:00, Line Islands). */
const MAX_OFFSET_MINUTES = 14 * MINUTES_PER_HOUR;

/**
 * Reads an activity's `timestamp` as epoch ms, or `undefined` when it is missing or not a complete
 * ISO 8601 date-time with a zone (a day that does not exist, hour 24 and leap seconds included).
 * Fractions beyond milliseconds are cut, never rounded up.
 *
 * @example
 * parseActivityTimestamp('2017-02-01T21:10:07.4370000Z'); // 1485983407437
 */
export function parseActivityTimestamp(text: string | null | undefined): number | undefined {
    if (typeof text !== 'string') {
        return undefined;
    }
    const match = ISO_DATE_TIME.exec(text);
    if (match === null) {
        return undefined;
    }
    const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const millis = Number((match[7] ?? '').slice(0, MILLISECOND_DIGITS).padEnd(MILLISECOND_DIGITS, '0'));
    const offsetHours = Number(match[9] ?? '0');
    const offsetMinutes = Number(match[10] ?? '0');
    const offset = (match[8]?.startsWith('-') ? -1 : 1) * (offsetHours * MINUTES_PER_HOUR + offsetMinutes);
    if (hour > 23 || minute > 59 || second > 59 || offsetMinutes > 59 || Math.abs(offset) > MAX_OFFSET_MINUTES) {
        return undefined;
    }
    const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    const calendar = new Date(utc);
    // Date.UTC rolls 31 April over to 1 May: a day that does not exist comes back as another one.
    if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
        return undefined;
    }
    return utc - offset * MS_PER_MINUTE;
}

/** Whether a mention's timestamp lets it run now, and if not, why. */
type Freshness =
    | { readonly ok: true; readonly at: number }
    | { readonly ok: false; readonly reason: 'no_timestamp' | 'stale' | 'future' };

/**
 * Checks an activity's `timestamp` against `now`: at most `maxAgeMs` old and at most
 * {@link MAX_FUTURE_SKEW_MS} ahead. Pure.
 *
 * @example
 * checkFreshness(activity.timestamp, Date.now(), config.mention.maxAgeMs); // { ok: true, at: 1764... }
 */
export function checkFreshness(timestamp: string | null | undefined, now: number, maxAgeMs: number): Freshness {
    const at = parseActivityTimestamp(timestamp);
    if (at === undefined) {
        return { ok: false, reason: 'no_timestamp' };
    }
    if (at < now - maxAgeMs) {
        return { ok: false, reason: 'stale' };
    }
    if (at > now + MAX_FUTURE_SKEW_MS) {
        return { ok: false, reason: 'future' };
    }
    return { ok: true, at };
}

/**
 * The key under which a reply is remembered: one activity id for one token. Hashed, so an id of any
 * length costs the same few bytes.
 */
export function replyKey(tokenName: string, activityId: string): string {
    // JSON keeps the two apart whatever characters they hold.
    return createHash('sha256').update(JSON.stringify([tokenName, activityId])).digest('base64');
}

/** Bounds of a {@link ReplyCache}. */
interface ReplyCacheOptions {
    /** @default MAX_REMEMBERED_REPLIES */
    readonly maxEntries?: number;
    /** @default MAX_REMEMBERED_REPLY_BYTES */
    readonly maxBytes?: number;
}

/** What {@link ReplyCache.answerOnce} gave. */
interface RememberedReply<T> {
    readonly value: T;
    /** True when the value is the first delivery's, and nothing ran this time. */
    readonly repeated: boolean;
}

/** When an entry is made and until when it counts. */
interface ReplyWindow {
    /** Now (epoch ms), from the caller's clock. */
    readonly now: number;
    /** Until when a repeat gets this reply (epoch ms). */
    readonly expiresAt: number;
}

/** Replies already given, per key, for a while; see {@link createReplyCache}. */
export interface ReplyCache<T> {
    /**
     * The reply remembered for `key` (awaiting it while the first delivery still runs), or else runs
     * `produce` once and remembers its result until `window.expiresAt`. A `produce` that throws is
     * forgotten, so a later delivery runs again.
     */
    answerOnce(key: string, window: ReplyWindow, produce: () => Promise<T>): Promise<RememberedReply<T>>;
    /** Entries held now (pending ones included). */
    readonly size: number;
    /** Bytes the held entries count for. */
    readonly bytes: number;
}

interface Entry<T> {
    readonly expiresAt: number;
    bytes: number;
    readonly value: Promise<T>;
}

/**
 * An in-memory reply cache for one instance, bounded by entry count and bytes (`sizeOf` measures a
 * value once it is known). Entries are kept in arrival order; expired ones are dropped as new ones
 * come, and when a bound is reached the oldest go first, so a repeat of an evicted activity runs again.
 *
 * @example
 * const replies = createReplyCache<TeamsReply>((reply) => Buffer.byteLength(JSON.stringify(reply)));
 * const { value } = await replies.answerOnce(replyKey(keyName, activity.id), { now, expiresAt: now + 360_000 }, run);
 */
export function createReplyCache<T>(sizeOf: (value: T) => number, options: ReplyCacheOptions = {}): ReplyCache<T> {
    const maxEntries = options.maxEntries ?? MAX_REMEMBERED_REPLIES;
    const maxBytes = options.maxBytes ?? MAX_REMEMBERED_REPLY_BYTES;
    const entries = new Map<string, Entry<T>>();
    let bytes = 0;

    const remove = (key: string, entry: Entry<T>): void => {
        if (entries.get(key) === entry) {
            entries.delete(key);
            bytes -= entry.bytes;
        }
    };
    const dropExpired = (now: number): void => {
        for (const [key, entry] of entries) {
            if (entry.expiresAt > now) {
                return;
            }
            remove(key, entry);
        }
    };
    const keepWithinBounds = (): void => {
        for (const [key, entry] of entries) {
            if (entries.size <= maxEntries && bytes <= maxBytes) {
                return;
            }
            remove(key, entry);
        }
    };

    return {
        async answerOnce(key, window, produce) {
            dropExpired(window.now);
            const held = entries.get(key);
            if (held !== undefined && held.expiresAt > window.now) {
                return { value: await held.value, repeated: true };
            }
            if (held !== undefined) {
                remove(key, held);
            }
            const entry: Entry<T> = { expiresAt: window.expiresAt, bytes: ENTRY_OVERHEAD_BYTES, value: Promise.resolve().then(produce) };
            entries.set(key, entry);
            bytes += entry.bytes;
            keepWithinBounds();
            let value: T;
            try {
                value = await entry.value;
            } catch (thrown) {
                remove(key, entry);
                throw thrown;
            }
            if (entries.get(key) === entry) {
                const measured = ENTRY_OVERHEAD_BYTES + sizeOf(value);
                bytes += measured - entry.bytes;
                entry.bytes = measured;
                keepWithinBounds();
            }
            return { value, repeated: false };
        },
        get size() {
            return entries.size;
        },
        get bytes() {
            return bytes;
        },
    };
}
