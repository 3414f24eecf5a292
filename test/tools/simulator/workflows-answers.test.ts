/** Workflows answers: 202 on success, the synchronous schema 400, invisible render failures, 429 with Retry-After, URL shapes. */
import { describe, expect, it } from 'vitest';
import {
    TEAMS_MAX_MESSAGE_BYTES,
    WORKFLOWS_CARD_NOT_DISPLAYED,
    WORKFLOWS_SCHEMA_MISMATCH_CODE,
    WORKFLOWS_THROTTLED_CODE,
} from '../../../tools/simulator/index.js';
import { ADAPTIVE_CARD, card, DAY_START, envelope, ManualClock, post, useSimulators } from './harness.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
/** The trigger path every shape ends with. */
const TRIGGER = /\/workflows\/[0-9a-f]{32}\/triggers\/manual\/paths\/invoke$/;

function errorCode(text: string): unknown {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof parsed.error?.message).toBe('string');
    return parsed.error?.code;
}

async function postRaw(url: string, body: unknown): Promise<Response> {
    return fetch(url, { method: 'POST', body: JSON.stringify(body) });
}

describe('Workflows answers', () => {
    const start = useSimulators();

    /** Posts a card envelope to `pathAndQuery` on a new simulator. */
    async function postToPath(pathAndQuery: string) {
        const sim = await start();
        return { sim, answer: await post(`${sim.baseUrl}${pathAndQuery}`, envelope(card())) };
    }

    it('accepts the Adaptive Card envelope with 202 and an empty body', async () => {
        const sim = await start();
        expect(await post(sim.workflowsUrl('ops'), envelope(card('1.4')))).toMatchObject({ status: 202, text: '' });
        expect(sim.received('ops')).toMatchObject([{ dialect: 'workflows', outcome: 'delivered', flowPost: 'posted', rendered: true }]);
    });

    it('builds URLs of the 2026 shape by default', async () => {
        const sim = await start();
        const url = new URL(sim.workflowsUrl('ops'));
        expect(url.pathname).toMatch(/^\/powerautomate\/automations\/direct\/cu\/\d+\/workflows\/[0-9a-f]{32}\/triggers\/manual\/paths\/invoke$/);
        expect([...url.searchParams.keys()]).toEqual(['api-version', 'sp', 'sv', 'sig']);
        expect(url.searchParams.get('api-version')).toBe('1');
        expect(url.searchParams.get('sp')).toBe('/triggers/manual/run');
        expect(url.searchParams.get('sv')).toBe('1.0');
        expect(url.searchParams.get('sig')).toMatch(/^[\w-]{43}$/);
        expect(sim.workflowsUrl('ops')).toBe(url.href);
        expect(new URL(sim.connectorUrl('ops')).pathname).toMatch(/^\/webhookb2\/[\w-]+@[\w-]+\/IncomingWebhook\/[0-9a-f]{32}\/[\w-]+$/);
    });

    it('builds the older shapes on request, for one URL or for the whole simulator', async () => {
        const sim = await start();
        const direct = new URL(sim.workflowsUrl('ops', { shape: 'power-platform' }));
        expect(direct.pathname).toMatch(/^\/powerautomate\/automations\/direct\/workflows\//);
        expect(direct.searchParams.get('api-version')).toBe('1');
        const logicApps = new URL(sim.workflowsUrl('ops', { shape: 'logic-apps' }));
        expect(logicApps.pathname).toMatch(/^\/workflows\//);
        expect(logicApps.searchParams.get('api-version')).toBe('2016-06-01');
        const classic = await start({ workflowsUrlShape: 'logic-apps' });
        expect(new URL(classic.workflowsUrl('ops')).pathname).toBe(logicApps.pathname);
        for (const url of [direct, logicApps]) expect(url.pathname).toMatch(TRIGGER);
    });

    it.each(['power-platform-cu', 'power-platform', 'logic-apps'] as const)('accepts a %s URL and names its webhook', async (shape) => {
        const sim = await start();
        expect(await post(sim.workflowsUrl('ops', { shape }), envelope(card()))).toMatchObject({ status: 202, text: '' });
        expect(sim.received('ops')).toMatchObject([{ dialect: 'workflows', outcome: 'delivered', flowId: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown }]);
    });

    it.each([
        '/powerautomate/automations/direct/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=x',
        '/powerautomate/automations/direct/cu/7/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=x',
        '/powerautomate/automations/direct/cu/1234/workflows/abc123/triggers/manual/paths/invoke/',
        '/workflows/abc123/triggers/manual/paths/invoke',
    ])('accepts the hand-made trigger URL %s, naming its webhook by the path', async (pathAndQuery) => {
        const { sim, answer } = await postToPath(pathAndQuery);
        expect(answer).toMatchObject({ status: 202 });
        const [record] = sim.received();
        expect(record).toMatchObject({ webhook: pathAndQuery.split('?')[0], flowId: 'abc123', connection: 'default' });
    });

    it.each([
        '/powerautomate/automations/direct/cu/workflows/abc/triggers/manual/paths/invoke',
        '/powerautomate/automations/direct/cu/x1/workflows/abc/triggers/manual/paths/invoke',
        '/powerautomate/automations/direct/cu/1/workflows//triggers/manual/paths/invoke',
        '/powerautomate/automations/workflows/abc/triggers/manual/paths/invoke',
        '/powerautomate/automations/direct/cu/1/workflows/abc/triggers/manual/paths',
        '/powerautomate/automations/direct/cu/1/workflows/abc/triggers/other/paths/invoke',
        '/workflows/abc/triggers/manual/paths/invoke/extra',
        '/workflows/abc/triggers/manual/paths/invok',
    ])('answers the mangled path %s with 404 and records nothing', async (path) => {
        const { sim, answer } = await postToPath(`${path}?api-version=1&sig=x`);
        expect(answer).toMatchObject({ status: 404 });
        expect(sim.received()).toEqual([]);
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
        expect(sim.received('ops')[0]).not.toHaveProperty('flowPost');
    });

    it.each([
        ['a text message', { text: 'hi' }],
        ['a MessageCard', { '@type': 'MessageCard', summary: 'x' }],
        ['malformed JSON', '{"type":"message",'],
        ['an envelope without attachments', { type: 'message' }],
        ['an envelope without type', { attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content: card() }] }],
        ['a type other than message', { type: 'card', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content: card() }] }],
        ['attachments that are not an array', { type: 'message', attachments: { contentType: ADAPTIVE_CARD } }],
        ['an empty attachments array', { type: 'message', attachments: [] }],
        ['an attachment that is not an object', { type: 'message', attachments: ['card'] }],
        ['a contentUrl that is a number', { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: 1, content: card() }] }],
    ])('answers %s with the same 400, spending no budget', async (_case, body) => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, connectionLimits: [{ windowMs: SECOND, max: 1 }] });
        const answer = await post(sim.workflowsUrl('ops'), body);
        expect(answer.status).toBe(400);
        expect(errorCode(answer.text)).toBe(WORKFLOWS_SCHEMA_MISMATCH_CODE);
        await post(sim.workflowsUrl('ops'), envelope(card()));
        expect(sim.connectionStats()).toMatchObject({ accepted: 1, posted: 1, throttledInFlow: 0 });
    });

    it.each(['1.5', '1.6'])('accepts a version %s card with 202 but records it as "We\'re sorry, this card couldn\'t be displayed"', async (version) => {
        const sim = await start();
        expect(await post(sim.workflowsUrl('ops'), envelope(card(version)))).toMatchObject({ status: 202, text: '' });
        const [record] = sim.received('ops');
        expect(record).toMatchObject({ outcome: 'delivered', flowPost: 'posted', rendered: false });
        expect(record?.reason).toContain(WORKFLOWS_CARD_NOT_DISPLAYED);
        expect(record?.reason).toContain(`card version ${version}`);
        expect(sim.stats('ops')).toMatchObject({ delivered: 1, notRendered: 1, throttledInFlow: 0 });
        expect(sim.report().totals.notRendered).toBe(1);
    });

    it('records other cards Teams cannot show as not rendered, still with 202', async () => {
        const sim = await start();
        await post(sim.workflowsUrl('ops'), envelope(card('1.2', { actions: [{ type: 'Action.Submit' }] })));
        await post(sim.workflowsUrl('ops'), envelope({ type: 'NotACard', version: '1.2' }));
        await post(sim.workflowsUrl('ops'), envelope(card('1.2', { body: [{ type: 'TextBlock', text: 'x'.repeat(TEAMS_MAX_MESSAGE_BYTES) }] })));
        await post(sim.workflowsUrl('ops'), envelope(card('1.4')));
        expect(sim.received('ops').map((record) => [record.status, record.rendered])).toEqual([[202, false], [202, false], [202, false], [202, true]]);
        expect(sim.stats('ops')).toMatchObject({ delivered: 4, notRendered: 3 });
    });

    it('answers over the windows with a 429 JSON error whose Retry-After runs to the end of the full window', async () => {
        const clock = new ManualClock(DAY_START + 200);
        const sim = await start({ clock: clock.read });
        for (let i = 0; i < 4; i += 1) expect((await post(sim.workflowsUrl('ops'), envelope(card()))).status).toBe(202);
        const response = await postRaw(sim.workflowsUrl('ops'), envelope(card()));
        expect(response.status).toBe(429);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(errorCode(await response.text())).toBe(WORKFLOWS_THROTTLED_CODE);
        expect(sim.stats('ops')).toMatchObject({ delivered: 4, throttled: 1 });
        clock.now = DAY_START + SECOND;
        expect((await post(sim.workflowsUrl('ops'), envelope(card()))).status).toBe(202);
    });

    it('gives a Retry-After that covers every full window, so a sender that honours it is taken next', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        for (let i = 0; i < 60; i += 1) {
            clock.now = DAY_START + Math.floor(i / 4) * SECOND;
            expect((await post(sim.workflowsUrl('ops'), envelope(card()))).status).toBe(202);
        }
        clock.now = DAY_START + 14_500;
        const response = await postRaw(sim.workflowsUrl('ops'), envelope(card()));
        expect(response.status).toBe(429);
        const seconds = Number(response.headers.get('retry-after'));
        expect(seconds).toBe(16);
        clock.advance(seconds * SECOND - 501);
        expect((await post(sim.workflowsUrl('ops'), envelope(card()))).status).toBe(429);
        clock.now = DAY_START + 14_500 + seconds * SECOND;
        expect((await post(sim.workflowsUrl('ops'), envelope(card()))).status).toBe(202);
    });

    it('gives the rest of an extended block as Retry-After', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, blockAfterThrottleMs: 2 * HOUR, limits: [{ windowMs: 30 * SECOND, max: 1 }] });
        await post(sim.workflowsUrl('ops'), envelope(card()));
        const first = await postRaw(sim.workflowsUrl('ops'), envelope(card()));
        expect(first.headers.get('retry-after')).toBe(String(2 * 3_600));
        clock.now = DAY_START + HOUR;
        const later = await postRaw(sim.workflowsUrl('ops'), envelope(card()));
        expect(later.status).toBe(429);
        expect(later.headers.get('retry-after')).toBe(String(3_600));
    });

    it('answers a removed webhook with 410', async () => {
        const sim = await start();
        sim.remove('ops');
        expect(await post(sim.workflowsUrl('ops'), envelope(card()))).toMatchObject({ status: 410, text: '' });
    });
});
