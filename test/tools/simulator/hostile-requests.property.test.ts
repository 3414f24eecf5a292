/** Properties of the simulator under hostile requests: any path, query, method and body gets an answer of its kind, and it keeps serving. */
import { request } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TeamsSimulator } from '../../../tools/simulator/index.js';
import { card, envelope, ManualClock, post, textBodyOfSize, useSimulators } from './harness.js';

/** Just over the 1 MiB the simulator reads of a body. */
const OVER_READ_LIMIT_BYTES = 1_024 * 1_024 + 1;

/** Sends one raw request on a keep-alive connection (the path as given, not normalised as `fetch` would) and returns the status. */
function rawRequest(baseUrl: string, method: string, pathAndQuery: string, body: string): Promise<number> {
    const payload = method === 'GET' ? '' : body;
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) };
    return new Promise((resolve, reject) => {
        const sent = request(`${baseUrl}${pathAndQuery}`, { method, headers }, (response) => {
            response.resume();
            response.on('end', () => {
                resolve(response.statusCode ?? 0);
            });
        });
        sent.on('error', reject);
        sent.end(payload);
    });
}

const segment = fc.oneof(
    fc.constantFrom('workflows', 'triggers', 'manual', 'paths', 'invoke', 'powerautomate', 'automations', 'direct', 'cu', '7', 'webhookb2', 'simulator', 'stats', '', '..', '.'),
    fc.string({ maxLength: 12 }).map((text) => encodeURIComponent(text)),
);
const path = fc.oneof(
    fc.array(segment, { maxLength: 12 }).map((segments) => `/${segments.join('/')}`),
    fc.tuple(fc.constantFrom('/workflows/', '/powerautomate/automations/direct/cu/3/workflows/', '/powerautomate/automations/direct/workflows/'), segment).map(
        ([prefix, id]) => `${prefix}${id}/triggers/manual/paths/invoke`,
    ),
);
const query = fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }).map((text) => `?${encodeURI(text).replace(/#/g, '%23')}`), fc.string().map((name) => `?sig=x&connection=${encodeURIComponent(name)}`));
const body = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc.record({ type: fc.constantFrom('message', 'card'), attachments: fc.array(fc.anything({ maxDepth: 3 }), { maxLength: 3 }) }).map((json) => JSON.stringify(json)),
    fc.constantFrom(JSON.stringify(envelope(card())), JSON.stringify(envelope(card('1.6')))),
);
const method = fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH');

const WEBHOOK_PATH = /^(?:\/powerautomate\/automations\/direct(?:\/cu\/\d+)?)?\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke\/?$/;
/** A connector webhook path: `/webhookb2/` and something after it (the bare prefix is no webhook). */
const CONNECTOR_PATH = /^\/webhookb2\/./;

describe('the simulator under hostile requests', () => {
    const start = useSimulators();

    it('answers every request with a status of its kind and goes on serving', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        await fc.assert(
            fc.asyncProperty(method, path, query, body, async (verb, pathOnly, search, text) => {
                clock.advance(2_000);
                const status = await rawRequest(sim.baseUrl, verb, `${pathOnly}${search}`, text);
                const resolved = new URL(`http://localhost${pathOnly}${search}`).pathname;
                if (resolved === '/simulator/stats') expect(status).toBe(verb === 'GET' ? 200 : 405);
                else if (WEBHOOK_PATH.test(resolved)) expect(verb === 'POST' ? [202, 400, 413, 429] : [405]).toContain(status);
                else if (CONNECTOR_PATH.test(resolved)) expect(verb === 'POST' ? [200, 400, 413] : [405]).toContain(status);
                else expect(status).toBe(404);
            }),
            // The bare connector prefix, reached through a dot segment: no webhook, so 404.
            { numRuns: 150, examples: [['POST', '/webhookb2/.', '?sig=x&connection=', '{"type":"message","attachments":[]}']] },
        );
        for (const record of sim.received()) {
            expect(typeof record.connection === 'string' ? record.connection.trim() : 'none').not.toBe('');
        }
        const report = sim.report();
        expect(report.totals.total).toBe(sim.received().length);
        expect(Object.values(report.connections).reduce((sum, connection) => sum + connection.accepted, 0)).toBe(
            sim.received().filter((record) => record.flowPost !== undefined).length,
        );
        clock.advance(2_000);
        expect((await post(sim.workflowsUrl('after'), envelope(card()))).status).toBe(202);
    });

    it('answers every body sent to a relay flow with 200, or a JSON error naming the problem, posting only what it answered 200', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read });
        const url = sim.relayFlowUrl('relay');
        const relayBody = fc.oneof(
            body,
            fc.record({ action: fc.oneof(fc.constantFrom('post', 'reply', 'update'), fc.string()), messageId: fc.anything(), parentMessageId: fc.string(), jobId: fc.anything() }, { requiredKeys: [] }).map(
                (relay) => JSON.stringify({ ...envelope(card()), relay }),
            ),
        );
        await fc.assert(
            fc.asyncProperty(relayBody, async (text) => {
                clock.advance(20_000);
                const answer = await post(url, text);
                expect([200, 400, 404]).toContain(answer.status);
                const json = JSON.parse(answer.text) as { messageId?: unknown; error?: { code?: unknown; message?: unknown } };
                if (answer.status === 200) expect(typeof json.messageId).toBe('string');
                else expect([typeof json.error?.code, (json.error?.message as string).length > 0]).toEqual(['string', true]);
            }),
            { numRuns: 150 },
        );
        const answered = sim.received('relay').filter((record) => record.status === 200 && record.relay?.action !== 'update').length;
        expect(sim.relayMessages('relay').reduce((count, message) => count + 1 + message.replies.length, 0)).toBe(answered);
        expect((await fetch(sim.relayMessagesUrl('relay'))).status).toBe(200);
    });

    it('counts a flow\'s posts against the connection its URL names, whatever the name', async () => {
        const clock = new ManualClock();
        const sim = await start({ clock: clock.read, limits: [] });
        await fc.assert(
            fc.asyncProperty(fc.string({ maxLength: 30 }), async (name) => {
                const before = sim.received().length;
                const status = await rawRequest(sim.baseUrl, 'POST', `${new URL(sim.workflowsUrl('ops')).pathname}?sig=x&connection=${encodeURIComponent(name)}`, JSON.stringify(envelope(card())));
                expect(status).toBe(202);
                const record = sim.received()[before];
                expect(record?.connection).toBe(name.trim() === '' ? 'default' : name);
                expect(sim.report().connections[record?.connection ?? '']?.flows).toContain('ops');
            }),
            { numRuns: 100 },
        );
    });

    it.each([
        ['a connector URL', (sim: TeamsSimulator) => sim.connectorUrl('ops'), 'connector', 200, /HTTP error 413/],
        ['a Workflows URL', (sim: TeamsSimulator) => sim.workflowsUrl('ops'), 'workflows', 413, /RequestEntityTooLarge/],
        ['a relay flow URL', (sim: TeamsSimulator) => sim.relayFlowUrl('ops'), 'relay', 413, /RequestEntityTooLarge/],
    ])('refuses a body longer than it reads (1 MiB) on %s, unread, with the 413 of its kind', async (_, urlOf, dialect, status, answer) => {
        const sim = await start();
        const reply = await post(urlOf(sim), textBodyOfSize(OVER_READ_LIMIT_BYTES));
        expect(reply.status).toBe(status);
        expect(reply.text).toMatch(answer);
        expect(sim.received()).toMatchObject([{ dialect, outcome: 'rejected', reason: 'body too large to read' }]);
    });
});
