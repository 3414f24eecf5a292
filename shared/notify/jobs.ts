/** The notification job, schema v1: what producers put on the queue, validated with zod. */
import { z } from 'zod';
import { formatJsonPath, MAX_JSON_DEPTH, nestingProblem } from '../platform/index.js';
import { isMentionId } from './mention-id.js';

/** Longest job id (README, "The notification job (schema v1)"). */
export const MAX_JOB_ID_LENGTH = 128;

/** Longest alias (the `<ALIAS>` of `TEAMS_WEBHOOK_<ALIAS>`). */
export const MAX_ALIAS_LENGTH = 64;

/**
 * Characters a job id may not hold: they are not allowed in Azure Table keys (`/ \ # ?`) or are
 * control characters (Azure Tables docs, "Understanding the Table service data model").
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const FORBIDDEN_ID_CHARACTERS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/** ISO 8601 with milliseconds and a zone, e.g. `2026-11-23T10:00:00.000Z` or `...000+01:00`. */
const ISO_WITH_MILLISECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,7}(Z|[+-]\d{2}:\d{2})$/;

const contentFields = ['text', 'card', 'adaptiveCard', 'messageCard'] as const;

/** Longest `updateKey` or `threadKey` (README, "The notification job (schema v1)"). */
export const MAX_CORRELATION_KEY_LENGTH = 128;

/** Most people one job may @mention: Teams renders each as an entity, and a card stays readable. */
export const MAX_JOB_MENTIONS = 20;

/** Longest display name kept for a mention. */
const MAX_MENTION_NAME_LENGTH = 256;

const mentionIdSchema = z
    .string()
    .trim()
    .refine(isMentionId, 'must be a UPN (ada@contoso.com) or an Entra object id (a GUID)');

/** A person to @mention: a UPN or Entra object id, optionally with the name shown in `<at>...</at>`. */
const jobMentionSchema = z.union(
    [
        mentionIdSchema,
        z.strictObject({
            id: mentionIdSchema,
            name: z.string().trim().min(1, 'must not be empty').max(MAX_MENTION_NAME_LENGTH).optional(),
        }),
    ],
    { error: 'must be a UPN, an Entra object id, or { "id": ..., "name": ... }' },
);

/** A job's `mentions` entry as written. */
export type JobMention = z.input<typeof jobMentionSchema>;

/** The identity of what a job reports on (`updateKey`) or the thread it belongs to (`threadKey`). */
const correlationKeySchema = z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_CORRELATION_KEY_LENGTH)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
    .refine((key) => !/[\u0000-\u001f\u007f-\u009f]/.test(key), 'may not contain control characters');

/** Where a job goes: a configured alias, or a URL that `ALLOWED_WEBHOOK_HOSTS` allows. */
const jobTargetSchema = z.union(
    [
        z
            .string()
            .trim()
            .min(1, 'must name an alias')
            .max(MAX_ALIAS_LENGTH)
            .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'an alias holds only letters, digits, "_" and "-"'),
        z.strictObject({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }) }),
    ],
    { error: 'must be an alias ("ops") or { "url": "https://..." }' },
);

/**
 * Notification job, schema v1 (README, "The notification job (schema v1)"). Exactly one content field: `text`, `card`,
 * `adaptiveCard` or `messageCard`.
 *
 * @example
 * notificationJobSchema.parse({ id: 'deploy-4711', to: 'ops', text: 'Deployed **api** v2.3' });
 */
export const notificationJobSchema = z
    .strictObject({
        id: z
            .string()
            .min(1)
            .max(MAX_JOB_ID_LENGTH)
            .refine((id) => !FORBIDDEN_ID_CHARACTERS.test(id), 'may not contain / \\ # ? or control characters')
            .optional(),
        createdAt: z
            .union([
                z.string().regex(ISO_WITH_MILLISECONDS, 'must be ISO 8601 with milliseconds, e.g. 2026-11-23T10:00:00.000Z'),
                z.number().int().nonnegative('epoch milliseconds cannot be negative'),
            ])
            .refine((value) => Number.isFinite(typeof value === 'number' ? value : Date.parse(value)), 'is not a valid time')
            .optional(),
        to: jobTargetSchema,
        text: z.string().trim().min(1, 'must not be empty').optional(),
        card: z
            .strictObject({
                template: z.string().min(1),
                data: z.record(z.string(), z.unknown()).default({}),
            })
            .optional(),
        adaptiveCard: z
            .looseObject({ type: z.literal('AdaptiveCard', 'must be "AdaptiveCard"') })
            .optional(),
        messageCard: z
            .looseObject({
                '@type': z.literal('MessageCard', 'must be "MessageCard"'),
                summary: z.string().optional(),
                text: z.string().optional(),
            })
            // A blank summary does not count, so `||`: with `??` a blank summary hid a present text.
            .refine((card) => Boolean(card.summary?.trim() || card.text?.trim()), 'needs a summary or a text (Teams refuses it otherwise)')
            .optional(),
        digest: z.boolean().optional(),
        mentions: z.array(jobMentionSchema).max(MAX_JOB_MENTIONS).optional(),
        updateKey: correlationKeySchema.optional(),
        threadKey: correlationKeySchema.optional(),
    })
    .superRefine((job, ctx) => {
        const present = contentFields.filter((field) => job[field] !== undefined);
        if (present.length !== 1) {
            ctx.addIssue({
                code: 'custom',
                path: [],
                message:
                    present.length === 0
                        ? `needs exactly one content field: ${contentFields.join(', ')}`
                        : `has ${present.join(' and ')}: exactly one content field is allowed`,
            });
        }
    });

