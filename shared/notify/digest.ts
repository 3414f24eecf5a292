/**
 * Digests under overload: when a webhook's backlog would wait longer than `DIGEST_AFTER_SECONDS`
 * for its slots, the waiting jobs, oldest first, are folded into one `digest` card posted in the
 * next slot. Teams allows one webhook about 1800 posts a day; a digest carries many notifications
 * in one post.
 */
import { type AdaptiveCard, type DigestCardData, digestCardTemplate, renderCardTemplate } from '../cards/index.js';
import { PermanentError } from '../platform/index.js';
import { createdAtMs, type JobMention, MAX_JOB_MENTIONS, type ValidJob } from './jobs.js';
import { nextSendTime, type SlidingWindowLimit } from './limiter.js';
import { mentionedPeople } from './mentions.js';
import type { OutboxJob } from './outbox/index.js';
import { buildTeamsPayload, jobAdaptiveCard, messageCardToAdaptiveCard, SAFE_PAYLOAD_BYTES, type TeamsPayload } from './payload.js';
import type { WebhookDialect } from './teams-answer.js';

/** Most jobs looked at for one digest: a 24 KB card holds fewer than this many sections anyway. */
export const MAX_DIGEST_JOBS = 200;

/** Backlog simulated to decide whether it would wait too long; a longer backlog waits longer still. */
export const MAX_SIMULATED_BACKLOG = 2_000;

/** Bytes kept free for the digest's own heading and the envelope when estimating what fits. */
const DIGEST_OVERHEAD_BYTES = 2_048;

/** Longest section heading taken from a text notification's first line. */
const MAX_HEADING_CHARS = 100;

/**
 * How long the last of `backlog` jobs would wait for its slot if each were posted alone, from the
 * send log and the limits. Pure.
 *
 * @example
 * backlogWaitMs([], 61, now, TEAMS_WEBHOOK_LIMITS, 50); // ≈ 30 050: the 61st waits for the 30 s window
 */
export function backlogWaitMs(sends: readonly number[], backlog: number, now: number, limits: readonly SlidingWindowLimit[], guardMs: number): number {
    const history = [...sends];
    let at = now;
    for (let index = 0; index < Math.min(backlog, MAX_SIMULATED_BACKLOG); index++) {
        at = nextSendTime(history, at, limits, { guardMs });
        history.push(at);
    }
    return at - now;
}

function firstText(card: Readonly<Record<string, unknown>>): string | undefined {
    const body = Array.isArray(card.body) ? (card.body as unknown[]) : [];
    for (const element of body) {
        const text = (element as { type?: unknown; text?: unknown } | null)?.text;
        if (typeof text === 'string' && text.trim() !== '' && !text.includes('${')) {
            return text.trim();
        }
    }
    return undefined;
}

function heading(text: string): string {
    const line = text.split('\n')[0]?.trim() ?? '';
    return line.length > MAX_HEADING_CHARS ? `${line.slice(0, MAX_HEADING_CHARS - 1)}…` : line || 'Notification';
}

