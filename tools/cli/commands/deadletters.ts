/** `teams-relay deadletters`: list, replay and purge the dead letters and the messages in the poison queue. */
import type { QueueClient } from '@azure/storage-queue';
import type { AppConfig } from '../../../shared/config.js';
import { ClientError, ensureErrorType } from '../../../shared/platform/index.js';
import { type DeadLetter, type DeadLetterSource, decodeQueueMessage, type OutboxStore } from '../../../shared/notify/index.js';
import { enqueueNotification, NEVER_EXPIRES } from '../../../shared/notify/azure.js';
import { askOnTerminal, chooseAction, defineCliCommand, EXIT, openCliStorage, type CliContext, type CliIo, type VerbValues } from '../command.js';
import { jobFieldLines, jobFieldsOf, type ListedJobFields, preview, redactUrls, tableLines, targetOf, webhookByKey } from '../display.js';

/** Most messages one Peek Messages or Get Messages call returns (Azure Queue Storage REST API: `numofmessages` 1-32). */
const QUEUE_BATCH_LIMIT = 32;

/**
 * How long a scan of the poison queue holds the messages it received invisible, in seconds: long
 * enough to replay or delete them all, short enough that a scan cut short hides nothing for long.
 */
const SCAN_VISIBILITY_SECONDS = 60;

/** What `purge` wants typed before it deletes anything. */
const PURGE_CONFIRMATION = 'purge';

/** Spaces per level of `--json` output. */
const JSON_INDENT = 2;

/** Storage's HTTP status for a message or queue that is gone. */
const NOT_FOUND_STATUS = 404;

const ACTIONS = ['list', 'replay', 'purge'] as const;
type Action = (typeof ACTIONS)[number];

const OPTIONS = {
    json: { type: 'boolean' },
    all: { type: 'boolean' },
    yes: { type: 'boolean' },
} as const;

type DeadLetterValues = VerbValues<typeof OPTIONS>;

/** Which action each flag belongs to. */
const FLAG_ACTIONS: Readonly<Record<keyof typeof OPTIONS, Action>> = { json: 'list', all: 'replay', yes: 'purge' };

const USAGE = `Usage: teams-relay deadletters list [--json]
       teams-relay deadletters replay (<id> [<id>...] | --all)
       teams-relay deadletters purge [--yes]

Dead letters are jobs that will not be delivered (Teams refused them, retries ran out, or the
message was not a valid job), kept with the reason and Teams' last answer. Messages the queue
trigger itself kept failing on sit in the poison queue (NOTIFICATIONS_QUEUE + "-poison"); they are
listed, replayed and purged with the dead letters, with source "poison".

  list                 every dead letter, oldest first: id, time, alias or webhook, job id, source,
                       reason, the job's update key, thread key and mentions, last status and body,
                       attempts; then every poison message: message id, insertion time, dequeue
                       count and text. Webhook URLs are never printed: a URL shows as its host only.
    --json             print a JSON array instead (every key always present, null when it does not apply)
  replay <id>...       put each back on the notifications queue, then delete it: a job is re-enqueued
                       as stored (same id and createdAt), an invalid message is re-sent as its raw
                       text (so a fixed configuration lets it through), a poison message is moved
    --all              replay everything "list" shows
  purge                delete every dead letter and poison message, after typing "purge" to confirm
    --yes              do not ask (required when there is no terminal)
  -h, --help           show this help

Exit codes: 0 done, 1 something could not be replayed (or purge was not confirmed), 2 usage.

Examples:
  teams-relay deadletters list
  teams-relay deadletters replay 001795428000000-a1b2c3d4e5f6
  teams-relay deadletters replay --all
  teams-relay deadletters purge --yes`;

type ListedSource = DeadLetterSource | 'poison';

/**
 * One listed item, as `--json` prints it: every key always present, `null` (or no mentions) where it
 * does not apply. `updateKey`, `threadKey` and `mentions` are the job's, or the message's when it
 * decodes to something job-shaped.
 */
