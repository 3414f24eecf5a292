/** The relay-flow mode: a channel's messages, and how a relay flow judges one request (the contract of relay-contract.ts). */
import { HTTP_STATUS, workflowsError, workflowsSchemaMismatch, type Answer } from './answers.js';
import type { ReceivedBody, Verdict } from './endpoint.js';
import { findWorkflowsRenderProblem, parseRelayPayload } from './payloads.js';
import {
    RELAY_ACTIONS,
    RELAY_ACTION_SPECS,
    RELAY_ERROR_CODES,
    RELAY_MESSAGE_ID_FIELD,
    missingIdMessage,
    teamsFailureMessage,
    unknownActionMessage,
    type RelayAction,
} from './relay-contract.js';
import type { SlidingWindowLog } from './windows.js';

const APPLICATION_JSON = 'application/json; charset=utf-8';

/** One version of a card: as posted, or as an update left it. */
interface RelayCardVersion {
    /** When the flow posted or updated it (simulator clock, ms). */
    readonly at: number;
    /** `relay.jobId` of the request, when it had one. */
    readonly jobId?: string;
    readonly card: unknown;
}

/** A message of a relay flow's channel, as a person would see it, with its history. */
export interface RelayMessage {
    /** The Teams message id the flow answered with. */
    readonly id: string;
    /** The card shown now: the last of `versions`. */
    readonly card: unknown;
    /** The card as posted, then after each update, oldest first. */
    readonly versions: readonly RelayCardVersion[];
    /** Replies in its thread, oldest first (a reply has none of its own). */
    readonly replies: readonly RelayMessage[];
}

/** `GET /simulator/relay-flows/<name>/messages`: a relay flow's channel, oldest message first. */
export interface RelayChannelView {
    readonly flow: string;
    readonly messages: readonly RelayMessage[];
}

interface StoredMessage {
    readonly id: string;
    readonly versions: RelayCardVersion[];
    readonly replies: StoredMessage[];
}

function viewOf(message: StoredMessage): RelayMessage {
    const versions = message.versions.map((version) => structuredClone(version));
    return {
        id: message.id,
        card: versions.at(-1)?.card,
        versions,
        replies: message.replies.map(viewOf),
    };
}

/**
 * The channel a relay flow posts in: top-level messages and their threads. Ids look like Teams'
 * (epoch milliseconds), strictly increasing across every channel of the ids' source.
 */
export class RelayChannel {
    readonly #messages: StoredMessage[] = [];
    readonly #byId = new Map<string, StoredMessage>();
    readonly #nextId: (now: number) => string;

    /** @param nextId hands out a fresh message id at `now` */
    constructor(nextId: (now: number) => string) {
        this.#nextId = nextId;
    }

    /** Posts a card as a new message; returns its id. */
    post(card: unknown, now: number, jobId: string | undefined): string {
        const message = this.#store(card, now, jobId);
        this.#messages.push(message);
        return message.id;
    }

    /** Replies in the thread of top-level message `parentId`; the reply's id, or `undefined` when there is no such message. */
    reply(parentId: string, card: unknown, now: number, jobId: string | undefined): string | undefined {
        const parent = this.#messages.find((message) => message.id === parentId);
        if (parent === undefined) return undefined;
        const reply = this.#store(card, now, jobId);
        parent.replies.push(reply);
        return reply.id;
    }

    /** Replaces the card of message (or reply) `id`; `false` when there is no such message. */
    update(id: string, card: unknown, now: number, jobId: string | undefined): boolean {
        const message = this.#byId.get(id);
        if (message === undefined) return false;
        message.versions.push(version(card, now, jobId));
        return true;
    }

    /** Every message, oldest first, with replies and versions: copies, safe to keep. */
    messages(): readonly RelayMessage[] {
        return this.#messages.map(viewOf);
    }

    #store(card: unknown, now: number, jobId: string | undefined): StoredMessage {
        const message: StoredMessage = { id: this.#nextId(now), versions: [version(card, now, jobId)], replies: [] };
        this.#byId.set(message.id, message);
        return message;
    }
}

function version(card: unknown, at: number, jobId: string | undefined): RelayCardVersion {
    return jobId === undefined ? { at, card: structuredClone(card) } : { at, jobId, card: structuredClone(card) };
}

/**
 * Teams-like message ids: the clock's milliseconds, bumped so no two are equal.
 *
 * @example
 * const next = messageIdSource();
 * next(1_700_000_000_000); // → '1700000000000'
 * next(1_700_000_000_000); // → '1700000000001'
 */
export function messageIdSource(): (now: number) => string {
    let last = Number.NEGATIVE_INFINITY;
    return (now) => {
        last = Math.max(Math.floor(now), last + 1);
        return String(last);
    };
}

/** What the simulator records of a relay request. */
export interface RelayRecord {
    /** `relay.action` as sent, when the body got that far. */
    readonly action?: string;
    /** The id the flow answered with, or the id it could not find. */
    readonly messageId?: string;
}

function teamsFailed(action: RelayAction, teamsStatus: number): Answer {
    const body = { error: { code: RELAY_ERROR_CODES.teamsActionFailed, message: teamsFailureMessage(action), action, teamsStatus } };
    return { status: teamsStatus, body: JSON.stringify(body), contentType: APPLICATION_JSON };
}