/** A notification job as producers write it. */
export type NotificationJob = z.input<typeof notificationJobSchema>;
/** A validated notification job. */
export type ValidJob = z.output<typeof notificationJobSchema>;
/** Which content a job carries. */
type JobContentKind = (typeof contentFields)[number];

/** The content field a valid job carries. */
export function jobContentKind(job: ValidJob): JobContentKind {
    const kind = contentFields.find((field) => job[field] !== undefined);
    if (kind === undefined) {
        throw new TypeError('A valid job always has one content field');
    }
    return kind;
}

/** The outcome of {@link validateJob}: the job, or every problem, each naming its field. */
type JobValidation = { readonly ok: true; readonly job: ValidJob } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates a value as a notification job. Every problem is reported, each naming its field. A
 * value nested more than {@link MAX_JSON_DEPTH} levels deep gets that one problem: nothing else
 * walks it.
 *
 * @example
 * const result = validateJob(JSON.parse(text));
 * if (!result.ok) console.error(result.problems.join('\n'));
 */
export function validateJob(value: unknown): JobValidation {
    const tooDeep = nestingProblem(value, MAX_JSON_DEPTH);
    if (tooDeep !== undefined) {
        return { ok: false, problems: [tooDeep] };
    }
    const parsed = notificationJobSchema.safeParse(value);
    if (parsed.success) {
        // Checked on the input, since the parsed copy has lost the key already.
        const prototypeKey = findPrototypeKey(value, []);
        return prototypeKey === undefined ? { ok: true, job: parsed.data } : { ok: false, problems: [prototypeKeyProblem(prototypeKey)] };
    }
    return {
        ok: false,
        problems: parsed.error.issues.map((issue) => {
            const field = issue.path.map(String).join('.');
            return field === '' ? `job: ${issue.message}` : `${field}: ${issue.message}`;
        }),
    };
}

/**
 * The path of the first own `__proto__` key in parsed JSON, or `undefined`. `JSON.parse` keeps such
 * a key as data, but copying the object (zod does, so do templates) turns it into the copy's
 * prototype: the key would vanish silently. Only called on values already checked for depth, so
 * recursion is bounded by {@link MAX_JSON_DEPTH}.
 */
function findPrototypeKey(value: unknown, path: (string | number)[]): (string | number)[] | undefined {
    if (typeof value !== 'object' || value === null) {
        return undefined;
    }
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) {
        return [...path, '__proto__'];
    }
    for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
        const found = findPrototypeKey(child, [...path, key]);
        if (found !== undefined) {
            return found;
        }
    }
    return undefined;
}

/**
 * Names a `__proto__` key by the schema field that holds it (`card.data` or a content field; the
 * schema refuses one on the job itself as an unknown key), then where exactly it is.
 */
function prototypeKeyProblem(path: readonly (string | number)[]): string {
    const field = path[0] === 'card' && path[1] === 'data' ? 'card.data' : String(path[0]);
    return `${field}: the key "__proto__" at ${formatJsonPath(path)} cannot be kept (JavaScript reads it as an object's prototype); rename it`;
}

/** The job's `createdAt` as epoch ms, or `undefined` when the producer did not stamp it. */
export function createdAtMs(job: ValidJob): number | undefined {
    if (job.createdAt === undefined) {
        return undefined;
    }
    return typeof job.createdAt === 'number' ? job.createdAt : Date.parse(job.createdAt);
}

let lastStamp = 0;

/**
 * A `createdAt` for a job this process produces: the current time, strictly increasing per
 * process (two jobs in one millisecond get consecutive values), so our producers keep order.
 */
export function stampCreatedAt(now: number = Date.now()): number {
    lastStamp = Math.max(now, lastStamp + 1);
    return lastStamp;
}
