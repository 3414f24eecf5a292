/** Specification of webhook targets: which URLs may be posted to, which dialect they speak, and the key that stands for them. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ConfigurationError } from '../../../shared/platform/errors.js';
import {
    DEFAULT_ALLOWED_WEBHOOK_HOSTS,
    isAllowedWebhookUrl,
    isWorkflowsTriggerPath,
    parseAllowedHosts,
    webhookDialect,
    webhookKey,
} from '../../../shared/notify/webhook-target.js';

/** URL shapes from docs/teams-facts.md, with made-up ids and signatures. */
const URLS = {
    legacy: 'https://outlook.office.com/webhook/8cc4b123-8f9a-4e4b-a848-cd5aab4ba5ff@07420c3d-c141-4c67-b6f3-f448e5adb67b/IncomingWebhook/477b562fb46b43ca82379479a2137a21/96010122-e9c0-4ad8-9902-1368e16e8454',
    legacy365: 'https://outlook.office365.com/webhook/8cc4b123@07420c3d/IncomingWebhook/477b562f/96010122',
    webhookb2: 'https://contoso.webhook.office.com/webhookb2/8cc4b123@07420c3d/IncomingWebhook/477b562f/96010122/V2abc',
    logicApps: 'https://prod-27.westeurope.logic.azure.com:443/workflows/0f1e2d3c4b5a/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t',
    powerPlatform: 'https://default0a1b2c3d.4e.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/0f1e2d3c/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t',
    powerPlatformCu: 'https://default0a1b2c3d.4e.environment.api.powerplatform.com:443/powerautomate/automations/direct/cu/2/workflows/0f1e2d3c/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t',
} as const;

const defaults = parseAllowedHosts(DEFAULT_ALLOWED_WEBHOOK_HOSTS.join(','));

function allowed(url: string, patterns = defaults): boolean {
    return isAllowedWebhookUrl(new URL(url), patterns);
}

describe('isAllowedWebhookUrl', () => {
    it.each(Object.entries(URLS))('allows the %s host family by default', (_family, url) => {
        expect(allowed(url)).toBe(true);
    });

    it('uses the Teams and Workflows host families when no patterns are given', () => {
        expect(isAllowedWebhookUrl(new URL(URLS.webhookb2))).toBe(true);
        expect(isAllowedWebhookUrl(new URL('https://example.com/webhook'))).toBe(false);
    });

    it('refuses plain http to a Teams host', () => {
        expect(allowed(URLS.webhookb2.replace('https:', 'http:'))).toBe(false);
    });

    it.each([
        ['a look-alike suffix', 'https://outlook.office.com.evil.com/webhook/x'],
        ['the allowed host in the path', 'https://evil.com/outlook.office.com/webhook/x'],
        ['the allowed host as user info', 'https://outlook.office.com@evil.com/webhook/x'],
        ['user info before an allowed host', 'https://user@contoso.webhook.office.com/webhookb2/x'],
        ['a password before an allowed host', 'https://user:pw@contoso.webhook.office.com/webhookb2/x'],
        ['a password without a user name', 'https://:pw@contoso.webhook.office.com/webhookb2/x'],
        ['an empty label in place of the wildcard', 'https://.webhook.office.com/webhookb2/x'],
        ['an empty label among the wildcard labels', 'https://a..webhook.office.com/webhookb2/x'],
        ['a suffix without a label boundary', 'https://evilwebhook.office.com/webhookb2/x'],
        ['the bare wildcard suffix', 'https://webhook.office.com/webhookb2/x'],
        ['a trailing dot', 'https://outlook.office.com./webhook/x'],
        ['an IP literal', 'https://52.96.0.1/webhook/x'],
        ['loopback not listed', 'http://127.0.0.1:7072/webhook/x'],
        ['another scheme', 'ftp://outlook.office.com/webhook/x'],
        ['a port the pattern does not name', 'https://outlook.office.com:8443/webhook/x'],
    ])('refuses %s', (_trick, url) => {
        expect(allowed(url)).toBe(false);
    });

    it('lets a wildcard match several labels, as Logic Apps hosts need', () => {
        expect(allowed('https://prod-27.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke')).toBe(true);
    });

    it('matches hosts case-insensitively', () => {
        expect(allowed('https://Contoso.WEBHOOK.office.com/webhookb2/x', parseAllowedHosts('*.Webhook.Office.com'))).toBe(true);
    });

    it('allows http to a loopback host an exact pattern names, on the named port', () => {
        const patterns = parseAllowedHosts('127.0.0.1:7072');
        expect(allowed('http://127.0.0.1:7072/webhook/x', patterns)).toBe(true);
        expect(allowed('http://127.0.0.1:7073/webhook/x', patterns)).toBe(false);
    });

    it('allows any port with :*', () => {
        const patterns = parseAllowedHosts('localhost:*, [::1]:*');
        expect(allowed('http://localhost:50123/webhook/x', patterns)).toBe(true);
        expect(allowed('http://[::1]:50123/webhook/x', patterns)).toBe(true);
    });

    it('matches only the default port when a pattern has none', () => {
        const patterns = parseAllowedHosts('localhost');
        expect(allowed('http://localhost/webhook/x', patterns)).toBe(true);
        expect(allowed('http://localhost:7072/webhook/x', patterns)).toBe(false);
    });

    it('treats :443 as the https default port', () => {
        expect(allowed('https://teams.example.org/hook', parseAllowedHosts('teams.example.org:443'))).toBe(true);
    });

    it('refuses http to a non-loopback host even when listed', () => {
        expect(allowed('http://simulator.internal:8080/webhook/x', parseAllowedHosts('simulator.internal:*'))).toBe(false);
    });

    it('refuses a loopback address the patterns do not list', () => {
        expect(allowed('http://127.0.0.2:7072/webhook/x', parseAllowedHosts('127.0.0.1:*'))).toBe(false);
    });

    it('compares IP addresses in canonical form, so other spellings of a listed address match it', () => {
        expect(allowed('http://2130706433:7072/webhook/x', parseAllowedHosts('127.0.0.1:*'))).toBe(true);
    });
});