interface ListedItem extends ListedJobFields {
    readonly source: ListedSource;
    /** The dead letter's id, or the poison message's id: what `replay` takes. */
    readonly id: string;
    /** When it was dead-lettered, or put in the poison queue (ISO 8601). */
    readonly at: string;
    readonly alias: string | null;
    readonly webhookKey: string | null;
    /** Where the job goes: the alias, the host of a `{url}` target, or the webhook key's first characters. Never a URL. */
    readonly target: string | null;
    readonly jobId: string | null;
    readonly reason: string | null;
    readonly lastStatus: number | null;
    /** Teams' last answer body, URLs cut to their host. */
    readonly lastBody: string | null;
    readonly attempts: number | null;
    /** Poison messages: how often the message was read from the poison queue before this listing. */
    readonly dequeueCount: number | null;
    /** The message as received (invalid jobs, poison messages), base64 JSON decoded, URLs cut to their host. */
    readonly text: string | null;
}

/** A message in the poison queue. */
interface PoisonMessage {
    readonly messageId: string;
    readonly insertedOn: Date;
    /** Reads before this listing or scan. */
    readonly dequeueCount: number;
    readonly messageText: string;
}

/** A poison message received (invisible to others) and the receipt to delete or release it with. */
interface HeldPoisonMessage extends PoisonMessage {
    readonly popReceipt: string;
}

/** `3 dead letters`, `1 poison message`. */
function quantity(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function statusOf(error: unknown): number | undefined {
    if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') {
        return error.statusCode;
    }
    return undefined;
}

function jobIdOf(value: unknown): string | undefined {
    return typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string' ? value.id : undefined;
}

function listedDeadLetter(letter: DeadLetter): ListedItem {
    const keyPrefix = letter.webhookKey === undefined ? undefined : webhookByKey(letter.webhookKey);
    const decoded = letter.message === undefined ? undefined : decodeQueueMessage(letter.message);
    const target = letter.alias ?? targetOf(letter.job) ?? (decoded?.ok === true ? targetOf(decoded.value) : undefined) ?? keyPrefix;
    return {
        source: letter.source,
        id: letter.id,
        at: new Date(letter.deadLetteredAt).toISOString(),
        alias: letter.alias ?? null,
        webhookKey: letter.webhookKey ?? null,
        target: target ?? null,
        jobId: letter.jobId ?? null,
        reason: redactUrls(letter.reason),
        lastStatus: letter.lastStatus ?? null,
        lastBody: letter.lastBody === undefined ? null : redactUrls(letter.lastBody),
        attempts: letter.attempts,
        dequeueCount: null,
        text: letter.message === undefined ? null : redactUrls(letter.message),
        ...jobFieldsOf(letter.job ?? (decoded?.ok === true ? decoded.value : undefined)),
    };
}

function listedPoisonMessage(message: PoisonMessage): ListedItem {
    const decoded = decodeQueueMessage(message.messageText);
    const value = decoded.ok ? decoded.value : undefined;
    const target = targetOf(value);
    const addressedToAlias = typeof value === 'object' && value !== null && 'to' in value && typeof value.to === 'string';
    return {
        source: 'poison',
        id: message.messageId,
        at: message.insertedOn.toISOString(),
        alias: addressedToAlias ? (target ?? null) : null,
        webhookKey: null,
        target: target ?? null,
        jobId: jobIdOf(value) ?? null,
        reason: null,
        lastStatus: null,
        lastBody: null,
        attempts: null,
        dequeueCount: message.dequeueCount,
        text: redactUrls(decoded.text),
        ...jobFieldsOf(value),
    };
}

/**
 * Receives every message of the poison queue, holding each invisible for {@link SCAN_VISIBILITY_SECONDS}:
 * Get Messages is the only way past the first 32 (Peek Messages cannot page). Delete or
 * {@link releasePoison} what it returns. Reported dequeue counts exclude this read.
 */
