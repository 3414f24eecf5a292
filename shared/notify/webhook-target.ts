/** What a webhook URL is: its dialect, whether it may be posted to, and the storage key that stands for it. */

import { createHash } from 'node:crypto';

import { listEntries } from '../platform/config.js';
import { ConfigurationError } from '../platform/index.js';
import type { WebhookDialect } from './teams-answer.js';

export type { WebhookDialect } from './teams-answer.js';

/**
 * Host patterns a webhook URL may have when `ALLOWED_WEBHOOK_HOSTS` is not set: the connector and
 * Workflows host families of docs/teams-facts.md (`outlook.office.com`, `outlook.office365.com`,
 * `<org>.webhook.office.com`, `prod-NN.<region>.logic.azure.com`,
 * `<env>.environment.api.powerplatform.com`).
 *
 * @example
 * parseAllowedHosts(DEFAULT_ALLOWED_WEBHOOK_HOSTS.join(','));
 */
export const DEFAULT_ALLOWED_WEBHOOK_HOSTS = [
    'outlook.office.com',
    'outlook.office365.com',
    '*.webhook.office.com',
    '*.logic.azure.com',
    '*.api.powerplatform.com',
] as const;

/** Host families of Power Automate Workflows trigger URLs (docs/teams-facts.md#workflows-urls). */
const WORKFLOWS_HOST_SUFFIXES = ['.logic.azure.com', '.api.powerplatform.com'] as const;
/** Host families of legacy connector URLs (docs/teams-facts.md#connector-hosts). */
const CONNECTOR_HOSTS = ['outlook.office.com', 'outlook.office365.com'] as const;
const CONNECTOR_HOST_SUFFIXES = ['.webhook.office.com'] as const;

/**
 * Markers of a Workflows trigger path, in this order: a `workflows` segment, later a `triggers`
 * segment, and the path ending in `paths/invoke`. Every published shape has them
 * (`/workflows/<id>/triggers/manual/paths/invoke`, `/powerautomate/automations/direct/workflows/...`,
 * `/powerautomate/automations/direct/cu/<n>/workflows/...`); matching markers rather than a whole
 * path keeps working when Microsoft adds segments, as it did twice.
 */
const WORKFLOWS_PATH_MARKERS = { workflow: 'workflows', trigger: 'triggers', end: ['paths', 'invoke'] } as const;

/** The configuration key the host patterns come from, for error messages. */
const ALLOWED_HOSTS_KEY = 'ALLOWED_WEBHOOK_HOSTS' as const;

/** Default ports of the two schemes a webhook may use (RFC 9110 §4.2). */
const DEFAULT_PORT = { 'https:': 443, 'http:': 80 } as const;
/** Largest TCP port. */
const MAX_PORT = 65_535 as const;

/** Hex characters of SHA-256 kept in a {@link webhookKey}: 128 bits, collision-free in practice. */
const WEBHOOK_KEY_HEX_LENGTH = 32 as const;

/**
 * One parsed host pattern.
 *
 * Syntax (case-insensitive), `host[:port]`:
 * - `outlook.office.com`: exactly that host;
 * - `*.webhook.office.com`: any host with **one or more** labels before `webhook.office.com`
 *   (`contoso.webhook.office.com`, `prod-27.westeurope.logic.azure.com` under `*.logic.azure.com`),
 *   never the bare suffix itself and never an IP address;
 * - `127.0.0.1`, `[::1]`, `localhost`: IP literals and loopback names match only when listed exactly;
 * - no port: the scheme's default port only (443 for https, 80 for http); `:7072`: that port only
 *   (`:443` also matches an https URL that leaves its port out); `:*`: any port (local simulators
 *   on random ports);
 * - hosts are compared in the form `URL.hostname` gives (lower case, punycode, canonical IPv4 and
 *   IPv6), so `127.1` in a pattern means `127.0.0.1`; a host with a trailing dot matches nothing.
 *
 * `http:` URLs are allowed only for loopback hosts (`localhost`, 127.0.0.0/8, `[::1]`) named by an
 * exact pattern; everything else must be `https:`.
 */
