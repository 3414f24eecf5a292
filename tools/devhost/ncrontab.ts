// Timer schedules as the Functions host reads them: six-field NCRONTAB expressions (occurrences computed by croner) or a constant TimeSpan interval, in UTC.
import { Cron, type CronOptions } from 'croner';

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
 * How croner reads what {@link parseSchedule} hands it as NCrontab does: exactly six fields with seconds first, in
 * UTC (the host's default time zone), and a day matching only when day of month and day of week both match.
 * croner's wider syntax (`?`, `L`, `W`, `#`, nicknames, 7 for Sunday) never reaches it: the fields are checked
 * against NCrontab's grammar first and passed on as numbers.
 */
const CRONER_OPTIONS = { mode: '6-part', timezone: 'UTC', domAndDow: true } as const satisfies CronOptions;

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

/** A six-field NCRONTAB schedule. */
interface CronSchedule {
    readonly kind: 'cron';
    readonly expression: string;
    /** The first occurrence strictly after `after`, or `undefined` when there is none. */
    readonly occurrenceAfter: (after: Date) => Date | undefined;
}

/** A constant interval (the host's `ConstantSchedule`): every occurrence is the previous time plus `intervalMs`. */
interface IntervalSchedule {
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

/**
 * Checks one comma-separated part against NCrontab's grammar (`*`, `v`, `a-b`, each optionally with `/step`;
 * `v/step` runs from v to the maximum) and writes it as an explicit numeric range for croner.
 */
function toCronerPart(part: string, field: FieldSpec, expression: string): string {
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
    // A step past the end of the range leaves its first value alone (croner refuses steps longer than the field).
    if (first === last || step > last - first) return String(first);
    return step === 1 ? `${first}-${last}` : `${first}-${last}/${step}`;
}

function toCronerField(text: string, field: FieldSpec, expression: string): string {
    return text.split(',').map((part) => toCronerPart(part, field, expression)).join(',');
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
 * croner computes the occurrences of an NCRONTAB expression.
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
    const pattern = FIELDS.map((field, index) => toCronerField(parts[index] ?? '', field, expression)).join(' ');
    let cron: Cron;
    try {
        cron = new Cron(pattern, CRONER_OPTIONS);
    } catch (error) {
        throw new InvalidScheduleError(expression, error instanceof Error ? error.message : String(error));
    }
    const occurrenceAfter = (after: Date): Date | undefined => cron.nextRun(after) ?? undefined;
    if (occurrenceAfter(new Date(0)) === undefined) {
        throw new InvalidScheduleError(expression, 'the day and month fields never match a date');
    }
    return { kind: 'cron', expression, occurrenceAfter };
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
    const next = parsed.occurrenceAfter(after);
    if (next === undefined) {
        throw new InvalidScheduleError(parsed.expression, `no occurrence after ${after.toISOString()}`);
    }
    return next;
}
