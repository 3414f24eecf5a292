/** Properties of the local host's timer schedules: any text gets a schedule or a clear refusal, and occurrences match the fields. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, nextOccurrence, parseSchedule } from '../../tools/devhost/ncrontab.js';

/** Pieces NCrontab knows, pieces only other cron dialects know (`?`, `L`, `W`, `#`, `@daily`, 7 for Sunday), and noise. */
const TOKENS = [
    '*', '/', '-', ',', ' ', '  ', '\t', '0', '1', '5', '7', '12', '23', '31', '59', '60', '99', '00:05:00', ':', '.',
    'Mon', 'fri', 'Sunday', 'Jan', 'dec', 'Ju', '?', 'L', 'W', '#', '@daily', 'é', '\u0000', '−',
] as const;

/** Hostile schedule text: token soup and arbitrary strings. */
const hostileSchedule = fc.oneof(
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((tokens) => tokens.join('')),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** A time between 1970 and 2100. */
const instant = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms));

/** A field as a list of allowed values (undefined: `*`). */
function fieldValues(min: number, max: number): fc.Arbitrary<readonly number[] | undefined> {
    return fc.option(fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }), { nil: undefined });
}

function fieldText(values: readonly number[] | undefined): string {
    return values === undefined ? '*' : values.join(',');
}

/** Whether `date` matches the fields as NCrontab reads them: every field, day of month and day of week together. */
function matches(date: Date, fields: readonly (readonly number[] | undefined)[]): boolean {
    const actual = [date.getUTCSeconds(), date.getUTCMinutes(), date.getUTCHours(), date.getUTCDate(), date.getUTCMonth() + 1, date.getUTCDay()];
    return fields.every((values, index) => values === undefined || values.includes(actual[index] ?? -1));
}

describe('parseSchedule with hostile text', () => {
    it('returns a schedule that occurs later, or refuses with an InvalidScheduleError naming the text', () => {
        fc.assert(
            fc.property(hostileSchedule, instant, (text, after) => {
                let schedule;
                try {
                    schedule = parseSchedule(text);
                } catch (error) {
                    expect(error).toBeInstanceOf(InvalidScheduleError);
                    expect((error as InvalidScheduleError).expression).toBe(text);
                    expect((error as Error).message.startsWith(`Invalid timer schedule "${text}": `)).toBe(true);
                    return;
                }
                expect(nextOccurrence(schedule, after).getTime()).toBeGreaterThan(after.getTime());
            }),
            { numRuns: 2000 },
        );
    });

    it('refuses the syntax of other cron dialects that NCrontab does not read', () => {
        const foreign = fc.constantFrom('0 0 0 ? * *', '0 0 0 L * *', '0 0 0 15W * *', '0 0 0 * * 5#2', '0 0 0 * * 5L', '@daily', '0 0 0 * * 7', '0 0 0 * * SUN-7');
        fc.assert(
            fc.property(foreign, (text) => {
                expect(() => parseSchedule(text)).toThrow(InvalidScheduleError);
            }),
        );
    });
});

describe('nextOccurrence of generated schedules', () => {
    it('is later than the given time and matches every field', () => {
        const fields = fc.tuple(fieldValues(0, 59), fieldValues(0, 59), fieldValues(0, 23), fieldValues(1, 28), fieldValues(1, 12), fieldValues(0, 6));
        fc.assert(
            fc.property(fields, instant, (values, after) => {
                const next = nextOccurrence(values.map(fieldText).join(' '), after);
                expect(next.getTime()).toBeGreaterThan(after.getTime());
                expect(matches(next, values)).toBe(true);
            }),
            { numRuns: 500 },
        );
    });

    it('is the first matching second after the given time, for schedules that occur every day', () => {
        const fields = fc.tuple(fieldValues(0, 59), fieldValues(0, 59), fieldValues(0, 23));
        fc.assert(
            fc.property(fields, instant, ([seconds, minutes, hours], after) => {
                const all = [seconds, minutes, hours, undefined, undefined, undefined] as const;
                const next = nextOccurrence(all.map(fieldText).join(' '), after);
                // Every whole second strictly between `after` and `next` must not match.
                for (let t = Math.floor(after.getTime() / 1000) * 1000 + 1000; t < next.getTime(); t += 1000) {
                    if (matches(new Date(t), all)) expect.fail(`${new Date(t).toISOString()} matches before ${next.toISOString()}`);
                }
                expect(matches(next, all)).toBe(true);
            }),
            { numRuns: 40 },
        );
    });
});
