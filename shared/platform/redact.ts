/** Cuts every URL in a text down to its scheme and host, in whatever form it is written: webhook URLs are bearer secrets. */

/** `:` as written plainly, percent-encoded (once or more) or as a JSON `\u003a` escape. */
const COLON = String.raw`(?::|%(?:25)*3a|\\+u003a)`;

/** `/` as written plainly, JSON-escaped (`\/`, also escaped again), percent-encoded or as a JSON `\u002f` escape. */
const SLASH = String.raw`(?:\\*/|%(?:25)*2f|\\+u002f)`;

/** The authority: up to the first slash, backslash, `%`, `?`, `#`, quote, angle bracket or white space. */
const AUTHORITY = String.raw`[^\s"'<>\\/%?#]*`;

/**
 * The rest of the URL: anything up to white space, a quote or an angle bracket. A backslash belongs
 * to it only as part of a JSON escape of `/` or `\uXXXX` (all backslashes of the run), so a JSON
 * string that ends right after a URL keeps its closing `\"`, and redacting JSON leaves valid JSON.
 */
const REST = String.raw`(?:[^\s"'<>\\]|\\+(?:/|u[0-9a-fA-F]{4}))*`;

/** The port each scheme implies, left out of the host as `new URL()` leaves it out. */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: ':80', https: ':443' };

/** A URL with an `http` or `https` scheme in any of the forms above. */
const URL_IN_TEXT = new RegExp(`(https?)${COLON}${SLASH}${SLASH}(${AUTHORITY})${REST}`, 'gi');

/**
 * Replaces every `http(s)` URL in a text with its scheme and host and `/…`, whether it is written
 * plainly, JSON-escaped (`https:\/\/…`, also inside JSON inside JSON) or percent-encoded (as a query
 * parameter, also inside JSON). User information before the host and the scheme's default port are
 * dropped, and the host is lower-cased, as `new URL()` shows it. Webhook URLs carry their credential
 * in the path and query, so nothing after the host is kept.
 *
 * @example
 * redactUrls('refused by https://contoso.webhook.office.com/webhookb2/abc?sig=x');
 * // 'refused by https://contoso.webhook.office.com/…'
 * redactUrls('{"url":"https:\\/\\/prod-01.westus.logic.azure.com:443\\/workflows\\/abc"}');
 * // '{"url":"https://prod-01.westus.logic.azure.com/…"}'
 */
export function redactUrls(text: string): string {
    return text.replace(URL_IN_TEXT, (_url, scheme: string, authority: string) => {
        const lowerScheme = scheme.toLowerCase();
        const host = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
        const defaultPort = DEFAULT_PORTS[lowerScheme] ?? '';
        return `${lowerScheme}://${host.endsWith(defaultPort) ? host.slice(0, host.length - defaultPort.length) : host}/…`;
    });
}