export interface WebhookHostPattern {
    /** The pattern as written, lower-cased. */
    readonly source: string;
    /** The host, or for a wildcard the suffix after `*.`, in the form `URL.hostname` gives. */
    readonly host: string;
    readonly wildcard: boolean;
    /** `'default'` for the scheme's default port, `'any'` for `:*`, else the port number. */
    readonly port: 'default' | 'any' | number;
}

/**
 * Parses a comma-separated list of host patterns (the `ALLOWED_WEBHOOK_HOSTS` setting; syntax in
 * {@link WebhookHostPattern}). Blank items are skipped; a blank value means the defaults.
 *
 * @throws {ConfigurationError} naming `ALLOWED_WEBHOOK_HOSTS` and each bad pattern.
 * @example
 * parseAllowedHosts('*.webhook.office.com, 127.0.0.1:*');
 */
export function parseAllowedHosts(value: string): WebhookHostPattern[] {
    const items = listEntries(value);
    if (items.length === 0) {
        return parseAllowedHosts(DEFAULT_ALLOWED_WEBHOOK_HOSTS.join(','));
    }
    const problems: string[] = [];
    const patterns: WebhookHostPattern[] = [];
    for (const item of items) {
        const pattern = parseHostPattern(item);
        if (pattern === undefined) {
            problems.push(`${ALLOWED_HOSTS_KEY}: "${item}" is not a host pattern (host, *.domain, optionally :port or :*)`);
        } else {
            patterns.push(pattern);
        }
    }
    if (problems.length > 0) {
        throw new ConfigurationError(problems);
    }
    return patterns;
}

/** The default patterns, parsed. */
const DEFAULT_PATTERNS: readonly WebhookHostPattern[] = parseAllowedHosts(DEFAULT_ALLOWED_WEBHOOK_HOSTS.join(','));

/**
 * True when a webhook may be posted to at `url`: `https:` (or `http:` to a loopback host an exact
 * pattern names), no user name or password, and a host and port some pattern allows.
 *
 * @example
 * isAllowedWebhookUrl(new URL('https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c')); // true
 * isAllowedWebhookUrl(new URL('https://outlook.office.com.evil.com/webhook/x')); // false
 */
export function isAllowedWebhookUrl(url: URL, patterns: readonly WebhookHostPattern[] = DEFAULT_PATTERNS): boolean {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return false;
    }
    if (url.username !== '' || url.password !== '') {
        return false;
    }
    const host = url.hostname.toLowerCase();
    const port = url.port === '' ? DEFAULT_PORT[url.protocol] : Number(url.port);
    const defaultPort = url.port === '';
    return patterns.some((pattern) => {
        if (!hostMatches(pattern, host) || !portMatches(pattern, port, defaultPort)) {
            return false;
        }
        return url.protocol === 'https:' || (!pattern.wildcard && isLoopbackHost(host));
    });
}

/**
 * Which dialect the webhook at `url` speaks: Workflows for `*.logic.azure.com` and
 * `*.api.powerplatform.com`, connector for `outlook.office.com`, `outlook.office365.com` and
 * `*.webhook.office.com`; any other host (a local simulator) by its path: a Workflows trigger path
 * ({@link isWorkflowsTriggerPath}) is Workflows, anything else connector.
 *
 * @example
 * webhookDialect(new URL('https://prod-27.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x')); // 'workflows'
 * webhookDialect(new URL('http://127.0.0.1:7072/webhookb2/abc')); // 'connector'
 */
export function webhookDialect(url: URL): WebhookDialect {
    const host = url.hostname.toLowerCase();
    if (WORKFLOWS_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
        return 'workflows';
    }
    if (CONNECTOR_HOSTS.some((known) => host === known) || CONNECTOR_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
        return 'connector';
    }
    return isWorkflowsTriggerPath(url.pathname) ? 'workflows' : 'connector';
}

