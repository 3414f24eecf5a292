/** The simulator's relay-flow mode over HTTP: post, reply and update in a channel, the answers of the contract, the Flow-bot budget, and the channel as a person sees it. */
import { describe, expect, it } from 'vitest';
import {
    FLOW_BOT_POSTS_LIMIT,
    RELAY_ERROR_CODES,
    type RelayChannelView,
    type RelayMessage,
    type TeamsSimulator,
} from '../../../tools/simulator/index.js';
import { card, DAY_START, envelope, ManualClock, post, useSimulators, type PostAnswer } from './harness.js';

const SECOND = 1_000;
const FIVE_MINUTES = 300 * SECOND;

/** A card whose one text block says `text`. */
function textCard(text: string): Record<string, unknown> {
    return card('1.4', { body: [{ type: 'TextBlock', text }] });
}

/** The relay request: the envelope around `content` plus `relay`. */
function relayBody(relay: Record<string, unknown>, content: unknown = textCard('hello')): Record<string, unknown> {
    return { ...envelope(content), relay };
}

/** The message id of a 200 answer (fails the test on any other answer). */
function messageIdOf(answer: PostAnswer): string {
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(answer.text) as { messageId?: unknown };
    expect(typeof body.messageId).toBe('string');
    return body.messageId as string;
}

/** The `error` of a JSON error answer. */
function errorOf(answer: PostAnswer): { code: string; message: string; action?: string; teamsStatus?: number } {
    expect(answer.contentType).toMatch(/^application\/json/);
    return (JSON.parse(answer.text) as { error: { code: string; message: string; action?: string; teamsStatus?: number } }).error;
}

/** The channel as the read endpoint serves it. */
async function readChannel(sim: TeamsSimulator, flow: string): Promise<readonly RelayMessage[]> {
    const response = await fetch(sim.relayMessagesUrl(flow));
    expect(response.status).toBe(200);
    const view = (await response.json()) as RelayChannelView;
    expect(view.flow).toBe(flow);
    return view.messages;
}

/** The text of the first text block of a card, what a person reads on it. */
function textOf(content: unknown): unknown {
    return (content as { body?: { text?: unknown }[] }).body?.[0]?.text;
}