function delivered(messageId: string): Answer {
    return { status: HTTP_STATUS.ok, body: JSON.stringify({ [RELAY_MESSAGE_ID_FIELD]: messageId }), contentType: APPLICATION_JSON };
}

function isRelayAction(action: string): action is RelayAction {
    return (RELAY_ACTIONS as readonly string[]).includes(action);
}

/** A request the flow's switch sends to the Teams connector. */
interface ConnectorCall {
    readonly action: RelayAction;
    /** The message to reply to or update (`reply`, `update`). */
    readonly targetId: string | undefined;
    readonly card: Readonly<Record<string, unknown>>;
    readonly jobId: string | undefined;
    readonly json: Readonly<Record<string, unknown>>;
}

/** The trigger's schema, the switch on `relay.action` and the id check: a refusal, or the connector call to make. */
function route(text: string): Verdict | ConnectorCall {
    const payload = parseRelayPayload(text);
    if (!payload.ok) {
        const verdict: Verdict = { answer: workflowsSchemaMismatch(payload.problem), outcome: 'rejected', reason: payload.problem };
        return payload.json === undefined ? verdict : { ...verdict, json: payload.json };
    }
    const { json, relay, card } = payload;
    const { action } = relay;
    const refuse = (code: string, message: string): Verdict => ({
        answer: workflowsError(HTTP_STATUS.badRequest, code, message),
        outcome: 'rejected',
        reason: message,
        json,
        relay: { action },
    });
    if (!isRelayAction(action)) return refuse(RELAY_ERROR_CODES.unknownAction, unknownActionMessage(action));
    const { idField } = RELAY_ACTION_SPECS[action];
    const targetId = idField === undefined ? undefined : relay[idField];
    if (idField !== undefined && (typeof targetId !== 'string' || targetId === '')) {
        return refuse(RELAY_ERROR_CODES.missingId, missingIdMessage(action));
    }
    const jobId = typeof relay['jobId'] === 'string' ? relay['jobId'] : undefined;
    return { action, targetId: typeof targetId === 'string' ? targetId : undefined, card, jobId, json };
}

/**
 * Judges a relay flow request the way `infra/app/relay-flow.json` runs it: the trigger's schema
 * (`400 TriggerInputSchemaMismatch`), the switch on `relay.action` (`400 UnknownRelayAction`), the
 * id the action needs (`400 MissingMessageId`), then one Teams connector call as Flow bot through the
 * flow's connection. Retries are off, so a call over the connection's budget fails at once and the
 * caller gets its `429`; a card over `maxBytes` gets `413`, an unknown message id `404` (all
 * `TeamsActionFailed`). Otherwise `200 {"messageId"}`. No call is made, and no budget spent, for a
 * request refused before it.
 *
 * @example
 * judgeRelayRequest(body, channel, budget, now, 28_672);
 * // → { answer: { status: 200, body: '{"messageId":"1700006400000"}', … }, outcome: 'delivered', flowPost: 'posted', … }
 */
export function judgeRelayRequest(body: ReceivedBody, channel: RelayChannel, budget: SlidingWindowLog, now: number, maxBytes: number): Verdict {
    const call = route(body.text);
    if ('answer' in call) return call;
    const { action, targetId, card, json } = call;
    const relay = { action, ...(targetId === undefined ? {} : { messageId: targetId }) };
    const overBudget = budget.exceeded(now);
    if (overBudget !== undefined) {
        const { max, windowMs } = overBudget.limit;
        const reason = `the Teams connector throttled the flow: its connection is over ${max} per ${windowMs} ms`;
        const answer = teamsFailed(action, HTTP_STATUS.tooManyRequests);
        return { answer, outcome: 'throttled', flowPost: 'throttled', rendered: false, reason, json, relay };
    }
    budget.add(now);
    const failed = (status: number, reason: string): Verdict => ({
        answer: teamsFailed(action, status),
        outcome: 'rejected',
        flowPost: 'posted',
        rendered: false,
        reason,
        json,
        relay,
    });
    const cardBytes = Buffer.byteLength(JSON.stringify(card));
    if (cardBytes > maxBytes) return failed(HTTP_STATUS.payloadTooLarge, `the card is too large: ${cardBytes} bytes over ${maxBytes}`);
    const messageId = carryOut(channel, call, now);
    if (messageId === undefined) return failed(HTTP_STATUS.notFound, `no message ${targetId ?? ''} in the channel to ${action}`);
    const problem = findWorkflowsRenderProblem({ attachments: [(json['attachments'] as readonly unknown[])[0]] });
    const shown = problem === undefined ? { rendered: true } : { rendered: false, reason: `shown as an error card: ${problem}` };
    return { answer: delivered(messageId), outcome: 'delivered', flowPost: 'posted', ...shown, json, relay: { action, messageId } };
}

/** The connector call itself: the id answered, or `undefined` when the message to reply to or update is unknown. */
function carryOut(channel: RelayChannel, { action, targetId, card, jobId }: ConnectorCall, now: number): string | undefined {
    switch (action) {
        case 'post':
            return channel.post(card, now, jobId);
        case 'reply':
            return channel.reply(targetId ?? '', card, now, jobId);
        case 'update':
            return channel.update(targetId ?? '', card, now, jobId) ? targetId : undefined;
    }
}
