// NCRONTAB and TimeSpan schedules: the next occurrence after a time, in UTC, and the errors for bad expressions.
import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, nextOccurrence, parseSchedule } from '../../../tools/devhost/ncrontab.js';

/** [schedule, after, expected next occurrence]; 2024-01-01 is a Monday and 2024 is a leap year. */
const OCCURRENCES: readonly (readonly [string, string, string])[] = [
    // every 5 minutes
    ['0 */5 * * * *', '2024-01-01T10:02:30.000Z', '2024-01-01T10:05:00.000Z'],
    ['0 */5 * * * *', '2024-01-01T10:05:00.000Z', '2024-01-01T10:10:00.000Z'],
    ['0 */5 * * * *', '2024-01-01T10:04:59.999Z', '2024-01-01T10:05:00.000Z'],
    ['0 */5 * * * *', '2024-12-31T23:55:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['0 0/5 * * * *', '2024-01-01T10:02:30.000Z', '2024-01-01T10:05:00.000Z'],
    // every second, every minute
    ['* * * * * *', '2024-01-01T00:00:00.500Z', '2024-01-01T00:00:01.000Z'],
    ['* * * * * *', '2024-01-01T00:00:59.000Z', '2024-01-01T00:01:00.000Z'],
    ['0 */1 * * * *', '2024-01-01T10:00:00.000Z', '2024-01-01T10:01:00.000Z'],
    // weekdays at nine
    ['0 0 9 * * Mon-Fri', '2024-01-01T08:59:59.000Z', '2024-01-01T09:00:00.000Z'],
    ['0 0 9 * * Mon-Fri', '2024-01-01T09:00:00.000Z', '2024-01-02T09:00:00.000Z'],
    ['0 0 9 * * Mon-Fri', '2024-01-05T09:00:00.000Z', '2024-01-08T09:00:00.000Z'],
    ['0 0 9 * * Mon-Fri', '2024-01-06T12:00:00.000Z', '2024-01-08T09:00:00.000Z'],
    ['0 0 9 * * 1-5', '2024-01-06T12:00:00.000Z', '2024-01-08T09:00:00.000Z'],
    ['0 0 9 * * mon-fri', '2024-01-06T12:00:00.000Z', '2024-01-08T09:00:00.000Z'],
    // month and day names, full and abbreviated, in lists
    ['0 30 9 * Jan,Jul Mon', '2024-02-01T00:00:00.000Z', '2024-07-01T09:30:00.000Z'],
    ['0 0 12 * * Sat,Sunday', '2024-01-01T00:00:00.000Z', '2024-01-06T12:00:00.000Z'],
    ['0 0 12 * * Sat,Sunday', '2024-01-06T12:00:00.000Z', '2024-01-07T12:00:00.000Z'],
    ['0 0 0 1 December *', '2024-01-01T00:00:00.000Z', '2024-12-01T00:00:00.000Z'],
    ['0 0 0 1 Jan-Dec/3 *', '2024-02-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    // ranges with steps, value with step, lists
    ['0 10-40/15 * * * *', '2024-01-01T10:00:00.000Z', '2024-01-01T10:10:00.000Z'],
    ['0 10-40/15 * * * *', '2024-01-01T10:10:00.000Z', '2024-01-01T10:25:00.000Z'],
    ['0 10-40/15 * * * *', '2024-01-01T10:40:00.000Z', '2024-01-01T11:10:00.000Z'],
    ['0 5/20 * * * *', '2024-01-01T10:45:00.000Z', '2024-01-01T11:05:00.000Z'],
    ['15,45 * * * * *', '2024-01-01T10:00:15.000Z', '2024-01-01T10:00:45.000Z'],
    // last-second edges: end of day, month, year; leap day
    ['59 59 23 * * *', '2024-01-01T23:59:58.000Z', '2024-01-01T23:59:59.000Z'],
    ['59 59 23 31 Dec *', '2024-12-31T23:59:59.000Z', '2025-12-31T23:59:59.000Z'],
    ['0 0 0 * * *', '2024-02-29T23:59:59.999Z', '2024-03-01T00:00:00.000Z'],
    ['0 0 0 31 * *', '2024-04-01T00:00:00.000Z', '2024-05-31T00:00:00.000Z'],
    ['0 0 0 29 Feb *', '2024-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 0 1 Jan *', '2024-06-15T08:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    // day of month and day of week must both match (NCrontab): Friday the 13th
    ['0 0 0 13 * Fri', '2024-01-01T00:00:00.000Z', '2024-09-13T00:00:00.000Z'],
    // surrounding and repeated whitespace
    ['  0  0 9 * *   Mon-Fri ', '2024-01-06T12:00:00.000Z', '2024-01-08T09:00:00.000Z'],
    // TimeSpan intervals: the time after, plus the interval
    ['00:05:00', '2024-01-01T10:02:30.250Z', '2024-01-01T10:07:30.250Z'],
    ['01:00:00', '2024-01-01T23:30:00.000Z', '2024-01-02T00:30:00.000Z'],
    ['1.00:00:00', '2024-02-28T12:00:00.000Z', '2024-02-29T12:00:00.000Z'],
    ['00:00:01.5', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.500Z'],
    ['00:10', '2024-01-01T00:00:00.000Z', '2024-01-01T00:10:00.000Z'],
];

describe('nextOccurrence', () => {
    it.each(OCCURRENCES)('%s after %s is %s', (schedule, after, expected) => {
        expect(nextOccurrence(schedule, new Date(after)).toISOString()).toBe(expected);
    });

    it('gives the same answer for a parsed schedule as for its text', () => {
        const parsed = parseSchedule('0 0 9 * * Mon-Fri');
        const after = new Date('2024-01-05T09:00:00.000Z');
        expect(nextOccurrence(parsed, after)).toEqual(nextOccurrence('0 0 9 * * Mon-Fri', after));
    });

    it('steps through consecutive occurrences without repeating one', () => {
        const seen: string[] = [];
        let at = new Date('2024-01-01T10:00:00.000Z');
        for (let i = 0; i < 4; i += 1) {
            at = nextOccurrence('0 */5 * * * *', at);
            seen.push(at.toISOString());
        }
        expect(seen).toEqual(['2024-01-01T10:05:00.000Z', '2024-01-01T10:10:00.000Z', '2024-01-01T10:15:00.000Z', '2024-01-01T10:20:00.000Z']);
    });
});

/** [schedule, part of the reason]. */
const INVALID: readonly (readonly [string, RegExp])[] = [
    ['', /empty/],
    ['   ', /empty/],
    ['0 */5 * * *', /expected 6 fields .*got 5/],
    ['0 0 */5 * * * *', /expected 6 fields .*got 7/],
    ['60 * * * * *', /second value 60 is outside 0-59/],
    ['0 0 24 * * *', /hour value 24 is outside 0-23/],
    ['0 0 0 0 * *', /day value 0 is outside 1-31/],
    ['0 0 0 * 13 *', /month value 13 is outside 1-12/],
    ['0 0 0 * * 7', /day-of-week value 7 is outside 0-6/],
    ['0 0 0 * Foo *', /"Foo" is not a valid month/],
    ['0 0 0 1 Ju *', /"Ju" is not a valid month/],
    ['0 0 9 * * Mon-Fry', /"Fry" is not a valid day-of-week/],
    ['0 0 0 ? * *', /"\?" is not a valid day/],
    ['0 */0 * * * *', /step "\/0" in the minute field must be a positive whole number/],
    ['0 */x * * * *', /step "\/x"/],
    ['0 40-10 * * * *', /minute range "40-10" runs backwards/],
    ['0 0 0 1-2-3 * *', /"1-2-3" is not a valid day range/],
    ['0 0 0 1,,2 * *', /"" is not a valid day/],
    ['0 0 0 30 Feb *', /never match a date/],
    ['0 0 0 31 Apr,Jun *', /never match a date/],
    ['00:00:00', /longer than zero/],
    ['25:00:00', /hours 0-23/],
    ['every five minutes', /expected 6 fields/],
];

describe('parseSchedule with an invalid expression', () => {
    it.each(INVALID)('refuses %j, naming the expression and the reason', (schedule, reason) => {
        let caught: unknown;
        try {
            parseSchedule(schedule);
        } catch (error) {
            caught = error;
        }
        expect(caught).toBeInstanceOf(InvalidScheduleError);
        const error = caught as InvalidScheduleError;
        expect(error.name).toBe('InvalidScheduleError');
        expect(error.code).toBe('INVALID_SCHEDULE');
        expect(error.expression).toBe(schedule);
        expect(error.message).toContain(`Invalid timer schedule "${schedule}"`);
        expect(error.message).toMatch(reason);
    });

    it('throws the same error from nextOccurrence', () => {
        expect(() => nextOccurrence('0 0 0 * * Funday', new Date())).toThrow(/Invalid timer schedule "0 0 0 \* \* Funday": "Funday" is not a valid day-of-week/);
    });
});