describe('parseAllowedHosts', () => {
    it('parses a comma-separated list, ignoring blanks and spaces', () => {
        expect(parseAllowedHosts(' outlook.office.com , ,*.webhook.office.com,127.0.0.1:* ')).toEqual([
            { source: 'outlook.office.com', host: 'outlook.office.com', wildcard: false, port: 'default' },
            { source: '*.webhook.office.com', host: 'webhook.office.com', wildcard: true, port: 'default' },
            { source: '127.0.0.1:*', host: '127.0.0.1', wildcard: false, port: 'any' },
        ]);
    });

    it('reads a blank value as the defaults', () => {
        expect(parseAllowedHosts('  ')).toEqual(defaults);
    });

    it.each([
        ['a path', 'evil.com/outlook.office.com'],
        ['user info', 'user@outlook.office.com'],
        ['a scheme', 'https://outlook.office.com'],
        ['a wildcard inside a label', 'out*.office.com'],
        ['a wildcard over an IP address', '*.0.0.1'],
        ['a port out of range', 'localhost:70000'],
        ['an empty wildcard suffix', '*.'],
    ])('refuses a pattern with %s', (_problem, pattern) => {
        expect(() => parseAllowedHosts(pattern)).toThrow(ConfigurationError);
    });

    it('names the setting and every bad pattern in one error', () => {
        try {
            parseAllowedHosts('a/b, outlook.office.com, c@d');
            expect.unreachable('parseAllowedHosts accepted bad patterns');
        } catch (error) {
            expect(error).toBeInstanceOf(ConfigurationError);
            const problems = error instanceof ConfigurationError ? error.problems : [];
            expect(problems).toHaveLength(2);
            expect(problems.every((problem) => problem.startsWith('ALLOWED_WEBHOOK_HOSTS'))).toBe(true);
        }
    });
});

