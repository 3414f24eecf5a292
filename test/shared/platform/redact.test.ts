/** URL redaction for telemetry and the CLI: no webhook URL survives in any form it can be written in, and nothing else changes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrls } from '../../../shared/platform/redact.js';

/** Hosts of every kind of webhook the app posts to, with and without a port. */
const webhookHost = fc.constantFrom(
    'contoso.webhook.office.com',
    'outlook.office.com',
    'prod-27.westeurope.logic.azure.com:443',
    'default0123456789abcdef.0a.environment.api.powerplatform.com:443',
    '127.0.0.1:7072',
);

/** A credential-like value: a marker that cannot occur by chance, then random letters and digits. */
const secret = fc.stringMatching(/^[A-Za-z0-9]{16,32}$/).map((random) => `Zq9${random}`);

/** A webhook URL whose path and `sig` each carry a secret. */
const webhookUrl = fc
    .record({ scheme: fc.constantFrom('https', 'http', 'HTTPS', 'Https'), host: webhookHost, pathSecret: secret, sigSecret: secret })
    .map(({ scheme, host, pathSecret, sigSecret }) => ({
        host: host.replace(/:\d+$/, ''),
        secrets: [pathSecret, sigSecret],
        url: `${scheme}://${host}/webhookb2/${pathSecret}/IncomingWebhook/x/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers&sig=${sigSecret}`,
    }));

/** Every form a URL takes in the texts the app prints: as is, JSON-escaped (once or twice), percent-encoded, or both. */
const ENCODINGS: Readonly<Record<string, (url: string) => string>> = {
    plain: (url) => url,
    'JSON string': (url) => JSON.stringify(url),
    'JSON with escaped slashes': (url) => JSON.stringify(url).replace(/\//g, '\\/'),
    'JSON inside JSON': (url) => JSON.stringify(JSON.stringify({ url }).replace(/\//g, '\\/')),
    'JSON with \\u escapes': (url) => JSON.stringify(url).replace(/\//g, '\\u002f').replace(/:/g, '\\u003a'),
    'percent-encoded': (url) => encodeURIComponent(url),
    'percent-encoded twice': (url) => encodeURIComponent(encodeURIComponent(url)),
    'percent-encoded inside JSON': (url) => JSON.stringify({ next: `https://example.org/login?return=${encodeURIComponent(url)}` }),
    'query parameter': (url) => `?redirect=${encodeURIComponent(url)}&x=1`,
};

/** Encodings that put the URL inside another URL, which is cut to its own host as a whole. */
const INSIDE_ANOTHER_URL = new Set(['percent-encoded inside JSON']);

/** Surrounding text: anything, including letters glued to the URL. */
const surrounding = fc.string({ unit: 'grapheme', maxLength: 20 });

describe('redactUrls', () => {
    it('keeps the scheme and host and drops the rest', () => {
        expect(redactUrls('refused by https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def?sig=secret')).toBe(
            'refused by https://contoso.webhook.office.com/…',
        );
        expect(redactUrls('see http://127.0.0.1:7072/workflows/x?sig=s and more')).toBe('see http://127.0.0.1:7072/… and more');
    });

    it('catches JSON-escaped and percent-encoded URLs', () => {
        expect(redactUrls('{"url":"https:\\/\\/prod-01.westus.logic.azure.com:443\\/workflows\\/abc?sig=x"}')).toBe(
            '{"url":"https://prod-01.westus.logic.azure.com/…"}',
        );
        expect(redactUrls('return=https%3A%2F%2Fcontoso.webhook.office.com%2Fwebhookb2%2Fabc')).toBe('return=https://contoso.webhook.office.com/…');
    });

    it('drops user information before the host and the default port, and lower-cases the host, as new URL() does', () => {
        expect(redactUrls('https://user:password@contoso.webhook.office.com/x')).toBe('https://contoso.webhook.office.com/…');
        expect(redactUrls('HTTPS://Prod-27.WestEurope.logic.azure.com:443/workflows/x http://127.0.0.1:80/a https://h:8443/b')).toBe(
            'https://prod-27.westeurope.logic.azure.com/… http://127.0.0.1/… https://h:8443/…',
        );
    });

    it.each(Object.keys(ENCODINGS))('leaves no secret of a webhook URL written %s, in any text', (encoding) => {
        const encode = ENCODINGS[encoding] ?? ((url: string) => url);
        fc.assert(
            fc.property(surrounding, webhookUrl, surrounding, (before, { host, secrets, url }, after) => {
                const redacted = redactUrls(`${before}${encode(url)}${after}`);
                for (const value of secrets) {
                    expect(redacted).not.toContain(value);
                }
                expect(redacted).toContain(INSIDE_ANOTHER_URL.has(encoding) ? 'https://example.org/…' : host);
            }),
            { numRuns: 300 },
        );
    });

    it('leaves no secret when several URLs in several forms share one text', () => {
        const encodings = Object.values(ENCODINGS);
        fc.assert(
            fc.property(fc.array(fc.tuple(surrounding, webhookUrl, fc.nat({ max: encodings.length - 1 })), { minLength: 1, maxLength: 6 }), (parts) => {
                const text = parts.map(([before, { url }, encoding]) => `${before}${(encodings[encoding] ?? String)(url)}`).join(' ');
                const redacted = redactUrls(text);
                return parts.every(([, { secrets }]) => secrets.every((value) => !redacted.includes(value)));
            }),
            { numRuns: 300 },
        );
    });

    it('keeps JSON valid', () => {
        fc.assert(
            fc.property(fc.array(fc.oneof(surrounding, webhookUrl.map(({ url }) => url)), { maxLength: 5 }), (values) => {
                const json = JSON.stringify({ values, escaped: JSON.stringify(values).replace(/\//g, '\\/') });
                const parsed: unknown = JSON.parse(redactUrls(json));
                return typeof parsed === 'object' && parsed !== null;
            }),
            { numRuns: 300 },
        );
    });

    it('changes no text without a URL, and redacting twice changes nothing more', () => {
        fc.assert(
            fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
                fc.pre(!/https?/i.test(text));
                return redactUrls(text) === text;
            }),
            { numRuns: 500 },
        );
        fc.assert(
            fc.property(surrounding, webhookUrl, surrounding, (before, { url }, after) => {
                const once = redactUrls(`${before}${JSON.stringify(url)}${after}`);
                return redactUrls(once) === once;
            }),
            { numRuns: 300 },
        );
    });
});
