/** Workflows answers: 202 on success, the synchronous schema 400, invisible render failures, 429. */
import { describe, expect, it } from 'vitest';
import { TEAMS_MAX_MESSAGE_BYTES, WORKFLOWS_SCHEMA_MISMATCH_CODE, WORKFLOWS_THROTTLED_CODE } from '../../simulator/index.js';
import { ADAPTIVE_CARD, card, envelope, ManualClock, post, useSimulators } from './harness.js';

function errorCode(text: string): unknown {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof parsed.error?.message).toBe('string');
    return parsed.error?.code;
}

describe('Workflows answers', () => {
    const start = useSimulators();

    it('accepts the Adaptive Card envelope with 202 and an empty body', async () => {
        const sim = await start();
        expect(await post(sim.workflowsUrl('ops'), envelope(card('1.4')))).toMatchObject({ status: 202, text: '' });
        expect(sim.received('ops')).toMatchObject([{ dialect: 'workflows', outcome: 'delivered', rendered: true }]);
    });

    it('builds URLs of the documented shape', async () => {
        const sim = await start();
        const url = new URL(sim.workflowsUrl('ops'));
        expect(url.pathname).toMatch(/^\/workflows\/[0-9a-f]+\/triggers\/manual\/paths\/invoke$/);
        expect(url.searchParams.get('api-version')).toBe('2016-06-01');
        expect(url.searchParams.get('sv')).toBe('1.0');
        expect(url.searchParams.get('sig')).toMatch(/^[\w-]{43}$/);
        expect(new URL(sim.connectorUrl('ops')).pathname).toMatch(/^\/webhookb2\/[\w-]+@[\w-]+\/IncomingWebhook\/[0-9a-f]{32}\/[\w-]+$/);
    });

    it('accepts the newer Power Platform path shape', async () => {
        const sim = await start();
        const path = '/powerautomate/automations/direct/workflows/abc123/triggers/manual/paths/invoke';
        expect(await post(`${sim.baseUrl}${path}?api-version=1&sig=x`, envelope(card()))).toMatchObject({ status: 202 });
    });

    it('answers an attachment without the contentUrl key with 400 TriggerInputSchemaMismatch', async () => {
        const sim = await start();
        const body = { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, content: card() }] };
        const answer = await post(sim.workflowsUrl('ops'), body);
        expect(answer.status).toBe(400);
        expect(answer.contentType).toMatch(/^application\/json/);
        expect(errorCode(answer.text)).toBe(WORKFLOWS_SCHEMA_MISMATCH_CODE);
        expect(answer.text).toContain('contentUrl');
        expect(sim.received('ops')).toMatchObject([{ outcome: 'rejected' }]);
    });

    it.each([
        ['a text message', { text: 'hi' }],
        ['a MessageCard', { '@type': 'MessageCard', summary: 'x' }],
        ['malformed JSON', '{"type":"message",'],
        ['an envelope without attachments', { type: 'message' }],
        ['an attachment that is not an object', { type: 'message', attachments: ['card'] }],
        ['a contentUrl that is a number', { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: 1, content: card() }] }],
    ])('answers %s with the same 400', async (_case, body) => {
        const sim = await start();
        const answer = await post(sim.workflowsUrl('ops'), body);
        expect(answer.status).toBe(400);
        expect(errorCode(answer.text)).toBe(WORKFLOWS_SCHEMA_MISMATCH_CODE);
    });

    it.each(['1.5', '1.6'])('accepts a version %s card with 202 but records it as not rendered', async (version) => {
        const sim = await start();
        expect(await post(sim.workflowsUrl('ops'), envelope(card(version)))).toMatchObject({ status: 202, text: '' });
        expect(sim.received('ops')).toMatchObject([{ outcome: 'delivered', rendered: false, reason: expect.stringContaining(version) as unknown }]);
    });

    it('records other cards Teams cannot show as not rendered, still with 202', async () => {
        const sim = await start();
        await post(sim.workflowsUrl('ops'), envelope(card('1.2', { actions: [{ type: 'Action.Submit' }] })));
        await post(sim.workflowsUrl('ops'), envelope({ type: 'NotACard', version: '1.2' }));
        await post(sim.workflowsUrl('ops'), envelope(card('1.2', { body: [{ type: 'TextBlock', text: 'x'.repeat(TEAMS_MAX_MESSAGE_BYTES) }] })));
        expect(sim.received('ops').map((record) => [record.status, record.rendered])).toEqual([[202, false], [202, false], [202, false]]);
    });

    it('answers over the windows with a 429 JSON error and no Retry-After', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        for (let i = 0; i < 4; i += 1) expect((await post(sim.workflowsUrl('ops'), envelope(card()))).status).toBe(202);
        const response = await fetch(sim.workflowsUrl('ops'), { method: 'POST', body: JSON.stringify(envelope(card())) });
        expect(response.status).toBe(429);
        expect(response.headers.get('retry-after')).toBeNull();
        expect(errorCode(await response.text())).toBe(WORKFLOWS_THROTTLED_CODE);
        expect(sim.stats('ops')).toMatchObject({ delivered: 4, throttled: 1 });
    });

    it('answers a removed webhook with 410', async () => {
        const sim = await start();
        sim.remove('ops');
        expect(await post(sim.workflowsUrl('ops'), envelope(card()))).toMatchObject({ status: 410, text: '' });
    });
});