describe('webhookDialect', () => {
    it.each([
        ['legacy', 'connector'],
        ['legacy365', 'connector'],
        ['webhookb2', 'connector'],
        ['logicApps', 'workflows'],
        ['powerPlatform', 'workflows'],
        ['powerPlatformCu', 'workflows'],
    ] as const)('reads the %s host family as %s', (family, dialect) => {
        expect(webhookDialect(new URL(URLS[family]))).toBe(dialect);
    });

    it('reads a Workflows trigger path on a local simulator as workflows', () => {
        expect(webhookDialect(new URL('http://127.0.0.1:7072/workflows/abc/triggers/manual/paths/invoke?sig=x'))).toBe('workflows');
    });

    it('reads any other path on a local simulator as connector', () => {
        expect(webhookDialect(new URL('http://localhost:7072/webhookb2/abc/IncomingWebhook/def/ghi'))).toBe('connector');
    });

    it.each([
        ['/workflows/abc/triggers/manual/paths/invoke', true],
        ['/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke', true],
        ['/powerautomate/automations/direct/cu/2/workflows/abc/triggers/manual/paths/invoke/', true],
        ['/PowerAutomate/Automations/Direct/CU/17/Workflows/ABC/Triggers/Manual/Paths/Invoke', true],
        ['/some/future/prefix/v2/workflows/abc/extra/triggers/manual/paths/invoke', true],
        ['/webhookb2/abc/IncomingWebhook/def/ghi', false],
        ['/workflows/abc/triggers/manual/paths/invoke/extra', false],
        ['/workflows/triggers/manual/paths/invoke', false],
        ['/workflows/abc/triggers/paths/invoke', false],
        ['/workflows/abc/triggers/manual/paths', false],
        ['/triggers/manual/workflows/abc/paths/invoke', false],
        ['/', false],
    ])('reads the path %s as a Workflows trigger: %s', (path, isTrigger) => {
        expect(isWorkflowsTriggerPath(path)).toBe(isTrigger);
    });

    it('reads every published Workflows URL shape as workflows, whatever its ids, query, port and case', () => {
        const label = fc.stringMatching(/^[a-z0-9]{1,12}$/);
        const host = fc.oneof(
            fc.tuple(fc.integer({ min: 0, max: 99 }), fc.constantFrom('westeurope', 'eastus', 'uksouth')).map(([n, region]) => `prod-${String(n).padStart(2, '0')}.${region}.logic.azure.com`),
            fc.tuple(label, label).map(([env, part]) => `${env}.${part}.environment.api.powerplatform.com`),
        );
        const prefix = fc.oneof(
            fc.constant(''),
            fc.constant('/powerautomate/automations/direct'),
            fc.integer({ min: 0, max: 999 }).map((n) => `/powerautomate/automations/direct/cu/${n}`),
        );
        const query = fc.dictionary(fc.stringMatching(/^[a-z-]{1,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 5 });
        fc.assert(
            fc.property(host, fc.constantFrom('', ':443'), prefix, label, fc.constantFrom('manual', 'When_a_HTTP_request_is_received'), query, fc.boolean(), (h, port, p, id, trigger, params, upper) => {
                const search = new URLSearchParams({ ...params, sig: 'x' }).toString();
                const path = `${p}/workflows/${id}/triggers/${trigger}/paths/invoke`;
                const url = new URL(`https://${h}${port}${upper ? path.toUpperCase() : path}?${search}`);
                return webhookDialect(url) === 'workflows' && isAllowedWebhookUrl(url) && webhookDialect(new URL(`http://127.0.0.1:7072${url.pathname}${url.search}`)) === 'workflows';
            }),
            { numRuns: 500 },
        );
    });

    it('never throws on a hostile path, and never reads a connector URL as Workflows', () => {
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (path) => {
                isWorkflowsTriggerPath(path);
                const url = new URL('https://contoso.webhook.office.com/');
                url.pathname = path;
                return webhookDialect(url) === 'connector';
            }),
            { numRuns: 500 },
        );
    });

    it('decides by host before path, so a connector host with a Workflows-like path stays connector', () => {
        expect(webhookDialect(new URL('https://contoso.webhook.office.com/workflows/a/triggers/b/paths/invoke'))).toBe('connector');
    });
});

describe('webhookKey', () => {
    it('is 32 lower-case hex characters', () => {
        expect(webhookKey(new URL(URLS.webhookb2))).toMatch(/^[0-9a-f]{32}$/);
    });

    it('is the start of the SHA-256 of the normalised URL', () => {
        // sha256('https://example.com/') computed independently (e.g. `printf %s https://example.com/ | sha256sum`)
        expect(webhookKey(new URL('https://example.com'))).toBe('0f115db062b7c0dd030b16878c99dea5');
    });

    it('never contains the URL or its signature', () => {
        const key = webhookKey(new URL(URLS.logicApps));
        expect(key).not.toContain('s3cr3t');
        expect(key).not.toContain('logic');
    });

    it('is the same for spellings of one webhook: host case, default port, fragment, query order', () => {
        const key = webhookKey(new URL(URLS.logicApps));
        const respelled = URLS.logicApps
            .replace('prod-27.westeurope.logic.azure.com:443', 'PROD-27.WestEurope.logic.azure.com')
            .replace('api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t', 'sig=s3cr3t&sv=1.0&api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun');
        expect(webhookKey(new URL(`${respelled}#fragment`))).toBe(key);
    });

    const webhookUrl = fc.webUrl({ withQueryParameters: true, withFragments: true });

    it('differs for different webhooks', () => {
        fc.assert(
            fc.property(webhookUrl, webhookUrl, (a, b) => {
                fc.pre(new URL(a).href !== new URL(b).href);
                const sameAfterNormalising = webhookKeyInput(a) === webhookKeyInput(b);
                return sameAfterNormalising || webhookKey(new URL(a)) !== webhookKey(new URL(b));
            }),
            { numRuns: 200 },
        );
    });
});

/** The normalisation webhookKey documents, written out independently. */
function webhookKeyInput(text: string): string {
    const url = new URL(text);
    const query = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `${url.protocol}//${url.host}${url.pathname}?${new URLSearchParams(query).toString()}`;
}
