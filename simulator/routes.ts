/** URL shapes of the simulated webhooks: building them for a name, recognising them on arrival. */
import { createHash } from 'node:crypto';
import type { Dialect } from './records.js';

/** Legacy connector paths all live under this prefix (`/webhookb2/...`, docs/teams-facts.md#connector-hosts). */
const CONNECTOR_PREFIX = '/webhookb2/';
/** Workflows trigger paths, classic Logic Apps and the newer Power Platform shape (docs/teams-facts.md#workflows-urls). */
const WORKFLOWS_PATH = /^(?:\/powerautomate\/automations\/direct)?\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke\/?$/;
/** The query a Workflows URL carries; `sig` is derived from the name. */
const WORKFLOWS_API_VERSION = '2016-06-01';
const WORKFLOWS_SP = '/triggers/manual/run';
const WORKFLOWS_SV = '1.0';
/** Length of a Workflows `sig` (base64url of 32 bytes, unpadded). */
const WORKFLOWS_SIG_LENGTH = 43;
/** Length of the hex segment of a connector URL. */
const CONNECTOR_HEX_LENGTH = 32;

/** The dialect a path belongs to, or `undefined` for a path that is no webhook. */
export function dialectOfPath(path: string): Dialect | undefined {
    if (path.startsWith(CONNECTOR_PREFIX) && path.length > CONNECTOR_PREFIX.length) return 'connector';
    if (WORKFLOWS_PATH.test(path)) return 'workflows';
    return undefined;
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

/** A realistic, deterministic Workflows path (without its query) for a webhook name. */
export function workflowsPath(name: string): string {
    return `/workflows/${digest(name, 'workflow').toString('hex').slice(0, CONNECTOR_HEX_LENGTH)}/triggers/manual/paths/invoke`;
}

/**
 * The Workflows path with its query: `api-version`, `sp`, `sv` and a `sig`.
 *
 * @example
 * workflowsPathAndQuery('ops'); // → '/workflows/…/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=…'
 */
export function workflowsPathAndQuery(name: string): string {
    const query = new URLSearchParams({
        'api-version': WORKFLOWS_API_VERSION,
        sp: WORKFLOWS_SP,
        sv: WORKFLOWS_SV,
        sig: digest(name, 'sig').toString('base64url').slice(0, WORKFLOWS_SIG_LENGTH),
    });
    return `${workflowsPath(name)}?${query.toString()}`;
}
