import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFreshness, createReplyCache, MAX_FUTURE_SKEW_MS, parseActivityTimestamp, replyKey } from '../../../shared/mention/replay.js';

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const FIVE_MINUTES = 300_000;

describe('parseActivityTimestamp', () => {
    it('reads Bot Framework timestamps with 7 fraction digits, cutting below the millisecond', () => {
        expect(parseActivityTimestamp('2017-02-01T21:10:07.4379999Z')).toBe(Date.UTC(2017, 1, 1, 21, 10, 7, 437));
    });

    it('reads no fraction, one digit and nine digits', () => {
        expect(parseActivityTimestamp('2026-11-23T10:00:00Z')).toBe(NOW);
        expect(parseActivityTimestamp('2026-11-23T10:00:00.5Z')).toBe(NOW + 500);
        expect(parseActivityTimestamp('2026-11-23T10:00:00.123456789Z')).toBe(NOW + 123);
    });

    it('applies a zone offset', () => {
        expect(parseActivityTimestamp('2026-11-23T03:00:00.000-07:00')).toBe(NOW);
        expect(parseActivityTimestamp('2026-11-23T15:30:00+05:30')).toBe(NOW);
    });

    it.each([
        ['a missing value', undefined],
        ['null', null],
        ['an empty text', ''],
        ['a date without a zone', '2026-11-23T10:00:00.000'],
        ['a date alone', '2026-11-23'],
        ['epoch milliseconds', '1795428000000'],
        ['a day that does not exist', '2026-02-30T10:00:00Z'],
        ['month 13', '2026-13-01T10:00:00Z'],
        ['hour 24', '2026-11-23T24:00:00Z'],
        ['a leap second', '2026-12-31T23:59:60Z'],
        ['an offset beyond 14 hours', '2026-11-23T10:00:00+15:00'],
        ['offset minutes over 59', '2026-11-23T10:00:00+01:60'],
        ['ten fraction digits', '2026-11-23T10:00:00.1234567890Z'],
        ['a lower-case zone', '2026-11-23T10:00:00z'],
        ['surrounding space', ' 2026-11-23T10:00:00Z'],
        ['a two-digit year', '26-11-23T10:00:00Z'],
        ['year 0050, which Date.UTC would read as 1950', '0050-11-23T10:00:00Z'],
    ])('refuses %s', (_what, text) => {
        expect(parseActivityTimestamp(text)).toBeUndefined();
    });

    it('reads back any instant written as ISO 8601, to the millisecond', () => {
        fc.assert(
            fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
                expect(parseActivityTimestamp(date.toISOString())).toBe(date.getTime());
            }),
        );
    });

    it('gives a number or undefined for any text, never throws and never NaN', () => {
        const hostile = fc.oneof(
            fc.string({ unit: 'binary', maxLength: 64 }),
            fc.string({ unit: fc.constantFrom(...'0123456789-:.TZ+ '.split('')), maxLength: 40 }),
            fc
                .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
                .map(([y, mo, d, h, mi, s]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}Z`),
        );
        fc.assert(
            fc.property(hostile, (text) => {
                const parsed = parseActivityTimestamp(text);
                expect(parsed === undefined || Number.isFinite(parsed)).toBe(true);
                if (parsed !== undefined) {
                    // Whatever is accepted is a complete date-time with a zone, naming a real instant.
                    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/);
                    expect(Number.isNaN(new Date(parsed).getTime())).toBe(false);
                }
            }),
            { numRuns: 2_000 },
        );
    });

    it('accepts a generated date-time exactly when its fields name a real instant', () => {
        const fields = fc.record({
            year: fc.integer({ min: 1970, max: 2100 }),
            month: fc.integer({ min: 0, max: 14 }),
            day: fc.integer({ min: 0, max: 33 }),
            hour: fc.integer({ min: 0, max: 25 }),
            minute: fc.integer({ min: 0, max: 61 }),
            second: fc.integer({ min: 0, max: 61 }),
        });
        fc.assert(
            fc.property(fields, ({ year, month, day, hour, minute, second }) => {
                const pad = (value: number) => String(value).padStart(2, '0');
                const text = `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`;
                const utc = Date.UTC(year, month - 1, day, hour, minute, second);
                const date = new Date(utc);
                const real =
                    month >= 1 && month <= 12 && hour <= 23 && minute <= 59 && second <= 59 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
                expect(parseActivityTimestamp(text)).toBe(real ? utc : undefined);
            }),
            { numRuns: 2_000 },
        );
    });
});

describe('checkFreshness', () => {
    const at = (ms: number) => new Date(ms).toISOString();

    it('lets through an activity up to the maximum age old', () => {
        expect(checkFreshness(at(NOW - FIVE_MINUTES), NOW, FIVE_MINUTES)).toEqual({ ok: true, at: NOW - FIVE_MINUTES });
    });

    it('refuses one a millisecond older as stale', () => {
        expect(checkFreshness(at(NOW - FIVE_MINUTES - 1), NOW, FIVE_MINUTES)).toEqual({ ok: false, reason: 'stale' });
    });

    it('lets through one up to a minute ahead, and refuses one further ahead', () => {
        expect(checkFreshness(at(NOW + MAX_FUTURE_SKEW_MS), NOW, FIVE_MINUTES).ok).toBe(true);
        expect(checkFreshness(at(NOW + MAX_FUTURE_SKEW_MS + 1), NOW, FIVE_MINUTES)).toEqual({ ok: false, reason: 'future' });
    });

    it('refuses a missing or unreadable timestamp', () => {
        expect(checkFreshness(undefined, NOW, FIVE_MINUTES)).toEqual({ ok: false, reason: 'no_timestamp' });
        expect(checkFreshness('yesterday', NOW, FIVE_MINUTES)).toEqual({ ok: false, reason: 'no_timestamp' });
    });

    it('lets an activity through exactly when it lies within the window, for any clock and window', () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: 4_000_000_000_000 }),
                fc.integer({ min: -10_000_000, max: 10_000_000 }),
                fc.integer({ min: 10_000, max: 3_600_000 }),
                (now, offset, maxAge) => {
                    const verdict = checkFreshness(at(now + offset), now, maxAge);
                    expect(verdict.ok).toBe(offset >= -maxAge && offset <= MAX_FUTURE_SKEW_MS);
                },
            ),
        );
    });
});

describe('replyKey', () => {
    it('tells tokens and ids apart, even where joining them would not', () => {
        expect(replyKey('a', 'b\0c')).not.toBe(replyKey('a\0b', 'c'));
        expect(replyKey('ops', '1')).not.toBe(replyKey('dev', '1'));
        expect(replyKey('ops', '1')).toBe(replyKey('ops', '1'));
    });

    it('is short whatever the id', () => {
        expect(replyKey('ops', 'x'.repeat(1_000_000)).length).toBeLessThan(64);
    });
});

/** A promise and the function that settles it, so a test decides when "the first delivery" finishes. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
    let resolve: (value: T) => void = () => undefined;
    const promise = new Promise<T>((done) => {
        resolve = done;
    });
    return { promise, resolve };
}

describe('createReplyCache', () => {
    const window = (now: number) => ({ now, expiresAt: now + 1_000 });

    it('runs the first delivery and gives a repeat the same reply without running again', async () => {
        const cache = createReplyCache<string>((value) => value.length);
        let runs = 0;
        const produce = () => {
            runs += 1;
            return Promise.resolve(`reply ${runs}`);
        };
        expect(await cache.answerOnce('k', window(0), produce)).toEqual({ value: 'reply 1', repeated: false });
        expect(await cache.answerOnce('k', window(500), produce)).toEqual({ value: 'reply 1', repeated: true });
        expect(runs).toBe(1);
    });

    it('makes a repeat that arrives while the first still runs wait for the first reply', async () => {
        const cache = createReplyCache<string>((value) => value.length);
        const first = deferred<string>();
        let runs = 0;
        const one = cache.answerOnce('k', window(0), () => {
            runs += 1;
            return first.promise;
        });
        const two = cache.answerOnce('k', window(10), () => {
            runs += 1;
            return Promise.resolve('second run');
        });
        first.resolve('first run');
        expect(await Promise.all([one, two])).toEqual([
            { value: 'first run', repeated: false },
            { value: 'first run', repeated: true },
        ]);
        expect(runs).toBe(1);
    });

    it('runs again once the entry has expired', async () => {
        const cache = createReplyCache<string>((value) => value.length);
        await cache.answerOnce('k', window(0), () => Promise.resolve('old'));
        expect(await cache.answerOnce('k', window(1_000), () => Promise.resolve('new'))).toEqual({ value: 'new', repeated: false });
        expect(cache.size).toBe(1);
    });

    it('drops expired entries as new ones arrive', async () => {
        const cache = createReplyCache<string>((value) => value.length);
        await cache.answerOnce('a', window(0), () => Promise.resolve('a'));
        await cache.answerOnce('b', window(100), () => Promise.resolve('b'));
        await cache.answerOnce('c', window(1_050), () => Promise.resolve('c'));
        expect(cache.size).toBe(2);
    });

    it('forgets a delivery whose reply failed, so a repeat runs again', async () => {
        const cache = createReplyCache<string>((value) => value.length);
        await expect(cache.answerOnce('k', window(0), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await cache.answerOnce('k', window(1), () => Promise.resolve('ok'))).toEqual({ value: 'ok', repeated: false });
    });

    it('holds at most maxEntries, evicting the oldest first', async () => {
        const cache = createReplyCache<string>((value) => value.length, { maxEntries: 2 });
        for (const key of ['a', 'b', 'c']) {
            await cache.answerOnce(key, window(0), () => Promise.resolve(key));
        }
        expect(cache.size).toBe(2);
        expect((await cache.answerOnce('a', window(1), () => Promise.resolve('a again'))).repeated).toBe(false);
        expect((await cache.answerOnce('c', window(1), () => Promise.resolve('c again'))).repeated).toBe(true);
    });

    it('holds at most maxBytes of replies, and keeps none bigger than that', async () => {
        const cache = createReplyCache<string>((value) => value.length, { maxBytes: 2_000 });
        await cache.answerOnce('small', window(0), () => Promise.resolve('x'.repeat(500)));
        await cache.answerOnce('huge', window(0), () => Promise.resolve('x'.repeat(5_000)));
        expect(cache.bytes).toBeLessThanOrEqual(2_000);
        expect((await cache.answerOnce('huge', window(1), () => Promise.resolve('again'))).repeated).toBe(false);
    });

    it('stays within both bounds and answers every repeat it still holds with the first reply, for any sequence', async () => {
        const step = fc.record({ key: fc.integer({ min: 0, max: 30 }), advance: fc.integer({ min: 0, max: 400 }), size: fc.integer({ min: 0, max: 3_000 }) });
        await fc.assert(
            fc.asyncProperty(fc.array(step, { maxLength: 200 }), async (steps) => {
                const cache = createReplyCache<string>((value) => value.length, { maxEntries: 8, maxBytes: 8_000 });
                const first = new Map<number, { value: string; expiresAt: number }>();
                let now = 0;
                for (const [index, { key, advance, size }] of steps.entries()) {
                    now += advance;
                    const value = `${index}:${'x'.repeat(size)}`;
                    const answer = await cache.answerOnce(String(key), { now, expiresAt: now + 1_000 }, () => Promise.resolve(value));
                    const earlier = first.get(key);
                    if (answer.repeated) {
                        expect(earlier !== undefined && earlier.expiresAt > now).toBe(true);
                        expect(answer.value).toBe(earlier?.value);
                    } else {
                        expect(answer.value).toBe(value);
                        first.set(key, { value, expiresAt: now + 1_000 });
                    }
                    expect(cache.size).toBeLessThanOrEqual(8);
                    expect(cache.bytes).toBeLessThanOrEqual(8_000);
                }
            }),
        );
    });
});
