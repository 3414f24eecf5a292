// Timer schedules as the Functions host reads them: six-field NCRONTAB expressions or a constant TimeSpan interval, in UTC.

/** A field of an NCRONTAB expression, in the order they are written. */
interface FieldSpec {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    /** Full names; a value may be any case-insensitive prefix of at least {@link MIN_NAME_LENGTH} letters. */
    readonly names?: readonly string[];
}

/** Shortest name prefix accepted (`Jan`, `Mon`); NCrontab matches prefixes, three letters keep them unambiguous. */
const MIN_NAME_LENGTH = 3;

/** Field ranges of NCrontab with seconds (`CrontabFieldImpl`): day of week 0-6 with Sunday = 0, months 1-12. */
const FIELDS: readonly FieldSpec[] = [
    { name: 'second', min: 0, max: 59 },
    { name: 'minute', min: 0, max: 59 },
    { name: 'hour', min: 0, max: 23 },
    { name: 'day', min: 1, max: 31 },
    {
        name: 'month',
        min: 1,
        max: 12,
        names: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    },
    { name: 'day-of-week', min: 0, max: 6, names: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] },
];

/**
 * The Gregorian calendar repeats every 400 years, so a date pattern with no occurrence in that span never occurs
 * (e.g. `0 0 0 30 Feb *`).
 */
const SEARCH_LIMIT_YEARS = 401;

/** `[d.]hh:mm[:ss[.fffffff]]`, the TimeSpan forms (.NET `TimeSpan.TryParse`) the host accepts as a constant interval. */
const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** A schedule expression the host would refuse; `expression` is the text as given. */
export class InvalidScheduleError extends Error {
    override readonly name = 'InvalidScheduleError';
    readonly code = 'INVALID_SCHEDULE';
    readonly expression: string;

    constructor(expression: string, reason: string) {
        super(`Invalid timer schedule "${expression}": ${reason}`);
        this.expression = expression;
    }
}

/** A six-field NCRONTAB schedule: for each field, the sorted set of values it allows. */
export interface CronSchedule {
    readonly kind: 'cron';
    readonly expression: string;
    readonly seconds: ReadonlySet<number>;
    readonly minutes: ReadonlySet<number>;
    readonly hours: ReadonlySet<number>;
    readonly days: ReadonlySet<number>;
    readonly months: ReadonlySet<number>;
    readonly daysOfWeek: ReadonlySet<number>;
}

/** A constant interval (the host's `ConstantSchedule`): every occurrence is the previous time plus `intervalMs`. */
export interface IntervalSchedule {
    readonly kind: 'interval';
    readonly expression: string;
    readonly intervalMs: number;
}

/** A parsed timer schedule. */
export type TimerSchedule = CronSchedule | IntervalSchedule;

function parseValue(text: string, field: FieldSpec, expression: string): number {
    if (/^\d+$/.test(text)) {
        const value = Number(text);
        if (value < field.min || value > field.max) {
            throw new InvalidScheduleError(expression, `${field.name} value ${value} is outside ${field.min}-${field.max}`);
        }
        return value;
    }
    const lower = text.toLowerCase();
    const index = lower.length >= MIN_NAME_LENGTH && /^[a-z]+$/.test(lower)
        ? (field.names ?? []).findIndex((name) => name.toLowerCase().startsWith(lower))
        : -1;
    if (index < 0) {
        const hint = field.names ? ` (use ${field.min}-${field.max} or names such as ${field.names.slice(0, 2).map((name) => name.slice(0, MIN_NAME_LENGTH)).join(', ')})` : '';
        throw new InvalidScheduleError(expression, `"${text}" is not a valid ${field.name}${hint}`);
    }
    return field.min + index;
}

function parseStep(text: string, field: FieldSpec, expression: string): number {
    if (!/^\d+$/.test(text) || Number(text) === 0) {
        throw new InvalidScheduleError(expression, `step "/${text}" in the ${field.name} field must be a positive whole number`);
    }
    return Number(text);
}

/** Parses one comma-separated part: `*`, `v`, `a-b`, each optionally with `/step` (`v/step` runs from v to the maximum). */
function addPart(part: string, field: FieldSpec, values: Set<number>, expression: string): void {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') {
        throw new InvalidScheduleError(expression, `"${part}" is not a valid ${field.name}`);
    }
    const step = stepText === undefined ? 1 : parseStep(stepText, field, expression);
    let first: number;
    let last: number;
    if (range === '*') {
        first = field.min;
        last = field.max;
    } else {
        const [from = '', to, beyond] = range.split('-');
        if (beyond !== undefined) throw new InvalidScheduleError(expression, `"${part}" is not a valid ${field.name} range`);
        first = parseValue(from, field, expression);
        if (to === undefined) {
            last = stepText === undefined ? first : field.max;
        } else {
            last = parseValue(to, field, expression);
            if (last < first) {
                throw new InvalidScheduleError(expression, `${field.name} range "${range}" runs backwards`);
            }
        }
    }
    for (let value = first; value <= last; value += step) values.add(value);
}

