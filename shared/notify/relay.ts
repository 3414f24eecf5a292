/**
 * Relay flows: a flow of our own behind a Request trigger that posts, replies to and updates cards
 * through the Teams connector and answers with the message id (docs/teams-facts.md#relay-flow).
 * What to ask the flow for a job, the request it gets, and what its answer says. Pure.
 */
import type { ValidJob } from './jobs.js';
import type { HttpAnswer, TeamsAnswer } from './teams-answer.js';

/** Longest message id we keep from a flow's answer; Teams' ids are 13-digit epoch ms strings. */
export const MAX_RELAY_MESSAGE_ID_LENGTH = 256;

/** What a recorded message id answers: the card of an `updateKey`, or the root of a `threadKey`. */
export type MessageKeyKind = 'update' | 'thread';

/** A message the flow posted, recorded for a key. */
export interface RecordedMessage {
    readonly messageId: string;
    /** When it was recorded (epoch ms). */
    readonly recordedAt: number;
}

/** What the flow is asked to do with the card. */
export type RelayAction =
    | { readonly action: 'post' }
    | { readonly action: 'reply'; readonly parentMessageId: string }
    | { readonly action: 'update'; readonly messageId: string };

/** The `relay` field of a request to a relay flow. */
export type RelayRequest = RelayAction & { readonly jobId: string };

/** The messages already recorded for a job's keys on its webhook. */
interface RecordedKeys {
    readonly update?: RecordedMessage | undefined;
    readonly thread?: RecordedMessage | undefined;
}

/**
 * What to ask for: an `update` of the card recorded for the job's `updateKey`; else a `reply` to the
 * root recorded for its `threadKey`; else a `post`.
 *
 * @example
 * decideRelayAction({ ...job, updateKey: 'am:ops' }, { update: { messageId: '1700', recordedAt: 0 } }); // { action: 'update', messageId: '1700' }
 */
export function decideRelayAction(job: Pick<ValidJob, 'updateKey' | 'threadKey'>, recorded: RecordedKeys): RelayAction {
    if (job.updateKey !== undefined && recorded.update !== undefined) {
        return { action: 'update', messageId: recorded.update.messageId };
    }
    if (job.threadKey !== undefined && recorded.thread !== undefined) {
        return { action: 'reply', parentMessageId: recorded.thread.messageId };
    }
    return { action: 'post' };
}

/** The keys to record a posted message for, after the flow answered with its id. */
export function keysToRecord(job: Pick<ValidJob, 'updateKey' | 'threadKey'>, action: RelayAction): { kind: MessageKeyKind; key: string }[] {
    const keys: { kind: MessageKeyKind; key: string }[] = [];
    if (job.updateKey !== undefined) {
        keys.push({ kind: 'update', key: job.updateKey });
    }
    // Only a post starts a thread: a reply's id is not a thread's root.
    if (job.threadKey !== undefined && action.action === 'post') {
        keys.push({ kind: 'thread', key: job.threadKey });
    }
    return keys;
}

/**
 * The body for a relay flow: the Workflows envelope the payload already is, plus `relay`.
 *
 * @throws {TypeError} when `payloadBody` is not a JSON object (the payload builder always makes one).
 */
export function relayBody(payloadBody: string, request: RelayRequest): string {
    const envelope: unknown = JSON.parse(payloadBody);
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
        throw new TypeError('A relay payload must be a JSON object');
    }
    return JSON.stringify({ ...envelope, relay: request });
}

function isHttpAnswer(answer: TeamsAnswer): answer is HttpAnswer {
    return 'status' in answer;
}

/**
 * The message id in a relay flow's answer: `200 {"messageId": "<id>"}`; `undefined` for any other
 * answer (a 202 is a flow without a Response action: accepted, with no id).
 */
export function relayMessageId(answer: TeamsAnswer): string | undefined {
    if (!isHttpAnswer(answer) || answer.status !== 200) {
        return undefined;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(answer.body);
    } catch {
        return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || !('messageId' in parsed)) {
        return undefined;
    }
    const id = parsed.messageId;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        return String(id);
    }
    return typeof id === 'string' && id.trim() !== '' && id.length <= MAX_RELAY_MESSAGE_ID_LENGTH ? id : undefined;
}

/** True when the flow said the message to reply to or update is not there (deleted, or an id it does not know): post instead. */
export function isMissingMessage(answer: TeamsAnswer, action: RelayAction): boolean {
    return action.action !== 'post' && isHttpAnswer(answer) && answer.status === 404;
}

/**
 * What `budget` and `status` say of a relay-flow alias whose flow answered without a message id:
 * its cards are posted but cannot be updated or threaded. `undefined` when all is well.
 */
export function relayMisconfiguredNotice(answersWithoutId: number): string | undefined {
    return answersWithoutId === 0
        ? undefined
        : `the relay flow answered ${answersWithoutId} post${answersWithoutId === 1 ? '' : 's'} without a message id (HTTP 202: no Response action), so its cards cannot be updated or threaded`;
}
