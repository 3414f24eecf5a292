/** URL shapes of the simulated webhooks: building them for a name, recognising them on arrival. */
import { createHash } from 'node:crypto';
import type { Dialect } from './records.js';

/** Legacy connector paths all live under this prefix (`/webhookb2/...`, docs/teams-facts.md#connector-hosts). */
const CONNECTOR_PREFIX = '/webhookb2/';
/**
 * Workflows trigger paths in every published shape (docs/teams-facts.md): classic Logic Apps
 * `/workflows/<id>/...`, Power Platform `/powerautomate/automations/direct/workflows/<id>/...` and,
 * since 2026, `/powerautomate/automations/direct/cu/<n>/workflows/<id>/...`. The flow id is captured.
 */
const WORKFLOWS_PATH =
    /^(?:\/powerautomate\/automations\/direct(?:\/cu\/\d+)?)?\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke\/?$/;
/** The query parameter that names a flow's Teams connection on a simulated URL (the simulator's own, not Microsoft's). */
export const CONNECTION_QUERY_PARAMETER = 'connection';
/** The path of the simulator's read endpoint: `GET` answers its report (`SimulatorReport`) as JSON. */
export const STATS_PATH = '/simulator/stats';
/** `GET <prefix><name>/messages` lists the channel of relay flow `name` (`RelayChannelView`). */
export const RELAY_MESSAGES_PREFIX = '/simulator/relay-flows/';
const RELAY_MESSAGES_SUFFIX = '/messages';

/**
 * The URL shapes a simulated Workflows URL can take:
 * - `power-platform-cu`: `/powerautomate/automations/direct/cu/<n>/workflows/<id>/...?api-version=1&...` (2026);
 * - `power-platform`: `/powerautomate/automations/direct/workflows/<id>/...?api-version=1&...`;
 * - `logic-apps`: `/workflows/<id>/...?api-version=2016-06-01&...` (these stopped working on 2025-11-30).
 */
export const WORKFLOWS_URL_SHAPES = ['power-platform-cu', 'power-platform', 'logic-apps'] as const;

/** One of {@link WORKFLOWS_URL_SHAPES}. */
export type WorkflowsUrlShape = (typeof WORKFLOWS_URL_SHAPES)[number];

/** The shape Power Automate gives a new flow's URL in 2026. */
export const DEFAULT_WORKFLOWS_URL_SHAPE: WorkflowsUrlShape = 'power-platform-cu';

const POWER_PLATFORM_PREFIX = '/powerautomate/automations/direct';
/** `api-version` of each shape's query. */
const WORKFLOWS_API_VERSION: Readonly<Record<WorkflowsUrlShape, string>> = {
    'power-platform-cu': '1',
    'power-platform': '1',
    'logic-apps': '2016-06-01',
};
/** `api-version` of a Logic Apps (Consumption) callback URL, the relay flow's. */
const LOGIC_APPS_CALLBACK_API_VERSION = '2016-10-01';
const WORKFLOWS_SP = '/triggers/manual/run';
const WORKFLOWS_SV = '1.0';
/** Length of a Workflows `sig` (base64url of 32 bytes, unpadded). */
const WORKFLOWS_SIG_LENGTH = 43;
/** Length of the hex segment of a connector URL. */
const CONNECTOR_HEX_LENGTH = 32;
/** The `cu/<n>` segment takes a small number; the simulator derives one from the name, in 1..this. */
const MAX_CU_NUMBER = 64;

/** The dialect a path belongs to, or `undefined` for a path that is no webhook. */
export function dialectOfPath(path: string): Dialect | undefined {
    if (path.startsWith(CONNECTOR_PREFIX) && path.length > CONNECTOR_PREFIX.length) return 'connector';
    if (WORKFLOWS_PATH.test(path)) return 'workflows';
    return undefined;
}

/**
 * The flow id of a Workflows trigger path, or `undefined` for any other path.
 *
 * @example
 * flowIdOfPath('/powerautomate/automations/direct/cu/3/workflows/abc/triggers/manual/paths/invoke'); // → 'abc'
 */
export function flowIdOfPath(path: string): string | undefined {
    return WORKFLOWS_PATH.exec(path)?.[1];
}

function digest(name: string, purpose: string): Buffer {
    return createHash('sha256').update(`${purpose}\u0000${name}`).digest();
}