function parseField(text: string, field: FieldSpec, expression: string): ReadonlySet<number> {
    const values = new Set<number>();
    for (const part of text.split(',')) addPart(part, field, values, expression);
    return values;
}

function parseTimeSpan(expression: string, text: string): IntervalSchedule | undefined {
    const match = TIME_SPAN.exec(text);
    if (!match) return undefined;
    const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
    if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
        throw new InvalidScheduleError(expression, 'a TimeSpan interval needs hours 0-23, minutes 0-59 and seconds 0-59');
    }
    const intervalMs = Number(days) * MS_PER_DAY + Number(hours) * MS_PER_HOUR + Number(minutes) * MS_PER_MINUTE +
        Number(seconds) * MS_PER_SECOND + Math.round(Number(`0.${fraction}0`) * MS_PER_SECOND);
    if (intervalMs <= 0) throw new InvalidScheduleError(expression, 'a TimeSpan interval must be longer than zero');
    return { kind: 'interval', expression, intervalMs };
}

/**
 * Parses a timer schedule the way the host does (`TimerSchedule.Create`): first as an NCRONTAB expression with
 * seconds (`{second} {minute} {hour} {day} {month} {day-of-week}`), else as a TimeSpan interval (`hh:mm:ss`).
 * @throws {InvalidScheduleError} naming the expression and what is wrong with it, also when it never occurs.
 * @example parseSchedule('0 0/5 * * * Mon-Fri').kind // 'cron'
 */
export function parseSchedule(expression: string): TimerSchedule {
    const text = expression.trim();
    if (text === '') throw new InvalidScheduleError(expression, 'the schedule is empty');
    const interval = parseTimeSpan(expression, text);
    if (interval) return interval;
    const parts = text.split(/\s+/);
    if (parts.length !== FIELDS.length) {
        throw new InvalidScheduleError(
            expression,
            `expected ${FIELDS.length} fields ({second} {minute} {hour} {day} {month} {day-of-week}) or a TimeSpan hh:mm:ss, got ${parts.length} field(s)`,
        );
    }
    const sets = FIELDS.map((field, index) => parseField(parts[index] ?? '', field, expression));
    const [seconds, minutes, hours, days, months, daysOfWeek] = sets;
    if (!seconds || !minutes || !hours || !days || !months || !daysOfWeek) {
        throw new InvalidScheduleError(expression, 'a field is missing');
    }
    const schedule: CronSchedule = { kind: 'cron', expression, seconds, minutes, hours, days, months, daysOfWeek };
    if (searchNext(schedule, new Date(0)) === undefined) {
        throw new InvalidScheduleError(expression, 'the day and month fields never match a date');
    }
    return schedule;
}

/** Searches second by second, skipping whole months, days, hours and minutes that cannot match. */
function searchNext(schedule: CronSchedule, after: Date): Date | undefined {
    let t = Math.floor(after.getTime() / MS_PER_SECOND) * MS_PER_SECOND + MS_PER_SECOND;
    const limitYear = new Date(t).getUTCFullYear() + SEARCH_LIMIT_YEARS;
    for (;;) {
        const date = new Date(t);
        const year = date.getUTCFullYear();
        if (year > limitYear) return undefined;
        const month = date.getUTCMonth();
        const day = date.getUTCDate();
        const hour = date.getUTCHours();
        const minute = date.getUTCMinutes();
        if (!schedule.months.has(month + 1)) {
            t = Date.UTC(year, month + 1, 1);
        } else if (!schedule.days.has(day) || !schedule.daysOfWeek.has(date.getUTCDay())) {
            // Day of month and day of week must both match (NCrontab; classic cron would accept either).
            t = Date.UTC(year, month, day + 1);
        } else if (!schedule.hours.has(hour)) {
            t = Date.UTC(year, month, day, hour + 1);
        } else if (!schedule.minutes.has(minute)) {
            t = Date.UTC(year, month, day, hour, minute + 1);
        } else if (!schedule.seconds.has(date.getUTCSeconds())) {
            t += MS_PER_SECOND;
        } else {
            return date;
        }
    }
}

/**
 * The first occurrence of `schedule` strictly after `after`, in UTC (NCrontab `GetNextOccurrence`; a TimeSpan
 * interval gives `after + interval`, as the host's `ConstantSchedule` does).
 * @throws {InvalidScheduleError} when a string schedule cannot be parsed or never occurs.
 * @example nextOccurrence('0 0/5 * * * *', new Date('2024-01-01T10:02:30Z')) // 2024-01-01T10:05:00.000Z
 */
export function nextOccurrence(schedule: string | TimerSchedule, after: Date): Date {
    const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
    if (parsed.kind === 'interval') return new Date(after.getTime() + parsed.intervalMs);
    const next = searchNext(parsed, after);
    if (next === undefined) {
        throw new InvalidScheduleError(parsed.expression, `no occurrence within ${SEARCH_LIMIT_YEARS} years after ${after.toISOString()}`);
    }
    return next;
}