/**
 * True when a path carries the markers of a Workflows trigger (see {@link WORKFLOWS_PATH_MARKERS}):
 * case-insensitive, empty segments (doubled or trailing slashes) ignored.
 *
 * @example
 * isWorkflowsTriggerPath('/powerautomate/automations/direct/cu/2/workflows/abc/triggers/manual/paths/invoke'); // true
 */
export function isWorkflowsTriggerPath(pathname: string): boolean {
    const segments = pathname
        .toLowerCase()
        .split('/')
        .filter((segment) => segment !== '');
    const [paths, invoke] = WORKFLOWS_PATH_MARKERS.end;
    const workflow = segments.indexOf(WORKFLOWS_PATH_MARKERS.workflow);
    const trigger = segments.lastIndexOf(WORKFLOWS_PATH_MARKERS.trigger);
    return (
        workflow >= 0 &&
        trigger > workflow + 1 &&
        segments.length >= trigger + 4 &&
        segments.at(-2) === paths &&
        segments.at(-1) === invoke
    );
}

/**
 * A stable key for everything stored about one webhook (its outbox, send log, budget): the first 32
 * hex characters of SHA-256 over the normalised URL. Webhook URLs are bearer secrets (anyone holding
 * one can post to the channel), so they never appear in table keys, queue messages or logs; the hash
 * identifies the webhook without revealing it.
 *
 * Normalised: the WHATWG URL form (lower-case scheme and host, default port dropped), without the
 * fragment, with query parameters sorted by name, so two spellings of one webhook (two aliases, an
 * alias and a `{url}` target) share one key and so one rate budget.
 *
 * @example
 * webhookKey(new URL('https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c')); // 32 hex chars
 */
export function webhookKey(url: URL): string {
    const normalised = new URL(url.href);
    normalised.hash = '';
    normalised.username = '';
    normalised.password = '';
    normalised.searchParams.sort();
    return createHash('sha256').update(normalised.href).digest('hex').slice(0, WEBHOOK_KEY_HEX_LENGTH);
}

/** True for `localhost`, 127.0.0.0/8 and `[::1]`, in the form `URL.hostname` gives. */
function isLoopbackHost(host: string): boolean {
    return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isIpLiteral(host: string): boolean {
    return host.startsWith('[') || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function hostMatches(pattern: WebhookHostPattern, host: string): boolean {
    if (!pattern.wildcard) {
        return host === pattern.host;
    }
    if (isIpLiteral(host) || !host.endsWith(`.${pattern.host}`)) {
        return false;
    }
    const labels = host.slice(0, -pattern.host.length - 1);
    return labels.split('.').every((label) => label !== '');
}

function portMatches(pattern: WebhookHostPattern, port: number, defaultPort: boolean): boolean {
    return pattern.port === 'any' || (pattern.port === 'default' ? defaultPort : pattern.port === port);
}

/** One pattern, or undefined when it is not one; hosts are checked in the form `URL.hostname` gives. */
function parseHostPattern(item: string): WebhookHostPattern | undefined {
    const source = item.toLowerCase();
    const wildcard = source.startsWith('*.');
    const rest = wildcard ? source.slice(2) : source;
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\*|\d{1,5}))?$/.exec(rest);
    const hostPart = match?.[1];
    if (hostPart === undefined || /[/@?#\\*%\s]/.test(hostPart) || hostPart.endsWith('.')) {
        return undefined;
    }
    const canonical = canonicalHost(hostPart);
    if (canonical === undefined || (wildcard && isIpLiteral(canonical))) {
        return undefined;
    }
    const portPart = match?.[2];
    if (portPart === undefined) {
        return { source, host: canonical, wildcard, port: 'default' };
    }
    if (portPart === '*') {
        return { source, host: canonical, wildcard, port: 'any' };
    }
    const port = Number(portPart);
    if (port < 1 || port > MAX_PORT) {
        return undefined;
    }
    return { source, host: canonical, wildcard, port };
}

/** The host as the URL parser writes it, or undefined when it does not parse. */
function canonicalHost(host: string): string | undefined {
    try {
        return new URL(`https://${host}/`).hostname;
    } catch {
        return undefined;
    }
}