async function holdPoison(queue: QueueClient): Promise<HeldPoisonMessage[]> {
    if (!(await queue.exists())) {
        return [];
    }
    const held = new Map<string, HeldPoisonMessage>();
    for (;;) {
        const batch = await queue.receiveMessages({ numberOfMessages: QUEUE_BATCH_LIMIT, visibilityTimeout: SCAN_VISIBILITY_SECONDS });
        if (batch.receivedMessageItems.length === 0) {
            break;
        }
        for (const item of batch.receivedMessageItems) {
            held.set(item.messageId, {
                messageId: item.messageId,
                insertedOn: item.insertedOn,
                dequeueCount: Math.max(0, item.dequeueCount - 1),
                messageText: item.messageText,
                popReceipt: item.popReceipt,
            });
        }
    }
    return [...held.values()].sort((a, b) => a.insertedOn.getTime() - b.insertedOn.getTime());
}

/** Makes held messages visible again at once; one deleted meanwhile is skipped. */
async function releasePoison(queue: QueueClient, messages: readonly HeldPoisonMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += QUEUE_BATCH_LIMIT) {
        await Promise.all(
            messages.slice(start, start + QUEUE_BATCH_LIMIT).map(async (message) => {
                try {
                    await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
                } catch (error) {
                    if (statusOf(error) !== NOT_FOUND_STATUS) {
                        throw error;
                    }
                }
            }),
        );
    }
}

/**
 * Every message in the poison queue, oldest first, left where it is. Up to 31 messages are read
 * with Peek Messages, which changes nothing; a fuller queue is scanned with {@link holdPoison} and
 * released at once (each message's dequeue count goes up by one, and it is hidden for the moment of
 * the scan).
 */
async function listPoison(queue: QueueClient): Promise<PoisonMessage[]> {
    if (!(await queue.exists())) {
        return [];
    }
    const peeked = await queue.peekMessages({ numberOfMessages: QUEUE_BATCH_LIMIT });
    if (peeked.peekedMessageItems.length < QUEUE_BATCH_LIMIT) {
        return peeked.peekedMessageItems
            .map((item) => ({ messageId: item.messageId, insertedOn: item.insertedOn, dequeueCount: item.dequeueCount, messageText: item.messageText }))
            .sort((a, b) => a.insertedOn.getTime() - b.insertedOn.getTime());
    }
    const held = await holdPoison(queue);
    await releasePoison(queue, held);
    return held;
}

