/** Accepting a queue message: decode it, validate the job, resolve its target, and put it in the outbox or dead-letter it. */
import { checkCardData } from '../cards/index.js';
import { ensureErrorType, MAX_JSON_DEPTH, nestingProblem, PermanentError } from '../platform/index.js';
import { createdAtMs, jobContentKind, validateJob, type ValidJob } from './jobs.js';
import type { AddJobResult, OutboxJob, OutboxStore } from './outbox/index.js';
import { buildTeamsPayload } from './payload.js';
import type { NotifyConfig } from './settings.js';
import { isAllowedWebhookUrl, webhookDialect, webhookKey } from './webhook-target.js';

/** Most characters of an invalid message kept in its dead letter. */
const MAX_KEPT_MESSAGE_CHARS = 32 * 1024;

/** A queue message decoded to a value, or why it could not be. */
type DecodedMessage =
    | { readonly ok: true; readonly value: unknown; readonly text: string }
    /** `jobId`: the id of a message that arrived parsed but could not be kept as text, so its dead letter still names it. */
    | { readonly ok: false; readonly problem: string; readonly text: string; readonly jobId?: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes a queue message as the trigger receives it: JSON arrives parsed, other text as a string,
 * which may be JSON or base64-encoded JSON (what the storage SDK's and the Azure CLI's defaults write).
 */
export function decodeQueueMessage(raw: unknown): DecodedMessage {
    if (typeof raw !== 'string') {
        if (raw === null || raw === undefined) {
            return { ok: false, problem: 'message: empty', text: '' };
        }
        // Checked before it is written back as text: serialising recurses once per level.
        const tooDeep = nestingProblem(raw, MAX_JSON_DEPTH);
        if (tooDeep !== undefined) {
            const id = Array.isArray(raw) ? undefined : (raw as { id?: unknown }).id;
            return { ok: false, problem: tooDeep, text: '(not kept: nested too deeply to write back as text)', ...(typeof id === 'string' ? { jobId: id } : {}) };
        }
        return { ok: true, value: raw, text: JSON.stringify(raw) };
    }
    const trimmed = raw.trim();
    if (trimmed === '') {
        return { ok: false, problem: 'message: empty', text: raw };
    }
    let candidate = trimmed;
    if (!/^[[{"]/.test(trimmed) && BASE64.test(trimmed) && trimmed.length % 4 === 0) {
        candidate = Buffer.from(trimmed, 'base64').toString('utf8');
    }
    try {
        return { ok: true, value: JSON.parse(candidate) as unknown, text: candidate };
    } catch {
        return { ok: false, problem: 'message: not JSON (plain or base64-encoded)', text: raw };
    }
}

/** The queue message's identity, for a stable job id and an order when the producer gave none. */
interface MessageMeta {
    /** The queue message id: stable across redeliveries. */
    readonly messageId: string;
    /** When it was dequeued (epoch ms). */
    readonly dequeuedAt: number;
}

/** A job's destination, resolved. */
interface ResolvedTarget {
    readonly url: URL;
    readonly alias: string | undefined;
}

/** Why a `{url}` target is refused while `ALLOW_URL_TARGETS` is off. */
export const URL_TARGETS_OFF =
    'to.url: {url} targets are turned off; name a configured alias (TEAMS_WEBHOOK_<ALIAS>), or set ALLOW_URL_TARGETS=true to allow them (their URLs are then stored in the outbox and dead letters)';

/**
 * Resolves `to` against the configuration: an alias must be configured; a `{url}` needs
 * `ALLOW_URL_TARGETS` and a host `ALLOWED_WEBHOOK_HOSTS` allows. Problems name the field and never print a URL.
 */
function resolveJobTarget(job: ValidJob, config: Pick<NotifyConfig, 'targets'>): ResolvedTarget | { readonly problem: string } {
    if (typeof job.to === 'string') {
        const alias = job.to.toLowerCase();
        const url = config.targets.webhooks.get(alias);
        if (url === undefined) {
            const known = [...config.targets.webhooks.keys()];
            return { problem: `to: unknown alias "${alias}" (configured: ${known.length === 0 ? 'none' : known.join(', ')}; set TEAMS_WEBHOOK_${alias.toUpperCase()})` };
        }
        return { url, alias };
    }
    const url = new URL(job.to.url);
    if (!config.targets.allowUrlTargets) {
        return { problem: URL_TARGETS_OFF };
    }
    if (!isAllowedWebhookUrl(url, config.targets.allowedHosts)) {
        return { problem: `to.url: the host "${url.hostname}" is not allowed by ALLOWED_WEBHOOK_HOSTS` };
    }
    return { url, alias: undefined };
}

/**
 * The URL to post a waiting job to, resolved against the configuration as it is now: a job accepted
 * under other settings (an alias since removed, a `{url}` while `ALLOW_URL_TARGETS` was on) is
 * refused, so the sender dead-letters it and goes on with the jobs behind it.
 *
 * @throws {PermanentError} `unresolvable_target` naming the problem (never the URL).
 */
export function resolveSendTarget(job: OutboxJob, config: Pick<NotifyConfig, 'targets'>): URL {
    const target = resolveJobTarget(job.job, config);
    if ('problem' in target) {
        throw new PermanentError('unresolvable_target', target.problem);
    }
    return target.url;
}

/**
 * What the sender would refuse the job for at its destination, checked now so the producer hears of
 * it: the card rules of the destination's dialect (Workflows or connector) and the size, exactly as
 * `buildTeamsPayload` checks them before a send. Anything else that goes wrong while checking is
 * reported too: the job would fail the same way at send time.
 */
async function sendTimeProblems(job: ValidJob, url: URL): Promise<string[]> {
    try {
        await buildTeamsPayload(job, webhookDialect(url));
        return [];
    } catch (thrown) {
        if (thrown instanceof PermanentError) {
            return [`${jobContentKind(job)}: ${thrown.message}`];
        }
        const error = ensureErrorType(thrown);
        return [`${jobContentKind(job)}: could not be prepared for sending (${error.name}: ${error.message})`];
    }
}

/**
 * Validates a decoded value as a job ready for delivery: the schema (after the nesting limit), the
 * card template's data, the target, then what would fail at send time (the destination's card
 * rules and the size). Every problem names its field.
 *
 * @example
 * const checked = await checkJob(JSON.parse(body), config);
 * if (!checked.ok) return { status: 400, jsonBody: { error: 'invalid_job', problems: checked.problems } };
 */
export async function checkJob(value: unknown, config: Pick<NotifyConfig, 'targets'>): Promise<{ ok: true; job: ValidJob; target: ResolvedTarget } | { ok: false; problems: string[] }> {
    const validation = validateJob(value);
    if (!validation.ok) {
        return { ok: false, problems: [...validation.problems] };
    }
    const job = validation.job;
    const problems: string[] = [];
    if (job.card !== undefined) {
        problems.push(...checkCardData(job.card.template, job.card.data));
    }
    const target = resolveJobTarget(job, config);
    if ('problem' in target) {
        problems.push(target.problem);
    }
    if (problems.length > 0 || 'problem' in target) {
        return { ok: false, problems };
    }
    const atSend = await sendTimeProblems(job, target.url);
    return atSend.length > 0 ? { ok: false, problems: atSend } : { ok: true, job, target };
}

/** What happened to a message. */
type AcceptResult =
    | { readonly kind: 'accepted'; readonly webhookKey: string; readonly jobId: string; readonly added: AddJobResult }
    | { readonly kind: 'dead-lettered'; readonly reason: string };

/**
 * Accepts one queue message: a valid job goes into its webhook's outbox (idempotent on the job id;
 * a job without id gets `msg-<queue message id>`, stable across redeliveries); anything else is
 * dead-lettered at once with every problem, never retried and never silently poisoned.
 *
 * @example
 * const result = await acceptQueueMessage(message, { messageId, dequeuedAt: Date.now() }, store, config);
 */
export async function acceptQueueMessage(raw: unknown, meta: MessageMeta, store: OutboxStore, config: Pick<NotifyConfig, 'targets'>): Promise<AcceptResult> {
    const decoded = decodeQueueMessage(raw);
    const checked = decoded.ok ? await checkJob(decoded.value, config) : { ok: false as const, problems: [decoded.problem] };
    if (!checked.ok) {
        const reason = `Invalid job: ${checked.problems.join('; ')}`;
        const jobId = decoded.ok ? (typeof decoded.value === 'object' ? (decoded.value as { id?: unknown } | null)?.id : undefined) : decoded.jobId;
        await store.deadLetter({
            source: 'validation',
            jobId: typeof jobId === 'string' ? jobId.slice(0, 128) : undefined,
            webhookKey: undefined,
            alias: undefined,
            job: undefined,
            message: decoded.text.slice(0, MAX_KEPT_MESSAGE_CHARS),
            reason,
            lastStatus: undefined,
            lastBody: undefined,
            attempts: 0,
            firstAttemptAt: undefined,
            deadLetteredAt: meta.dequeuedAt,
        });
        return { kind: 'dead-lettered', reason };
    }
    const jobId = checked.job.id ?? `msg-${meta.messageId}`;
    const key = webhookKey(checked.target.url);
    // The state row makes the webhook visible to the sweep, so a job is never stranded.
    const state = await store.readState(key);
    if (state.etag === undefined) {
        const host = checked.target.alias === undefined ? checked.target.url.host : undefined;
        await store.writeState({ ...state, alias: checked.target.alias, host });
    }
    const added = await store.addJob({
        webhookKey: key,
        jobId,
        order: createdAtMs(checked.job) ?? meta.dequeuedAt,
        job: { ...checked.job, id: jobId },
        alias: checked.target.alias,
        acceptedAt: meta.dequeuedAt,
    });
    return { kind: 'accepted', webhookKey: key, jobId, added };
}
