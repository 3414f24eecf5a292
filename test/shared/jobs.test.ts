import { describe, expect, it } from 'vitest';
import { createdAtMs, stampCreatedAt, validateJob } from '../../shared/jobs/index.js';
import { checkJob, decodeQueueMessage, URL_TARGETS_OFF } from '../../shared/delivery/accept.js';
import { loadConfig } from '../../shared/config/index.js';

const OPS = 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c';
/** {url} targets on, so their other rules can be tested. */
const config = loadConfig({ TEAMS_WEBHOOK_OPS: OPS, ALLOW_URL_TARGETS: 'true' });

describe('validateJob', () => {
    it('accepts the documented example', () => {
        expect(validateJob({ id: 'deploy-4711', to: 'ops', text: 'Deployed **api** v2.3' }).ok).toBe(true);
    });

    it.each([
        [{ to: 'ops' }, 'job: needs exactly one content field'],
        [{ to: 'ops', text: 'a', adaptiveCard: { type: 'AdaptiveCard' } }, 'job: has text and adaptiveCard'],
        [{ text: 'a' }, 'to:'],
        [{ to: { url: 'ftp://x.test' }, text: 'a' }, 'to.url: must be an http(s) URL'],
        [{ to: 'ops', text: '  ' }, 'text: must not be empty'],
        [{ to: 'ops', text: 'a', id: 'a/b' }, 'id: may not contain'],
        [{ to: 'ops', text: 'a', id: 'x'.repeat(129) }, 'id:'],
        [{ to: 'ops', text: 'a', createdAt: '2026-11-23' }, 'createdAt: must be ISO 8601 with milliseconds'],
        [{ to: 'ops', text: 'a', createdAt: -1 }, 'createdAt:'],
        [{ to: 'ops', messageCard: { '@type': 'MessageCard' } }, 'messageCard: needs a summary or a text'],
        [{ to: 'ops', adaptiveCard: { type: 'Card' } }, 'adaptiveCard.type: must be "AdaptiveCard"'],
        [{ to: 'ops', text: 'a', colour: 'red' }, 'colour'],
    ])('refuses %j, naming the field', (job, expected) => {
        const result = validateJob(job);
        expect(result.ok).toBe(false);
        expect(result.ok ? '' : result.problems.join('\n')).toContain(expected);
    });

    it('reports every problem at once', () => {
        const result = validateJob({ to: 5, createdAt: 'soon' });
        expect(result.ok ? [] : result.problems).toHaveLength(3);
    });

    it('reads createdAt as ISO with milliseconds or epoch ms', () => {
        const iso = validateJob({ to: 'ops', text: 'a', createdAt: '2026-11-23T10:00:00.123Z' });
        expect(iso.ok && createdAtMs(iso.job)).toBe(Date.UTC(2026, 10, 23, 10, 0, 0, 123));
        const epoch = validateJob({ to: 'ops', text: 'a', createdAt: 1_700_000_000_000 });
        expect(epoch.ok && createdAtMs(epoch.job)).toBe(1_700_000_000_000);
    });
});

describe('stampCreatedAt', () => {
    it('is strictly increasing within one millisecond', () => {
        const stamps = [stampCreatedAt(5), stampCreatedAt(5), stampCreatedAt(5)];
        expect(stamps[1]).toBeGreaterThan(stamps[0] ?? Infinity);
        expect(stamps[2]).toBeGreaterThan(stamps[1] ?? Infinity);
    });
});

describe('decodeQueueMessage', () => {
    const job = { to: 'ops', text: 'hi' };

    it('takes a message the trigger already parsed', () => {
        expect(decodeQueueMessage(job)).toMatchObject({ ok: true, value: job });
    });

    it('parses plain JSON text', () => {
        expect(decodeQueueMessage(JSON.stringify(job))).toMatchObject({ ok: true, value: job });
    });

    it('parses base64-encoded JSON, as the storage SDK and the Azure CLI write it', () => {
        expect(decodeQueueMessage(Buffer.from(JSON.stringify(job)).toString('base64'))).toMatchObject({ ok: true, value: job });
    });

    it.each(['hello', '', '{"to":', 'aGVsbG8='])('refuses %j as not JSON', (text) => {
        expect(decodeQueueMessage(text).ok).toBe(false);
    });
});

describe('checkJob', () => {
    it('resolves a configured alias case-insensitively', () => {
        const result = checkJob({ to: 'OPS', text: 'a' }, config);
        expect(result.ok && result.target.alias).toBe('ops');
    });

    it('names an unknown alias and the setting to add', () => {
        const result = checkJob({ to: 'dev', text: 'a' }, config);
        expect(result.ok ? '' : result.problems.join()).toMatch(/to: unknown alias "dev" \(configured: ops; set TEAMS_WEBHOOK_DEV\)/);
    });

    it('refuses a URL whose host is not allowed, without printing the URL', () => {
        const result = checkJob({ to: { url: 'https://evil.test/hook?sig=secret' }, text: 'a' }, config);
        const problems = result.ok ? '' : result.problems.join();
        expect(problems).toContain('to.url: the host "evil.test" is not allowed by ALLOWED_WEBHOOK_HOSTS');
        expect(problems).not.toContain('secret');
    });

    it('accepts a URL on an allowed host when ALLOW_URL_TARGETS is on', () => {
        const result = checkJob({ to: { url: 'https://prod-07.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s' }, text: 'a' }, config);
        expect(result.ok && result.target.url.hostname).toBe('prod-07.westeurope.logic.azure.com');
    });

    it('refuses every URL target while ALLOW_URL_TARGETS is off (the default), naming the setting and never the URL', () => {
        const off = loadConfig({ TEAMS_WEBHOOK_OPS: OPS });
        const result = checkJob({ to: { url: 'https://prod-07.westeurope.logic.azure.com/workflows/x?sig=secret' }, text: 'a' }, off);
        expect(result).toEqual({ ok: false, problems: [URL_TARGETS_OFF] });
        expect(URL_TARGETS_OFF).toMatch(/^to\.url: .*ALLOW_URL_TARGETS=true/);
        expect(checkJob({ to: 'ops', text: 'a' }, off).ok).toBe(true);
    });

    it('refuses an unknown card template and missing template data', () => {
        const unknown = checkJob({ to: 'ops', card: { template: 'nope', data: {} } }, config);
        expect(unknown.ok ? '' : unknown.problems.join()).toMatch(/card.template: unknown template "nope"/);
        const missing = checkJob({ to: 'ops', card: { template: 'message', data: {} } }, config);
        expect(missing.ok ? '' : missing.problems.join()).toMatch(/card.data.title: required/);
    });
});