/** `2026-11-23 10:00:00Z`. */
function clock(iso: string): string {
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

function detailLines(item: ListedItem, poisonQueue: string): string[] {
    const lines: string[] = [];
    if (item.source === 'poison') {
        lines.push(`reason: the queue trigger kept failing on it (moved to ${poisonQueue})`, `dequeue count: ${item.dequeueCount ?? 0}`);
    } else if (item.reason !== null) {
        lines.push(`reason: ${preview(item.reason)}`);
    }
    lines.push(...jobFieldLines(item));
    if (item.lastStatus !== null || item.lastBody !== null) {
        const status = item.lastStatus === null ? 'no status' : `HTTP ${item.lastStatus}`;
        lines.push(`last answer: ${status}${item.lastBody === null || item.lastBody === '' ? '' : `: ${preview(item.lastBody)}`}`);
    }
    if (item.text !== null) {
        lines.push(`message: ${preview(item.text)}`);
    }
    return lines;
}

function table(items: readonly ListedItem[], poisonQueue: string): string[] {
    return tableLines(
        ['ID', 'SOURCE', 'WHEN', 'TARGET', 'JOB ID', 'ATTEMPTS'],
        items.map((item) => ({
            cells: [item.id, item.source, clock(item.at), item.target ?? '-', item.jobId ?? '-', item.attempts === null ? '-' : String(item.attempts)],
            details: detailLines(item, poisonQueue),
        })),
    );
}

/** Everything there is to list. */
async function listAll(store: OutboxStore, poisonQueue: QueueClient): Promise<{ letters: DeadLetter[]; poison: PoisonMessage[] }> {
    const [letters, poison] = await Promise.all([store.listDeadLetters(), listPoison(poisonQueue)]);
    return { letters, poison };
}

async function list(values: DeadLetterValues, context: CliContext): Promise<number> {
    const config = await context.config();
    const { store, openQueue } = await openCliStorage(context.io, config);
    const { letters, poison } = await listAll(store, openQueue(config.storage, config.queues.poison));
    const items = [...letters.map(listedDeadLetter), ...poison.map(listedPoisonMessage)];
    if (values.json === true) {
        context.io.stdout(JSON.stringify(items, null, JSON_INDENT));
        return EXIT.ok;
    }
    if (items.length === 0) {
        context.io.stdout(`No dead letters, and no messages in ${config.queues.poison}.`);
        return EXIT.ok;
    }
    context.io.stdout(`${quantity(letters.length, 'dead letter')}, ${quantity(poison.length, 'poison message')} (in ${config.queues.poison})`);
    context.io.stdout('');
    for (const line of table(items, config.queues.poison)) {
        context.io.stdout(line);
    }
    return EXIT.ok;
}

/** Puts a dead letter back on the queue, then deletes it; resolves to what was sent. */
async function replayDeadLetter(letter: DeadLetter, queue: QueueClient, store: OutboxStore, config: AppConfig): Promise<string> {
    let sent: string;
    if (letter.job !== undefined) {
        const enqueued = await enqueueNotification(letter.job, { queue, config });
        sent = `job ${enqueued.id}`;
    } else if (letter.message !== undefined) {
        await queue.sendMessage(letter.message, { messageTimeToLive: NEVER_EXPIRES });
        sent = `its raw message${letter.jobId === undefined ? '' : ` (job ${letter.jobId})`}`;
    } else {
        throw new ClientError('nothing_to_replay', 'it holds neither a job nor a message');
    }
    // Deleted only once the job is on the queue: a crash in between leaves a duplicate dead letter, never a lost job.
    await store.deleteDeadLetter(letter.id);
    return sent;
}

/** Reports one item that could not be replayed. */
function reportFailure(io: CliIo, id: string, thrown: unknown): void {
    io.stderr(`${id}: not replayed: ${redactUrls(ensureErrorType(thrown).message)}`);
}

async function replay(values: DeadLetterValues, ids: readonly string[], context: CliContext): Promise<number> {
    const all = values.all === true;
    if (all === (ids.length > 0)) {
        throw new ClientError('usage', all ? '--all replays everything: give it without ids' : 'give the ids to replay, or --all');
    }
    const { io } = context;
    const config = await context.config();
    const { store, openQueue } = await openCliStorage(io, config);
    const queue = openQueue(config.storage, config.queues.notifications);
    const poisonQueue = openQueue(config.storage, config.queues.poison);
    const wanted = new Set(ids);
    const letters: DeadLetter[] = [];
    if (all) {
        letters.push(...(await store.listDeadLetters()));
    } else {
        for (const id of wanted) {
            const letter = await store.getDeadLetter(id);
            if (letter !== undefined) {
                letters.push(letter);
                wanted.delete(id);
            }
        }
    }
    await queue.createIfNotExists();
    let failures = 0;
    let replayed = 0;
    for (const letter of letters) {
        try {
            const sent = await replayDeadLetter(letter, queue, store, config);
            replayed += 1;
            io.stdout(`replayed ${letter.id} (${letter.source}): ${sent} → ${config.queues.notifications}`);
        } catch (thrown) {
            failures += 1;
            reportFailure(io, letter.id, thrown);
        }
    }
    if (all || wanted.size > 0) {
        const held = await holdPoison(poisonQueue);
        const kept: HeldPoisonMessage[] = [];
        try {
            for (const message of held) {
                if (!all && !wanted.has(message.messageId)) {
                    kept.push(message);
                    continue;
                }
                wanted.delete(message.messageId);
                try {
                    await queue.sendMessage(message.messageText, { messageTimeToLive: NEVER_EXPIRES });
                    // Removed only once it is on the queue again: a crash in between leaves a duplicate, never a loss.
                    await poisonQueue.deleteMessage(message.messageId, message.popReceipt);
                    replayed += 1;
                    io.stdout(`replayed ${message.messageId} (poison): moved from ${config.queues.poison} → ${config.queues.notifications}`);
                } catch (thrown) {
                    failures += 1;
                    kept.push(message);
                    reportFailure(io, message.messageId, thrown);
                }
            }
        } finally {
            await releasePoison(poisonQueue, kept);
        }
    }
    for (const id of wanted) {
        failures += 1;
        io.stderr(`${id}: not replayed: no dead letter and no message in ${config.queues.poison} has this id`);
    }
    if (all && replayed === 0 && failures === 0) {
        io.stdout(`Nothing to replay: no dead letters, and no messages in ${config.queues.poison}.`);
    }
    return failures === 0 ? EXIT.ok : EXIT.failure;
}

async function confirmPurge(context: CliContext, what: string): Promise<boolean> {
    const ask = context.io.prompt ?? askOnTerminal;
    const answer = await ask(`Type "${PURGE_CONFIRMATION}" to delete ${what}: `);
    if (answer === undefined) {
        throw new ClientError('confirmation_required', `not purging ${what} without confirmation: there is no terminal to ask on; pass --yes`);
    }
    return answer.trim() === PURGE_CONFIRMATION;
}

async function purge(values: DeadLetterValues, context: CliContext): Promise<number> {
    const { io } = context;
    const config = await context.config();
    const { store, openQueue } = await openCliStorage(io, config);
    const poisonQueue = openQueue(config.storage, config.queues.poison);
    const { letters, poison } = await listAll(store, poisonQueue);
    if (letters.length + poison.length === 0) {
        io.stdout(`Nothing to purge: no dead letters, and no messages in ${config.queues.poison}.`);
        return EXIT.ok;
    }
    const what = [quantity(letters.length, 'dead letter'), ...(poison.length > 0 ? [quantity(poison.length, 'poison message')] : [])].join(' and ');
    if (values.yes !== true && !(await confirmPurge(context, what))) {
        io.stderr('Not confirmed: nothing was deleted.');
        return EXIT.failure;
    }
    for (const letter of letters) {
        await store.deleteDeadLetter(letter.id);
    }
    // Only the messages counted above: one that arrived while the question was open was never shown.
    const confirmed = new Set(poison.map((message) => message.messageId));
    const held = await holdPoison(poisonQueue);
    const kept = held.filter((message) => !confirmed.has(message.messageId));
    let deleted = 0;
    try {
        for (const message of held.filter((candidate) => confirmed.has(candidate.messageId))) {
            await poisonQueue.deleteMessage(message.messageId, message.popReceipt);
            deleted += 1;
        }
    } finally {
        await releasePoison(poisonQueue, kept);
    }
    io.stdout(`Deleted ${quantity(letters.length, 'dead letter')} and ${quantity(deleted, 'poison message')}.`);
    if (kept.length > 0) {
        io.stdout(`Kept ${quantity(kept.length, 'poison message')} that arrived after the count.`);
    }
    return EXIT.ok;
}

/** `teams-relay deadletters`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'deadletters', summary: 'list, replay or purge dead letters and poison-queue messages', usage: USAGE, options: OPTIONS, operands: true },
    async (parsed, context) => {
        const { action, operands } = chooseAction('deadletters', ACTIONS, FLAG_ACTIONS, parsed);
        const { values } = parsed;
        if (action !== 'replay' && operands.length > 0) {
            throw new ClientError('usage', `"deadletters ${action}" takes no ids, got "${operands.join(' ')}"`);
        }
        switch (action) {
            case 'list':
                return list(values, context);
            case 'replay':
                return replay(values, operands, context);
            case 'purge':
                return purge(values, context);
        }
    },
);
