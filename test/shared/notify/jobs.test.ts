import { describe, expect, it } from 'vitest';
import { createdAtMs, notificationJobSchema, stampCreatedAt, validateJob } from '../../../shared/notify/jobs.js';
import { acceptQueueMessage, checkJob, decodeQueueMessage, URL_TARGETS_OFF } from '../../../shared/notify/accept.js';
import { loadConfig } from '../../../shared/config.js';
import { MAX_JSON_DEPTH } from '../../../shared/platform/json-depth.js';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';
import { nestedContainersJob as nestedJob } from '../../support/deep-cards.js';

const OPS = 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c';
/** {url} targets on, so their other rules can be tested; a connector and a Workflows alias. */
const config = loadConfig({
    TEAMS_WEBHOOK_OPS: OPS,
    TEAMS_WEBHOOK_FLOW: 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
    ALLOW_URL_TARGETS: 'true',
});


describe('validateJob', () => {
    it('refuses a job nested beyond the limit with that one problem, naming where', () => {
        expect(validateJob(nestedJob(1_200))).toEqual({ ok: false, problems: [`adaptiveCard.body[0].items…: nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays)`] });
    });

    it('reads a stored job of any depth with the schema alone without overflowing the stack, as the outbox does', () => {
        const deep = JSON.parse(`{"to":"ops","adaptiveCard":{"type":"AdaptiveCard","body":${'['.repeat(100_000)}${']'.repeat(100_000)}},"id":"x"}`) as unknown;
        expect(notificationJobSchema.safeParse(deep).success).toBe(true);
        expect(validateJob(deep).ok).toBe(false);
    });

    it('refuses deep template data as deep', () => {
        const result = validateJob({ to: 'ops', card: { template: 'message', data: { title: 'x', facts: JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown } } });
        expect(result.ok ? '' : result.problems.join()).toMatch(/^card\.data\.facts\[0\]…: nested more than 64 levels deep/);
    });

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

describe('mentions, updateKey and threadKey', () => {
    const base = { to: 'ops', text: 'hi' };

    it('accepts UPNs, Entra object ids and named mentions, with both keys', () => {
        const result = validateJob({
            ...base,
            mentions: ['ada@contoso.com', { id: '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10', name: 'Ada' }],
            updateKey: 'alertmanager:{}:{alertname="X"}',
            threadKey: 'github:contoso/api#42',
        });
        expect(result.ok).toBe(true);
    });

    it('names each bad field', () => {
        const result = validateJob({ ...base, mentions: ['not a person', { id: 'ada@contoso.com', name: '' }], updateKey: '', threadKey: 'x'.repeat(129) });
        expect(result.ok).toBe(false);
        const problems = result.ok ? [] : result.problems.join('\n');
        expect(problems).toMatch(/^mentions\.0: must be a UPN/m);
        expect(problems).toMatch(/^mentions\.1\.name: must not be empty/m);
        expect(problems).toMatch(/^updateKey: must not be empty/m);
        expect(problems).toMatch(/^threadKey: /m);
    });

    it('refuses more than 20 mentions and control characters in a key', () => {
        const many = Array.from({ length: 21 }, (_, i) => `user${i}@contoso.com`);
        expect(validateJob({ ...base, mentions: many }).ok).toBe(false);
        expect(validateJob({ ...base, updateKey: 'a\u0000b' }).ok).toBe(false);
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

describe('decodeQueueMessage on deep input', () => {
    it('refuses a parsed message nested beyond the limit before writing it back as text', () => {
        const deep = JSON.parse(`{"to":"ops","adaptiveCard":${'['.repeat(50_000)}${']'.repeat(50_000)}}`) as unknown;
        expect(decodeQueueMessage(deep)).toMatchObject({ ok: false, problem: expect.stringMatching(/^adaptiveCard\[0\]\[0\]\[0\]…: nested more than 64 levels deep/) as unknown });
    });
});

describe('checkJob at send-time rules', () => {
    it('refuses a card the destination would refuse: fine for a connector, too new for Workflows', async () => {
        const table = { to: 'flow', adaptiveCard: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Table', columns: [{ width: 1 }], rows: [] }] } };
        const refused = await checkJob(table, config);
        expect(refused.ok ? '' : refused.problems.join()).toMatch(/^adaptiveCard: The card breaks Workflows rules: body\[0\]: Table needs card version 1.5/);
        expect((await checkJob({ ...table, to: 'ops' }, config)).ok).toBe(true);
    });

    it('refuses a mention that matches no entity, and an action incoming webhooks cannot carry', async () => {
        const result = await checkJob({ to: 'ops', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'hi <at>Ann</at>' }], actions: [{ type: 'Action.Submit' }] } }, config);
        const problems = result.ok ? '' : result.problems.join();
        expect(problems).toContain('actions[0]: Action.Submit is not supported by incoming webhooks');
        expect(problems).toContain('body[0].text: <at>Ann</at> has no mention entity');
    });

    it('refuses a job whose payload would be over the safe size', async () => {
        const result = await checkJob({ to: 'ops', text: 'x'.repeat(30_000) }, config);
        expect(result.ok ? '' : result.problems.join()).toMatch(/^text: The payload is 30011 bytes, over the 24576-byte safe limit/);
    });

    it('refuses a card of 1,200 nested Containers as too deep, for either dialect', async () => {
        for (const to of ['ops', 'flow']) {
            const result = await checkJob(nestedJob(1_200, to), config);
            expect(result.ok ? '' : result.problems.join()).toMatch(/nested more than 64 levels deep/);
        }
    });
});

describe('acceptQueueMessage on hostile messages', () => {
    it('dead-letters a raw message nested 1,200 Containers deep with the reason, and queues nothing', async () => {
        const store = createMemoryOutboxStore({ now: () => 0 });
        const result = await acceptQueueMessage(JSON.stringify(nestedJob(1_200)), { messageId: 'm1', dequeuedAt: 5 }, store, config);
        expect(result).toMatchObject({ kind: 'dead-lettered', reason: expect.stringMatching(/^Invalid job: adaptiveCard\.body\[0\]\.items…: nested more than 64 levels deep/) as unknown });
        const [letter] = await store.listDeadLetters();
        expect(letter).toMatchObject({ source: 'validation', jobId: 'deep', deadLetteredAt: 5 });
        expect(await store.listWebhooks()).toEqual([]);
    });

    it('dead-letters a raw message whose card Workflows would refuse', async () => {
        const store = createMemoryOutboxStore({ now: () => 0 });
        const message = { to: 'flow', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'Fancy' }] } };
        const result = await acceptQueueMessage(message, { messageId: 'm2', dequeuedAt: 5 }, store, config);
        expect(result).toEqual({ kind: 'dead-lettered', reason: 'Invalid job: adaptiveCard: The card breaks Workflows rules: body[0]: Unknown element type "Fancy"' });
    });
});

describe('checkJob', () => {
    it('resolves a configured alias case-insensitively', async () => {
        const result = await checkJob({ to: 'OPS', text: 'a' }, config);
        expect(result.ok && result.target.alias).toBe('ops');
    });

    it('names an unknown alias and the setting to add', async () => {
        const result = await checkJob({ to: 'dev', text: 'a' }, config);
        expect(result.ok ? '' : result.problems.join()).toMatch(/to: unknown alias "dev" \(configured: ops, flow; set TEAMS_WEBHOOK_DEV\)/);
    });

    it('refuses a URL whose host is not allowed, without printing the URL', async () => {
        const result = await checkJob({ to: { url: 'https://evil.test/hook?sig=secret' }, text: 'a' }, config);
        const problems = result.ok ? '' : result.problems.join();
        expect(problems).toContain('to.url: the host "evil.test" is not allowed by ALLOWED_WEBHOOK_HOSTS');
        expect(problems).not.toContain('secret');
    });

    it('accepts a URL on an allowed host when ALLOW_URL_TARGETS is on', async () => {
        const result = await checkJob({ to: { url: 'https://prod-07.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s' }, text: 'a' }, config);
        expect(result.ok && result.target.url.hostname).toBe('prod-07.westeurope.logic.azure.com');
    });

    it('refuses every URL target while ALLOW_URL_TARGETS is off (the default), naming the setting and never the URL', async () => {
        const off = loadConfig({ TEAMS_WEBHOOK_OPS: OPS });
        const result = await checkJob({ to: { url: 'https://prod-07.westeurope.logic.azure.com/workflows/x?sig=secret' }, text: 'a' }, off);
        expect(result).toEqual({ ok: false, problems: [URL_TARGETS_OFF] });
        expect(URL_TARGETS_OFF).toMatch(/^to\.url: .*ALLOW_URL_TARGETS=true/);
        expect((await checkJob({ to: 'ops', text: 'a' }, off)).ok).toBe(true);
    });

    it('refuses an unknown card template and missing template data', async () => {
        const unknown = await checkJob({ to: 'ops', card: { template: 'nope', data: {} } }, config);
        expect(unknown.ok ? '' : unknown.problems.join()).toMatch(/card.template: unknown template "nope"/);
        const missing = await checkJob({ to: 'ops', card: { template: 'message', data: {} } }, config);
        expect(missing.ok ? '' : missing.problems.join()).toMatch(/card.data.title: required/);
    });
});