describe('the simulator\'s relay flow', () => {
    const start = useSimulators();

    it('posts a card and answers 200 with its id; the channel shows it once, with the job id', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const id = messageIdOf(await post(sim.relayFlowUrl('alerts'), relayBody({ action: 'post', jobId: 'am-1' }, textCard('FIRING: disk full'))));
        expect(id).toBe(String(DAY_START));
        const messages = await readChannel(sim, 'alerts');
        expect(messages).toEqual([
            { id, card: textCard('FIRING: disk full'), versions: [{ at: DAY_START, jobId: 'am-1', card: textCard('FIRING: disk full') }], replies: [] },
        ]);
        expect(sim.relayMessages('alerts')).toEqual(messages);
        expect(sim.received('alerts')[0]).toMatchObject({ dialect: 'relay', status: 200, outcome: 'delivered', flowPost: 'posted', rendered: true, relay: { action: 'post', messageId: id } });
    });

    it('updates the card in place: one message, resolved, with its history', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const url = sim.relayFlowUrl('alerts');
        const id = messageIdOf(await post(url, relayBody({ action: 'post', jobId: 'fire' }, textCard('FIRING'))));
        clock.advance(60 * SECOND);
        expect(messageIdOf(await post(url, relayBody({ action: 'update', jobId: 'resolve', messageId: id }, textCard('RESOLVED'))))).toBe(id);
        const messages = await readChannel(sim, 'alerts');
        expect(messages).toHaveLength(1);
        expect(textOf(messages[0]?.card)).toBe('RESOLVED');
        expect(messages[0]?.versions.map((version) => [version.at - DAY_START, version.jobId, textOf(version.card)])).toEqual([
            [0, 'fire', 'FIRING'],
            [60 * SECOND, 'resolve', 'RESOLVED'],
        ]);
    });

    it('gathers replies in the thread of their root, in order, each with an id of its own', async () => {
        const sim = await start({ clock: new ManualClock().read });
        const url = sim.relayFlowUrl('deploys');
        const root = messageIdOf(await post(url, relayBody({ action: 'post' }, textCard('deploy 1/5'))));
        const replies: string[] = [];
        for (let step = 2; step <= 5; step += 1) {
            replies.push(messageIdOf(await post(url, relayBody({ action: 'reply', parentMessageId: root }, textCard(`deploy ${step}/5`)))));
        }
        expect(new Set([root, ...replies]).size).toBe(5);
        const messages = await readChannel(sim, 'deploys');
        expect(messages.map((message) => message.id)).toEqual([root]);
        expect(messages[0]?.replies.map((reply) => [reply.id, textOf(reply.card)])).toEqual(replies.map((id, index) => [id, `deploy ${index + 2}/5`]));
    });

    it('updates a reply inside its thread', async () => {
        const sim = await start();
        const url = sim.relayFlowUrl('prs');
        const root = messageIdOf(await post(url, relayBody({ action: 'post' }, textCard('PR #7 opened'))));
        const reply = messageIdOf(await post(url, relayBody({ action: 'reply', parentMessageId: root }, textCard('review requested'))));
        expect(messageIdOf(await post(url, relayBody({ action: 'update', messageId: reply }, textCard('approved'))))).toBe(reply);
        const [thread] = await readChannel(sim, 'prs');
        expect(textOf(thread?.card)).toBe('PR #7 opened');
        expect(thread?.replies.map((message) => [textOf(message.card), message.versions.length])).toEqual([['approved', 2]]);
    });

    it.each([
        ['an update of an unknown id', { action: 'update', messageId: '1499999999999' }, 'update', 'The Teams connector could not update the card.'],
        ['a reply to an unknown parent', { action: 'reply', parentMessageId: '1499999999999' }, 'reply', 'The Teams connector could not reply with the card.'],
    ] as const)('answers %s with 404 TeamsActionFailed, posts nothing, and spends the call', async (_case, relay, action, message) => {
        const sim = await start();
        const answer = await post(sim.relayFlowUrl('alerts'), relayBody(relay));
        expect(answer.status).toBe(404);
        expect(errorOf(answer)).toEqual({ code: RELAY_ERROR_CODES.teamsActionFailed, message, action, teamsStatus: 404 });
        expect(await readChannel(sim, 'alerts')).toEqual([]);
        expect(sim.received('alerts')[0]).toMatchObject({ outcome: 'rejected', flowPost: 'posted', relay: { action, messageId: '1499999999999' } });
        expect(sim.connectionStats()).toMatchObject({ accepted: 1, posted: 1 });
    });

    it('answers a reply to a reply with 404: a channel thread has one level', async () => {
        const sim = await start();
        const url = sim.relayFlowUrl('prs');
        const root = messageIdOf(await post(url, relayBody({ action: 'post' })));
        const reply = messageIdOf(await post(url, relayBody({ action: 'reply', parentMessageId: root })));
        expect((await post(url, relayBody({ action: 'reply', parentMessageId: reply }))).status).toBe(404);
        expect((await readChannel(sim, 'prs'))[0]?.replies).toHaveLength(1);
    });

    it('does not find one flow\'s message from another flow: each flow has its channel', async () => {
        const sim = await start();
        const id = messageIdOf(await post(sim.relayFlowUrl('alerts'), relayBody({ action: 'post' })));
        expect((await post(sim.relayFlowUrl('deploys'), relayBody({ action: 'update', messageId: id }))).status).toBe(404);
    });

    it.each([
        ['an unknown action, named', { action: 'delete', messageId: '1' }, RELAY_ERROR_CODES.unknownAction, 'relay.action must be post, reply or update, not delete.'],
        ['an action in capitals', { action: 'POST' }, RELAY_ERROR_CODES.unknownAction, 'relay.action must be post, reply or update, not POST.'],
        ['a reply without parentMessageId', { action: 'reply', messageId: '1' }, RELAY_ERROR_CODES.missingId, 'relay.parentMessageId is required when relay.action is reply.'],
        ['an update with an empty messageId', { action: 'update', messageId: '' }, RELAY_ERROR_CODES.missingId, 'relay.messageId is required when relay.action is update.'],
    ])('answers %s with 400, spending no call', async (_case, relay, code, message) => {
        const sim = await start();
        const answer = await post(sim.relayFlowUrl('alerts'), relayBody(relay));
        expect(answer.status).toBe(400);
        expect(errorOf(answer)).toEqual({ code, message });
        expect(sim.received('alerts')[0]).toMatchObject({ outcome: 'rejected', reason: message });
        expect(sim.connectionStats()).toMatchObject({ accepted: 0 });
        expect(await readChannel(sim, 'alerts')).toEqual([]);
    });

    it.each([
        ['no relay', envelope(card()), "Required property 'relay' not found."],
        ['relay not an object', { ...envelope(card()), relay: 'post' }, 'relay must be an object.'],
        ['no relay.action', { ...envelope(card()), relay: { jobId: 'x' } }, "Required property 'relay.action' not found."],
        ['a numeric relay.action', { ...envelope(card()), relay: { action: 1 } }, 'relay.action must be a string.'],
        ['a numeric messageId', { ...envelope(card()), relay: { action: 'update', messageId: 17 } }, 'relay.messageId must be a string.'],
        ['a null jobId', { ...envelope(card()), relay: { action: 'post', jobId: null } }, 'relay.jobId must be a string.'],
        ['a card that is a string', { ...envelope('{"type":"AdaptiveCard"}'), relay: { action: 'post' } }, 'attachments[0].content must be an object.'],
        ['no contentUrl', { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card() }], relay: { action: 'post' } }, "Required property 'contentUrl' not found in attachments[0]."],
        ['not JSON', '{"type":', 'The request body is not valid JSON.'],
    ])('refuses a body with %s as the trigger schema does: 400 TriggerInputSchemaMismatch naming it', async (_case, body, problem) => {
        const sim = await start();
        const answer = await post(sim.relayFlowUrl('alerts'), body);
        expect(answer.status).toBe(400);
        const error = errorOf(answer);
        expect(error.code).toBe(RELAY_ERROR_CODES.schemaMismatch);
        expect(error.message).toContain(problem);
        expect(sim.connectionStats()).toMatchObject({ accepted: 0 });
    });

    it('keeps the connection\'s Flow-bot budget: the 26th call in 300 s is throttled by the connector and answered 429, and the window reopens', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const url = sim.relayFlowUrl('alerts');
        const root = messageIdOf(await post(url, relayBody({ action: 'post' })));
        const statuses: number[] = [];
        for (let call = 1; call < 26; call += 1) {
            clock.advance(10 * SECOND);
            const relay = call % 2 === 0 ? { action: 'update', messageId: root } : { action: 'reply', parentMessageId: root };
            statuses.push((await post(url, relayBody(relay))).status);
        }
        expect(statuses).toEqual([...Array.from({ length: 24 }, () => 200), 429]);
        const throttled = sim.received('alerts').at(-1);
        expect(throttled).toMatchObject({ outcome: 'throttled', flowPost: 'throttled', relay: { action: 'reply', messageId: root } });
        expect(throttled?.reason).toBe(`the Teams connector throttled the flow: its connection is over ${FLOW_BOT_POSTS_LIMIT.max} per ${FLOW_BOT_POSTS_LIMIT.windowMs} ms`);
        expect(errorOf({ status: 429, text: throttled?.answer ?? '', contentType: 'application/json' })).toEqual({
            code: RELAY_ERROR_CODES.teamsActionFailed,
            message: 'The Teams connector could not reply with the card.',
            action: 'reply',
            teamsStatus: 429,
        });
        expect(sim.connectionStats()).toEqual({ flows: ['alerts'], accepted: 26, posted: 25, throttledInFlow: 1, notRendered: 0 });
        expect((await readChannel(sim, 'alerts'))[0]?.replies).toHaveLength(12);
        clock.now = DAY_START + FIVE_MINUTES;
        expect((await post(url, relayBody({ action: 'post' }))).status).toBe(200);
    });

    it('shares the budget with the Workflows flows of the same connection, and keeps another connection\'s apart', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [] });
        for (let i = 0; i < 25; i += 1) await post(sim.workflowsUrl('ops'), envelope(card()));
        expect((await post(sim.relayFlowUrl('alerts'), relayBody({ action: 'post' }))).status).toBe(429);
        expect((await post(sim.relayFlowUrl('alerts', { connection: 'relay-flow-alerts' }), relayBody({ action: 'post' }))).status).toBe(200);
        expect(Object.keys(sim.report().connections)).toEqual(['default', 'relay-flow-alerts']);
        expect(sim.report().webhooks['alerts']).toMatchObject({ dialect: 'relay', delivered: 1, throttled: 1, throttledInFlow: 1, connection: 'relay-flow-alerts' });
    });

    it('refuses a card over the connector\'s size with 413 after spending the call', async () => {
        const sim = await start({ maxBytes: 200 });
        const answer = await post(sim.relayFlowUrl('alerts'), relayBody({ action: 'post' }, textCard('x'.repeat(300))));
        expect(answer.status).toBe(413);
        expect(errorOf(answer)).toMatchObject({ code: RELAY_ERROR_CODES.teamsActionFailed, teamsStatus: 413, action: 'post' });
        expect(sim.connectionStats()).toMatchObject({ accepted: 1, posted: 1 });
    });

    it('posts a card Teams cannot show, answering 200, and counts it as not rendered', async () => {
        const sim = await start();
        messageIdOf(await post(sim.relayFlowUrl('alerts'), relayBody({ action: 'post' }, card('1.5'))));
        expect(sim.received('alerts')[0]).toMatchObject({ rendered: false, reason: 'shown as an error card: attachments[0] has card version 1.5 (above 1.4)' });
        expect(sim.stats('alerts').notRendered).toBe(1);
    });

    it('hands out increasing ids even when the clock stands still', async () => {
        const sim = await start({ clock: () => DAY_START });
        const url = sim.relayFlowUrl('alerts');
        const ids = [];
        for (let i = 0; i < 3; i += 1) ids.push(messageIdOf(await post(url, relayBody({ action: 'post' }))));
        expect(ids).toEqual([DAY_START, DAY_START + 1, DAY_START + 2].map(String));
    });

    it('applies injected faults before the flow runs: a 503 posts nothing', async () => {
        const sim = await start();
        sim.inject('alerts', { fault: 'status503', times: 1 });
        expect((await post(sim.relayFlowUrl('alerts'), relayBody({ action: 'post' }))).status).toBe(503);
        expect(await readChannel(sim, 'alerts')).toEqual([]);
        expect(sim.received('alerts')[0]).toMatchObject({ dialect: 'relay', outcome: 'fault', fault: 'status503' });
    });

    it('serves a channel only for a relay flow it built, by GET only, under an encoded name', async () => {
        const sim = await start();
        expect((await fetch(sim.relayMessagesUrl('nobody'))).status).toBe(404);
        sim.relayFlowUrl('ops/alerts #1');
        expect(await readChannel(sim, 'ops/alerts #1')).toEqual([]);
        expect((await fetch(sim.relayMessagesUrl('ops/alerts #1'), { method: 'POST', body: '{}' })).status).toBe(405);
        expect((await fetch(`${sim.baseUrl}/simulator/relay-flows//messages`)).status).toBe(404);
    });

    it('forgets every channel on reset; the URL stays valid and ids start again from the clock', async () => {
        const sim = await start({ clock: () => DAY_START });
        const url = sim.relayFlowUrl('alerts');
        await post(url, relayBody({ action: 'post' }));
        await post(url, relayBody({ action: 'post' }));
        sim.reset();
        expect(await readChannel(sim, 'alerts')).toEqual([]);
        expect(messageIdOf(await post(url, relayBody({ action: 'post' })))).toBe(String(DAY_START));
    });
});
