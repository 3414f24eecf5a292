/**
 * The relay flow's contract, the one `infra/app/relay-flow.json` implements and the simulator's relay
 * mode answers (docs/teams-facts.md#relay-flow): the actions, the id each needs, the Teams connector
 * operation each calls, and the error codes of its answers. `test/tools/simulator/relay-agreement.test.ts`
 * checks the definition against these constants.
 */
import { WORKFLOWS_SCHEMA_MISMATCH_CODE } from './answers.js';

/** The top-level field of the request that carries the relay instructions. */
export const RELAY_FIELD = 'relay';

/** The field of a `200` answer that carries the message id. */
export const RELAY_MESSAGE_ID_FIELD = 'messageId';

/** What a relay flow can be asked to do, the cases of the definition's switch on `relay.action`. */
export const RELAY_ACTIONS = ['post', 'reply', 'update'] as const;

/** One of {@link RELAY_ACTIONS}. */
export type RelayAction = (typeof RELAY_ACTIONS)[number];

/** The `relay` field naming the message an action works on. */
type RelayIdField = 'messageId' | 'parentMessageId';

/** How the flow carries out one action. */
interface RelayActionSpec {
    /** The `relay` field the action needs (missing or empty → `400 MissingMessageId`). */
    readonly idField?: RelayIdField;
    /** The Microsoft Teams connector operation it calls as Flow bot. */
    readonly operation: 'PostCardToConversation' | 'ReplyWithCardToConversation' | 'UpdateCardInConversation';
    /** The segment of the operation's path, `/v1.0/teams/conversation/<segment>/poster/Flow bot/location/Channel`. */
    readonly pathSegment: 'adaptivecard' | 'replyWithAdaptivecard' | 'updateAdaptivecard';
    /** What the flow could not do, in its failure answer: "The Teams connector could not <failure>." */
    readonly failure: string;
}

/**
 * Each action's id field, connector operation and failure wording (docs/teams-facts.md#relay-flow).
 * `reply` answers with the reply's own id, `update` with the id it updated.
 */
export const RELAY_ACTION_SPECS: Readonly<Record<RelayAction, RelayActionSpec>> = {
    post: { operation: 'PostCardToConversation', pathSegment: 'adaptivecard', failure: 'post the card' },
    reply: { idField: 'parentMessageId', operation: 'ReplyWithCardToConversation', pathSegment: 'replyWithAdaptivecard', failure: 'reply with the card' },
    update: { idField: 'messageId', operation: 'UpdateCardInConversation', pathSegment: 'updateAdaptivecard', failure: 'update the card' },
};

/** The optional string fields of `relay` besides `action`. */
export const RELAY_STRING_FIELDS = ['jobId', 'messageId', 'parentMessageId'] as const;

/** Error codes of the relay flow's `4xx`/`5xx` answers, `{"error": {"code", "message", ...}}`. */
export const RELAY_ERROR_CODES = {
    /** The trigger's schema validation refused the body (as Logic Apps words it). */
    schemaMismatch: WORKFLOWS_SCHEMA_MISMATCH_CODE,
    /** `relay.action` is none of {@link RELAY_ACTIONS} (the switch's default case). */
    unknownAction: 'UnknownRelayAction',
    /** `reply` without `parentMessageId`, or `update` without `messageId`. */
    missingId: 'MissingMessageId',
    /** The Teams connector's call failed; the answer carries its status (`404` for an unknown message id). */
    teamsActionFailed: 'TeamsActionFailed',
} as const;

/**
 * The message of a `400 UnknownRelayAction` answer.
 *
 * @example
 * unknownActionMessage('delete'); // → 'relay.action must be post, reply or update, not delete.'
 */
export function unknownActionMessage(action: string): string {
    const known = `${RELAY_ACTIONS.slice(0, -1).join(', ')} or ${RELAY_ACTIONS.at(-1) ?? ''}`;
    return `relay.action must be ${known}, not ${action}.`;
}

/**
 * The message of a `400 MissingMessageId` answer.
 *
 * @example
 * missingIdMessage('update'); // → 'relay.messageId is required when relay.action is update.'
 */
export function missingIdMessage(action: RelayAction): string {
    return `relay.${RELAY_ACTION_SPECS[action].idField ?? 'messageId'} is required when relay.action is ${action}.`;
}

/**
 * The message of a `TeamsActionFailed` answer.
 *
 * @example
 * teamsFailureMessage('reply'); // → 'The Teams connector could not reply with the card.'
 */
export function teamsFailureMessage(action: RelayAction): string {
    return `The Teams connector could not ${RELAY_ACTION_SPECS[action].failure}.`;
}