function timeOf(job: ValidJob): string | undefined {
    const at = createdAtMs(job);
    return at === undefined ? undefined : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * One job as a digest section: text as text, any card embedded with its content and links.
 *
 * @throws {PermanentError} when the job's card cannot be built (see `jobAdaptiveCard`).
 */
async function digestItem(job: ValidJob): Promise<DigestCardData['items'][number]> {
    const time = timeOf(job);
    const base = time === undefined ? {} : { time };
    if (job.text !== undefined) {
        const [first = '', ...rest] = job.text.split('\n');
        const remainder = rest.join('\n').trim();
        return { ...base, title: heading(first), ...(remainder === '' ? {} : { text: remainder }) };
    }
    const card: AdaptiveCard | undefined = job.messageCard === undefined ? await jobAdaptiveCard(job) : messageCardToAdaptiveCard(job.messageCard);
    if (card === undefined) {
        throw new PermanentError('no_content', 'The job has no content');
    }
    return { ...base, title: heading(firstText(card) ?? 'Notification'), card };
}

/**
 * The job as a digest section, once it passed every check it would pass to go alone (its depth, its
 * card against the dialect's rules, its size: `buildTeamsPayload`), or `undefined` when it did not
 * (or anything was thrown on the way): such a job goes alone, where its own error is recorded.
 */
async function embeddableItem(job: ValidJob, dialect: WebhookDialect): Promise<DigestCardData['items'][number] | undefined> {
    try {
        await buildTeamsPayload(job, dialect);
        return await digestItem(job);
    } catch {
        return undefined;
    }
}

/** The mentions of the jobs a digest carries, each person once (the first job's name for them wins). */
function digestMentions(jobs: readonly OutboxJob[]): JobMention[] {
    return mentionedPeople(jobs.flatMap((job) => job.job.mentions ?? [])).map(({ id, name }) => ({ id, name }));
}

/** A digest ready to post, and the jobs it carries. */
interface Digest {
    readonly payload: TeamsPayload;
    readonly jobs: readonly OutboxJob[];
}

/**
 * Folds jobs from the head of the outbox, oldest first, into one digest for `dialect`: it stops at
 * the first job that must stand alone (`digest: false`) or could not go alone either (each job is
 * checked as if it went alone first), so order is kept, and at what fits
 * {@link SAFE_PAYLOAD_BYTES} and, for the jobs' `mentions`, at {@link MAX_JOB_MENTIONS} people: the
digest @mentions everyone its jobs mention, each once. The digest itself is checked as every card is. `undefined` when fewer
 * than two jobs can be folded.
 *
 * @example
 * const digest = await buildDigest(await store.headJobs(key, MAX_DIGEST_JOBS), 'connector', 'ops');
 */
export async function buildDigest(jobs: readonly OutboxJob[], dialect: WebhookDialect, alias: string | undefined): Promise<Digest | undefined> {
    const foldable: OutboxJob[] = [];
    for (const job of jobs.slice(0, MAX_DIGEST_JOBS)) {
        if (job.job.digest === false) {
            break;
        }
        foldable.push(job);
    }
    const items: DigestCardData['items'] = [];
    let estimated = DIGEST_OVERHEAD_BYTES;
    for (const job of foldable) {
        const item = await embeddableItem(job.job, dialect);
        if (item === undefined) {
            break; // Order: the jobs behind it wait until it has gone alone (or been dead-lettered).
        }
        estimated += Buffer.byteLength(JSON.stringify(item), 'utf8');
        if (estimated > SAFE_PAYLOAD_BYTES && items.length > 0) {
            break;
        }
        // Every mention of every folded job is kept: a job that would take the digest past the cap waits for the next post.
        if (items.length > 0 && digestMentions(foldable.slice(0, items.length + 1)).length > MAX_JOB_MENTIONS) {
            break;
        }
        items.push(item);
    }
    const attempt = async (count: number): Promise<Digest | undefined> => {
        const shown = items.slice(0, count);
        const card = await renderCardTemplate(digestCardTemplate, {
            title: `${alias ?? 'Notifications'}: ${shown.length} notifications held back by Teams' rate limit`,
            items: shown,
        });
        try {
            const mentions = digestMentions(foldable.slice(0, count));
            const payload = await buildTeamsPayload(
                { to: alias ?? 'digest', adaptiveCard: { ...card, type: 'AdaptiveCard' }, ...(mentions.length > 0 ? { mentions } : {}) },
                dialect,
            );
            return { payload, jobs: foldable.slice(0, count) };
        } catch (thrown) {
            // Too large, or the whole breaks a rule no section broke alone (a mention in a text, the
            // depth a section adds): fewer items may pass.
            if (thrown instanceof PermanentError) {
                return undefined;
            }
            throw thrown;
        }
    };
    // The largest number of items that fits and passes the rules: a binary search, since a section's
    // size is only known once rendered, and an item that breaks the whole breaks every longer prefix.
    if (items.length < 2) {
        return undefined;
    }
    let best = await attempt(items.length);
    let low = 2;
    let high = items.length - 1;
    while (best?.jobs.length !== items.length && low <= high) {
        const middle = Math.floor((low + high) / 2);
        const candidate = await attempt(middle);
        if (candidate === undefined) {
            high = middle - 1;
        } else {
            best = candidate;
            low = middle + 1;
        }
    }
    return best;
}