function guidFrom(bytes: Buffer): string {
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A realistic, deterministic connector path for a webhook name:
 * `/webhookb2/<guid>@<tenant-guid>/IncomingWebhook/<hex>/<guid>`.
 *
 * @example
 * connectorPath('ops'); // → '/webhookb2/3f0c…@9a1e…/IncomingWebhook/5b2d…/c4e7…'
 */
export function connectorPath(name: string): string {
    const group = guidFrom(digest(name, 'group'));
    const tenant = guidFrom(digest('simulated-tenant', 'tenant'));
    const hex = digest(name, 'webhook').toString('hex').slice(0, CONNECTOR_HEX_LENGTH);
    const owner = guidFrom(digest(name, 'owner'));
    return `${CONNECTOR_PREFIX}${group}@${tenant}/IncomingWebhook/${hex}/${owner}`;
}

/**
 * A realistic, deterministic Workflows path (without its query) for a webhook name, in a URL shape.
 *
 * @example
 * workflowsPath('ops', 'power-platform-cu'); // → '/powerautomate/automations/direct/cu/17/workflows/5b2d…/triggers/manual/paths/invoke'
 */
function workflowsPath(name: string, shape: WorkflowsUrlShape = DEFAULT_WORKFLOWS_URL_SHAPE): string {
    const id = digest(name, 'workflow').toString('hex').slice(0, CONNECTOR_HEX_LENGTH);
    const trigger = `/workflows/${id}/triggers/manual/paths/invoke`;
    switch (shape) {
        case 'logic-apps':
            return trigger;
        case 'power-platform':
            return `${POWER_PLATFORM_PREFIX}${trigger}`;
        case 'power-platform-cu':
            return `${POWER_PLATFORM_PREFIX}/cu/${(digest(name, 'cu').readUInt8(0) % MAX_CU_NUMBER) + 1}${trigger}`;
    }
}

/**
 * The Workflows path with its query: `api-version`, `sp`, `sv` and a `sig`, and the simulator's
 * `connection` parameter when one is given.
 *
 * @example
 * workflowsPathAndQuery('ops'); // → '/powerautomate/automations/direct/cu/17/workflows/…/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=…'
 */
export function workflowsPathAndQuery(name: string, shape: WorkflowsUrlShape = DEFAULT_WORKFLOWS_URL_SHAPE, connection?: string): string {
    const query = new URLSearchParams({
        'api-version': WORKFLOWS_API_VERSION[shape],
        sp: WORKFLOWS_SP,
        sv: WORKFLOWS_SV,
        sig: digest(name, 'sig').toString('base64url').slice(0, WORKFLOWS_SIG_LENGTH),
    });
    if (connection !== undefined) query.set(CONNECTION_QUERY_PARAMETER, connection);
    return `${workflowsPath(name, shape)}?${query.toString()}`;
}

/**
 * A realistic, deterministic callback URL path and query of a Logic App (Consumption) with a Request
 * trigger named `manual`, for relay flow `name`: `/workflows/<id>/triggers/manual/paths/invoke?api-version=2016-10-01&sp=...&sv=1.0&sig=...`,
 * plus the simulator's `connection` parameter when one is given.
 *
 * @example
 * relayFlowPathAndQuery('alerts'); // → '/workflows/9c1e…/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=…'
 */
export function relayFlowPathAndQuery(name: string, connection?: string): string {
    const id = digest(name, 'relay-flow').toString('hex').slice(0, CONNECTOR_HEX_LENGTH);
    const query = new URLSearchParams({
        'api-version': LOGIC_APPS_CALLBACK_API_VERSION,
        sp: WORKFLOWS_SP,
        sv: WORKFLOWS_SV,
        sig: digest(name, 'relay-flow-sig').toString('base64url').slice(0, WORKFLOWS_SIG_LENGTH),
    });
    if (connection !== undefined) query.set(CONNECTION_QUERY_PARAMETER, connection);
    return `/workflows/${id}/triggers/manual/paths/invoke?${query.toString()}`;
}

/**
 * The path of the read endpoint listing relay flow `name`'s channel.
 *
 * @example
 * relayMessagesPath('alerts'); // → '/simulator/relay-flows/alerts/messages'
 */
export function relayMessagesPath(name: string): string {
    return `${RELAY_MESSAGES_PREFIX}${encodeURIComponent(name)}${RELAY_MESSAGES_SUFFIX}`;
}

/**
 * The relay flow name of a read-endpoint path, or `undefined` for any other path.
 *
 * @example
 * relayFlowOfMessagesPath('/simulator/relay-flows/alerts/messages'); // → 'alerts'
 */
export function relayFlowOfMessagesPath(path: string): string | undefined {
    if (!path.startsWith(RELAY_MESSAGES_PREFIX) || !path.endsWith(RELAY_MESSAGES_SUFFIX)) return undefined;
    const encoded = path.slice(RELAY_MESSAGES_PREFIX.length, path.length - RELAY_MESSAGES_SUFFIX.length);
    if (encoded === '' || encoded.includes('/')) return undefined;
    try {
        return decodeURIComponent(encoded);
    } catch {
        return undefined;
    }
}
