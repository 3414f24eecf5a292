/** How the CLI shows values it does not control: URLs cut to their host (webhook URLs are secrets), one-line previews, webhooks by name. */
import { type JobMention, type MentionedPerson, mentionedPeople } from '../../shared/notify/index.js';

export { redactUrls } from '../../shared/platform/index.js';

/** Characters of a free text (a reason, an answer body) shown in a table; `--json` carries them whole. */
const PREVIEW_CHARS = 200;

/** Hex characters of a webhook key shown where there is no alias: enough to tell webhooks apart. */
const WEBHOOK_KEY_PREFIX_CHARS = 8;

/** C0 and C1 control characters: a text from outside must not move the cursor or recolour the terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Where a job (or a decoded message) goes, without its URL: the alias, or the host of a `{url}` target.
 *
 * @example
 * targetOf({ to: { url: 'https://prod-27.westeurope.logic.azure.com/workflows/…' } }); // 'prod-27.westeurope.logic.azure.com'
 */
export function targetOf(value: unknown): string | undefined {
    if (typeof value !== 'object' || value === null || !('to' in value)) {
        return undefined;
    }
    const to = value.to;
    if (typeof to === 'string') {
        return to;
    }
    if (typeof to === 'object' && to !== null && 'url' in to && typeof to.url === 'string') {
        try {
            return new URL(to.url).host;
        } catch {
            return 'an invalid URL';
        }
    }
    return undefined;
}

/**
 * One line of at most {@link PREVIEW_CHARS} characters, without control characters.
 *
 * @example
 * preview('Bad payload\nreceived'); // 'Bad payload received'
 */
export function preview(text: string): string {
    const line = text.replace(/\s+/g, ' ').replace(CONTROL_CHARACTERS, '').trim();
    return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS)}…` : line;
}

/** `webhook 1a2b3c4d`: a webhook without an alias, by the first characters of its key. */
export function webhookByKey(webhookKey: string): string {
    return `webhook ${webhookKey.slice(0, WEBHOOK_KEY_PREFIX_CHARS)}`;
}

/**
 * A value typed by someone else (a job id), safe to print: each control character shown as `\uXXXX`.
 *
 * @example
 * printable('deploy\u001b[2J'); // 'deploy\\u001b[2J'
 */
export function printable(text: string): string {
    return text.replace(CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One row of a {@link tableLines} table: its cells, and lines shown indented under it. */
interface TableRow {
    readonly cells: readonly string[];
    readonly details?: readonly string[];
}

/**
 * A table for people: a header and rows in columns padded to the widest cell, two spaces apart, each
 * row followed by its details indented by four spaces.
 *
 * @example
 * tableLines(['ID', 'ATTEMPTS'], [{ cells: ['deploy-4711', '2'], details: ['last error: HTTP 502'] }]);
 * // ['ID           ATTEMPTS', 'deploy-4711  2', '    last error: HTTP 502']
 */
export function tableLines(header: readonly string[], rows: readonly TableRow[]): string[] {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row.cells[column]?.length ?? 0)));
    const format = (cells: readonly string[]): string =>
        cells
            .map((cell, column) => cell.padEnd(widths[column] ?? 0))
            .join('  ')
            .trimEnd();
    return [format(header), ...rows.flatMap((row) => [format(row.cells), ...(row.details ?? []).map((line) => `    ${line}`)])];
}

/** A job's correlation keys and mentions, as `outbox list` and `deadletters list` show them; `null` or empty when it has none. */
export interface ListedJobFields {
    readonly updateKey: string | null;
    readonly threadKey: string | null;
    /** Whom the job @mentions: each person's id and the name the card shows for them. */
    readonly mentions: readonly MentionedPerson[];
}

function stringField(record: Readonly<Record<string, unknown>>, key: string): string | null {
    const value = record[key];
    return typeof value === 'string' ? value : null;
}

/** The entries of a `mentions` value that have the shape of a mention; an invalid message may hold anything. */
function mentionEntries(value: unknown): JobMention[] {
    if (!Array.isArray(value)) {
        return [];
    }
    return value.flatMap((entry: unknown): JobMention[] => {
        if (typeof entry === 'string') {
            return [entry];
        }
        if (typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string') {
            return [{ id: entry.id, ...('name' in entry && typeof entry.name === 'string' ? { name: entry.name } : {}) }];
        }
        return [];
    });
}

/**
 * The `updateKey`, `threadKey` and `mentions` of a job, or of a decoded message that looks like one.
 *
 * @example
 * jobFieldsOf({ to: 'ops', text: 'hi', updateKey: 'alert-1', mentions: ['ada@contoso.com'] });
 * // { updateKey: 'alert-1', threadKey: null, mentions: [{ id: 'ada@contoso.com', name: 'ada' }] }
 */
export function jobFieldsOf(value: unknown): ListedJobFields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { updateKey: null, threadKey: null, mentions: [] };
    }
    const record = value as Readonly<Record<string, unknown>>;
    return { updateKey: stringField(record, 'updateKey'), threadKey: stringField(record, 'threadKey'), mentions: mentionedPeople(mentionEntries(record.mentions)) };
}

/**
 * The lines shown under a listed job for its keys and mentions, one each, only those it has.
 *
 * @example
 * jobFieldLines({ updateKey: 'alert-1', threadKey: null, mentions: [{ id: 'ada@contoso.com', name: 'Ada' }] });
 * // ['update key: alert-1', 'mentions: Ada (ada@contoso.com)']
 */
export function jobFieldLines(fields: ListedJobFields): string[] {
    return [
        ...(fields.updateKey === null ? [] : [`update key: ${preview(fields.updateKey)}`]),
        ...(fields.threadKey === null ? [] : [`thread key: ${preview(fields.threadKey)}`]),
        ...(fields.mentions.length === 0 ? [] : [`mentions: ${preview(fields.mentions.map((person) => (person.name === person.id ? person.id : `${person.name} (${person.id})`)).join(', '))}`]),
    ];
}
