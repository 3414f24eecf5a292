/** What the simulated endpoints accept: payload shapes per dialect and the cards Teams can render. */
import { RELAY_FIELD, RELAY_STRING_FIELDS } from './relay-contract.js';

/** `contentType` of an Adaptive Card attachment (the Adaptive Card envelope, docs/teams-facts.md#connector-payloads). */
const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** In Adaptive Cards everything except `Action.Submit` is supported (docs/teams-facts.md#connector-payloads). */
const UNSUPPORTED_ACTION_TYPE = 'Action.Submit';

/** Workflows: card `version` ≤ 1.4; 1.5 and 1.6 render as "We're sorry, …" (docs/teams-facts.md#workflows-payload). */
const WORKFLOWS_MAX_CARD_VERSION = { major: 1, minor: 4 } as const;

/** What Teams shows in place of a card a Workflows flow posted but Teams cannot display. */
export const WORKFLOWS_CARD_NOT_DISPLAYED = "We're sorry, this card couldn't be displayed";

/** The legacy connector formats (docs/teams-facts.md#connector-payloads). */
type ConnectorFormat = 'text' | 'messageCard' | 'adaptiveCard';

/** Why the connector itself (before Teams) refuses a body. */
type ConnectorRejection = 'bad-payload' | 'summary-required';

/** Result of reading a legacy connector body. */
type ConnectorPayload =
    | { readonly ok: true; readonly json: unknown; readonly format: ConnectorFormat }
    | { readonly ok: false; readonly rejection: ConnectorRejection; readonly json?: unknown };

/** Result of reading a Workflows body against the trigger's schema. */
type WorkflowsPayload =
    | { readonly ok: true; readonly json: Readonly<Record<string, unknown>> }
    | { readonly ok: false; readonly problem: string; readonly json?: unknown };

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonBlankString(value: unknown): value is string {
    return typeof value === 'string' && value.trim() !== '';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
    try {
        return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
        return { ok: false };
    }
}

/**
 * Reads a legacy connector body: `{text}`, a MessageCard (`@type: MessageCard`, needs `summary` or
 * `text`) or the Adaptive Card envelope (`attachments` array, `type` absent or `"message"`).
 * Anything else, or malformed JSON, is the connector's "Bad payload".
 *
 * @example
 * parseConnectorPayload('{"text":"hi"}'); // → { ok: true, format: 'text', json: { text: 'hi' } }
 */
export function parseConnectorPayload(text: string): ConnectorPayload {
    const parsed = parseJson(text);
    if (!parsed.ok) return { ok: false, rejection: 'bad-payload' };
    const json = parsed.value;
    if (!isObject(json)) return { ok: false, rejection: 'bad-payload', json };
    if (json['@type'] === 'MessageCard') {
        if (isNonBlankString(json['summary']) || isNonBlankString(json['text'])) {
            return { ok: true, json, format: 'messageCard' };
        }
        return { ok: false, rejection: 'summary-required', json };
    }
    if ('attachments' in json) {
        const typeOk = json['type'] === undefined || json['type'] === 'message';
        if (Array.isArray(json['attachments']) && typeOk) return { ok: true, json, format: 'adaptiveCard' };
        return { ok: false, rejection: 'bad-payload', json };
    }
    if ('text' in json) {
        // A bare text message is a MessageCard without `@type`: an empty text lacks "Summary or Text".
        if (typeof json['text'] !== 'string') return { ok: false, rejection: 'bad-payload', json };
        if (json['text'].trim() === '') return { ok: false, rejection: 'summary-required', json };
        return { ok: true, json, format: 'text' };
    }
    return { ok: false, rejection: 'bad-payload', json };
}

/**
 * Reads a Workflows body against the schema of "When a Teams webhook request is received":
 * `type: "message"` and a non-empty `attachments` array whose items carry a string `contentType`,
 * a `contentUrl` key (null is fine, a missing key is not) and a `content`.
 *
 * @example
 * parseWorkflowsPayload('{"type":"message","attachments":[{"contentType":"x","content":{}}]}');
 * // → { ok: false, problem: "Required property 'contentUrl' not found in attachments[0]." }
 */
export function parseWorkflowsPayload(text: string): WorkflowsPayload {
    const parsed = parseJson(text);
    if (!parsed.ok) return { ok: false, problem: 'The request body is not valid JSON.' };
    const json = parsed.value;
    if (!isObject(json)) return { ok: false, problem: 'The request body must be a JSON object.', json };
    if (json['type'] !== 'message') return { ok: false, problem: "Property 'type' must be 'message'.", json };
    const attachments = json['attachments'];
    if (!Array.isArray(attachments) || attachments.length === 0) {
        return { ok: false, problem: "Required property 'attachments' must be a non-empty array.", json };
    }
    for (const [position, attachment] of attachments.entries()) {
        const where = `attachments[${position}]`;
        if (!isObject(attachment)) return { ok: false, problem: `${where} must be an object.`, json };
        for (const key of ['contentType', 'contentUrl', 'content'] as const) {
            if (!(key in attachment)) {
                return { ok: false, problem: `Required property '${key}' not found in ${where}.`, json };
            }
        }
        if (typeof attachment['contentType'] !== 'string') {
            return { ok: false, problem: `${where}.contentType must be a string.`, json };
        }
        const url = attachment['contentUrl'];
        if (url !== null && typeof url !== 'string') {
            return { ok: false, problem: `${where}.contentUrl must be a string or null.`, json };
        }
    }
    return { ok: true, json };
}

/** Result of reading a relay flow body against its trigger's schema (`infra/app/relay-flow.json`). */
type RelayPayload =
    | {
          readonly ok: true;
          readonly json: Readonly<Record<string, unknown>>;
          /** `relay` as sent: `action` is a string, the other known fields strings when present. */
          readonly relay: Readonly<Record<string, unknown>> & { readonly action: string };
          /** The first attachment's `content`, the card the flow posts. */
          readonly card: Readonly<Record<string, unknown>>;
      }
    | { readonly ok: false; readonly problem: string; readonly json?: unknown };

/**
 * Reads a relay flow body against its trigger's schema: the Workflows envelope (see
 * {@link parseWorkflowsPayload}) whose attachments' `content` are objects, plus a `relay` object with
 * a string `action` and, when present, string `jobId`, `messageId` and `parentMessageId`. Whether the
 * action is known and has the id it needs is the flow's switch's business, not the schema's.
 *
 * @example
 * parseRelayPayload('{"type":"message","attachments":[{"contentType":"x","contentUrl":null,"content":{}}]}');
 * // → { ok: false, problem: "Required property 'relay' not found." }
 */
export function parseRelayPayload(text: string): RelayPayload {
    const envelope = parseWorkflowsPayload(text);
    if (!envelope.ok) return envelope;
    const { json } = envelope;
    const attachments = json['attachments'] as readonly Readonly<Record<string, unknown>>[];
    for (const [position, attachment] of attachments.entries()) {
        if (!isObject(attachment['content'])) return { ok: false, problem: `attachments[${position}].content must be an object.`, json };
    }
    if (!Object.hasOwn(json, RELAY_FIELD)) return { ok: false, problem: `Required property '${RELAY_FIELD}' not found.`, json };
    const relay = json[RELAY_FIELD];
    if (!isObject(relay)) return { ok: false, problem: `${RELAY_FIELD} must be an object.`, json };
    if (!Object.hasOwn(relay, 'action')) return { ok: false, problem: `Required property '${RELAY_FIELD}.action' not found.`, json };
    const action = relay['action'];
    if (typeof action !== 'string') return { ok: false, problem: `${RELAY_FIELD}.action must be a string.`, json };
    for (const field of RELAY_STRING_FIELDS) {
        if (Object.hasOwn(relay, field) && typeof relay[field] !== 'string') {
            return { ok: false, problem: `${RELAY_FIELD}.${field} must be a string.`, json };
        }
    }
    const card = attachments[0]?.['content'] as Readonly<Record<string, unknown>>;
    return { ok: true, json, relay: { ...relay, action }, card };
}

/**
 * Why Teams could not render an accepted body, or `undefined` when it can. Text and MessageCards
 * always render; every attachment must be an Adaptive Card (`content` an object with
 * `type: "AdaptiveCard"`) without an `Action.Submit` anywhere.
 *
 * @example
 * findRenderProblem({ attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: 'x' }] }, 'adaptiveCard');
 * // → 'attachments[0].content is not an Adaptive Card object'
 */
export function findRenderProblem(json: unknown, format: ConnectorFormat): string | undefined {
    if (format !== 'adaptiveCard') return undefined;
    const attachments = isObject(json) ? json['attachments'] : undefined;
    if (!Array.isArray(attachments) || attachments.length === 0) return 'no attachments';
    for (const [position, attachment] of attachments.entries()) {
        const where = `attachments[${position}]`;
        if (!isObject(attachment)) return `${where} is not an object`;
        if (attachment['contentType'] !== ADAPTIVE_CARD_CONTENT_TYPE) return `${where}.contentType is not an Adaptive Card`;
        const content = attachment['content'];
        if (!isObject(content) || content['type'] !== 'AdaptiveCard') {
            return `${where}.content is not an Adaptive Card object`;
        }
        if (containsActionType(content, UNSUPPORTED_ACTION_TYPE)) return `${where} uses ${UNSUPPORTED_ACTION_TYPE}`;
    }
    return undefined;
}

/**
 * Why Workflows would show "We're sorry, this card couldn't be displayed" for an accepted body, or
 * `undefined`: the checks of {@link findRenderProblem} plus card `version` ≤ 1.4.
 *
 * @example
 * findWorkflowsRenderProblem({
 *     type: 'message',
 *     attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: { type: 'AdaptiveCard', version: '1.5' } }],
 * }); // → 'attachments[0] has card version 1.5 (above 1.4)'
 */
export function findWorkflowsRenderProblem(json: unknown): string | undefined {
    const problem = findRenderProblem(json, 'adaptiveCard');
    if (problem !== undefined) return problem;
    const attachments = isObject(json) && Array.isArray(json['attachments']) ? json['attachments'] : [];
    for (const [position, attachment] of attachments.entries()) {
        const content = isObject(attachment) ? attachment['content'] : undefined;
        const version = isObject(content) ? content['version'] : undefined;
        if (!isSupportedWorkflowsVersion(version)) {
            const shown = typeof version === 'string' ? version : 'missing';
            const { major, minor } = WORKFLOWS_MAX_CARD_VERSION;
            return `attachments[${position}] has card version ${shown} (above ${major}.${minor})`;
        }
    }
    return undefined;
}

function isSupportedWorkflowsVersion(version: unknown): boolean {
    if (typeof version !== 'string') return false;
    const match = /^(\d+)\.(\d+)$/.exec(version.trim());
    if (match === null) return false;
    const major = Number(match[1]);
    const minor = Number(match[2]);
    const max = WORKFLOWS_MAX_CARD_VERSION;
    return major < max.major || (major === max.major && minor <= max.minor);
}

/** Walks a JSON tree without recursion (garbage may nest deeply) looking for `{ type: actionType }`. */
function containsActionType(root: unknown, actionType: string): boolean {
    const pending: unknown[] = [root];
    while (pending.length > 0) {
        const node = pending.pop();
        if (isObject(node) && node['type'] === actionType) return true;
        const children: readonly unknown[] = Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
        for (const child of children) pending.push(child);
    }
    return false;
}
