/** Legacy connector answers: every row of the answers table (docs/teams-facts.md#connector-answers), over real HTTP. */
import { describe, expect, it } from 'vitest';
import {
    CONNECTOR_BAD_PAYLOAD_BODY,
    CONNECTOR_SUMMARY_REQUIRED_BODY,
    TEAMS_MAX_MESSAGE_BYTES,
} from '../../../tools/simulator/index.js';
import { card, envelope, ManualClock, post, textBodyOfSize, useSimulators } from './harness.js';

const WRAPPED = (code: number): string =>
    `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${code} with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0..`;

describe('legacy connector answers', () => {
    const start = useSimulators();

    it('delivers a text message with 200 and body 1', async () => {
        const sim = await start();
        const answer = await post(sim.connectorUrl('ops'), { text: 'Deployed **api**' });
        expect(answer).toMatchObject({ status: 200, text: '1' });
        expect(sim.received('ops')).toMatchObject([{ dialect: 'connector', outcome: 'delivered', rendered: true, json: { text: 'Deployed **api**' } }]);
    });

    it('delivers a MessageCard that has a summary', async () => {
        const sim = await start();
        const messageCard = { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: 'Deploy', themeColor: '0076D7', sections: [] };
        expect(await post(sim.connectorUrl('ops'), messageCard)).toMatchObject({ status: 200, text: '1' });
    });

    it('delivers an Adaptive Card envelope', async () => {
        const sim = await start();
        const actions = [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://example.com' }];
        expect(await post(sim.connectorUrl('ops'), envelope(card('1.5', { actions })))).toMatchObject({ status: 200, text: '1' });
    });

    it('answers a throttled request with the 429 wrapper inside a 200', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [{ windowMs: 1_000, max: 1 }] });
        await post(sim.connectorUrl('ops'), { text: 'one' });
        const answer = await post(sim.connectorUrl('ops'), { text: 'two' });
        expect(answer).toMatchObject({ status: 200, text: WRAPPED(429) });
        expect(sim.received('ops')[1]).toMatchObject({ outcome: 'throttled', status: 200 });
    });

    it('can word the 429 wrapper with ApplicationThrottled, or alternate both wordings', async () => {
        const clock = new ManualClock();
        const limits = [{ windowMs: 1_000, max: 0 }];
        const always = await start({ clock: clock.read, limits, throttleWording: 'applicationThrottled' });
        expect((await post(always.connectorUrl('ops'), { text: 'x' })).text).toBe(`${WRAPPED(429)} ApplicationThrottled`);
        const alternating = await start({ clock: clock.read, limits, throttleWording: 'alternate' });
        const texts = [];
        for (let i = 0; i < 3; i += 1) texts.push((await post(alternating.connectorUrl('ops'), { text: 'x' })).text);
        expect(texts).toEqual([WRAPPED(429), `${WRAPPED(429)} ApplicationThrottled`, WRAPPED(429)]);
    });

    it('accepts a body of exactly 28,672 bytes and answers one byte more with the 413 wrapper', async () => {
        const sim = await start();
        expect(await post(sim.connectorUrl('ops'), textBodyOfSize(TEAMS_MAX_MESSAGE_BYTES))).toMatchObject({ status: 200, text: '1' });
        expect(await post(sim.connectorUrl('ops'), textBodyOfSize(TEAMS_MAX_MESSAGE_BYTES + 1))).toMatchObject({ status: 200, text: WRAPPED(413) });
        expect(sim.received('ops')[1]).toMatchObject({ outcome: 'rejected' });
    });

    it('honours a smaller maxBytes', async () => {
        const sim = await start({ maxBytes: 100 });
        expect((await post(sim.connectorUrl('ops'), textBodyOfSize(101))).text).toBe(WRAPPED(413));
    });

    it.each([
        ['content that is not an object', { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: '{"type":"AdaptiveCard"}' }] }],
        ['content without type AdaptiveCard', envelope({ version: '1.4', body: [] })],
        ['an Action.Submit action', envelope(card('1.4', { actions: [{ type: 'Action.Submit', title: 'Go' }] }))],
        ['an Action.Submit nested in a ShowCard', envelope(card('1.4', { actions: [{ type: 'Action.ShowCard', card: card('1.4', { actions: [{ type: 'Action.Submit' }] }) }] }))],
        ['an attachment that is not an Adaptive Card', { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.hero', content: {} }] }],
        ['no attachments', { type: 'message', attachments: [] }],
    ])('answers a card Teams cannot render (%s) with the 400 wrapper', async (_case, body) => {
        const sim = await start();
        expect(await post(sim.connectorUrl('ops'), body)).toMatchObject({ status: 200, text: WRAPPED(400) });
        expect(sim.received('ops')[0]).toMatchObject({ outcome: 'rejected', reason: expect.any(String) as unknown });
    });

    it.each([
        ['no summary or text', { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', sections: [{ activityTitle: 'x' }] }],
        ['a blank summary', { '@type': 'MessageCard', summary: '  ' }],
        ['an empty text message', { text: '' }],
    ])('answers a MessageCard with %s with 400 "Summary or Text is required."', async (_case, body) => {
        const sim = await start();
        expect(await post(sim.connectorUrl('ops'), body)).toMatchObject({ status: 400, text: CONNECTOR_SUMMARY_REQUIRED_BODY });
    });

    it.each([
        ['malformed JSON', '{"text": "unterminated'],
        ['an empty body', ''],
        ['a JSON array', '[{"text":"hi"}]'],
        ['a JSON string', '"hi"'],
        ['null', 'null'],
        ['an object of no known shape', '{"message":"hi"}'],
        ['a text that is not a string', '{"text":42}'],
        ['attachments that are not an array', '{"type":"message","attachments":{}}'],
    ])('answers %s with 400 "Bad payload received by generic incoming webhook"', async (_case, body) => {
        const sim = await start();
        expect(await post(sim.connectorUrl('ops'), body)).toMatchObject({ status: 400, text: CONNECTOR_BAD_PAYLOAD_BODY });
        expect(sim.stats('ops')).toMatchObject({ rejected: 1, total: 1 });
    });

    it('answers a removed webhook with 410 and an empty body', async () => {
        const sim = await start();
        sim.remove('ops');
        expect(await post(sim.connectorUrl('ops'), { text: 'hi' })).toMatchObject({ status: 410, text: '' });
        expect(sim.received('ops')).toMatchObject([{ outcome: 'rejected', status: 410 }]);
    });

    it('does not spend window budget on bodies the connector itself refuses', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [{ windowMs: 1_000, max: 1 }] });
        await post(sim.connectorUrl('ops'), 'not json');
        await post(sim.connectorUrl('ops'), { '@type': 'MessageCard' });
        expect(await post(sim.connectorUrl('ops'), { text: 'counted' })).toMatchObject({ text: '1' });
    });

    it('accepts any path under /webhookb2/ and names its webhook by the path', async () => {
        const sim = await start();
        const path = '/webhookb2/abc@def/IncomingWebhook/0123/guid';
        expect(await post(`${sim.baseUrl}${path}`, { text: 'hi' })).toMatchObject({ status: 200, text: '1' });
        expect(sim.received(path)).toHaveLength(1);
    });
});
