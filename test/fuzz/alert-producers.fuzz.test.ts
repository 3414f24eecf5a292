/** Properties of the alert producer endpoints under hostile bodies: every answer is 202, 400 or (over 1 MiB) 413, and every job they enqueue passes the send-time check. */
import { HttpRequest, InvocationContext } from '@azure/functions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJob } from '../../shared/notify/accept.js';
import type { NotificationJob } from '../../shared/notify/jobs.js';
import { alertmanagerProducer } from '../../shared/notify/producers/alertmanager.js';
import { answerProducerHook, type ProducerEndpoint } from '../../shared/notify/producers/endpoint.js';
import { grafanaProducer } from '../../shared/notify/producers/grafana.js';
import { loadConfig } from '../../shared/config.js';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/platform/http.js';
import { fixtureBytes } from '../support/fixtures.js';

/** One connector and one Workflows alias, so every job is checked against both dialects' rules. */
const config = loadConfig({
    TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
    TEAMS_WEBHOOK_FLOW: 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
    ROUTES_ALERTS: 'team=db:flow;*:ops',
});

const PRODUCERS: readonly [ProducerEndpoint, string][] = [
    [alertmanagerProducer, 'producers/alertmanager/firing.json'],
    [grafanaProducer, 'producers/grafana/firing-with-image.json'],
];

const context = () => new InvocationContext({ functionName: 'hooks', invocationId: 'fuzz', logHandler: () => undefined });

/** Posts `body` to the producer with an in-memory queue, then checks the answer and every job it enqueued. */
async function postAndCheck(producer: ProducerEndpoint, body: string, query: string): Promise<number | undefined> {
    const enqueued: NotificationJob[] = [];
    const request = new HttpRequest({ method: 'POST', url: `http://localhost/api/hooks/${producer.name}${query}`, body: { string: body } });
    const response = await answerProducerHook(producer, request, context(), {
        config,
        enqueue: (job) => {
            enqueued.push(job);
            return Promise.resolve();
        },
    });
    expect([202, 400, 413]).toContain(response.status);
    if (response.status === 202) {
        expect((response.jsonBody as { ids: string[] }).ids).toEqual(enqueued.map((job) => job.id));
    } else {
        expect(enqueued).toEqual([]);
    }
    for (const job of enqueued) {
        const checked = await checkJob(job, config);
        expect(checked.ok ? [] : checked.problems).toEqual([]);
    }
    return response.status;
}

/** Text a producer could put anywhere: HTML, mentions, Markdown, control and astral characters, long runs. */
const hostileText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('<at>Ada</at>', '<<at>at>x</at>', '<script>alert(1)</script>', '[x](javascript:alert(1))', '${title}', '\u0000\u001b[31m', '🔥'.repeat(50), '__proto__', 'constructor'),
    fc.integer({ min: 1_000, max: 40_000 }).map((length) => '<b>x</b>'.repeat(Math.ceil(length / 8))),
);

const hostileLabels = fc.dictionary(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('severity', 'alertname', 'team', '__proto__')), hostileText, { maxKeys: 8 });

/** An alert in the documented shape, with hostile texts and labels. */
const hostileAlert = fc.record(
    {
        status: fc.constantFrom('firing', 'resolved'),
        labels: hostileLabels,
        annotations: fc.dictionary(fc.constantFrom('summary', 'description', 'runbook_url'), hostileText),
        startsAt: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), hostileText),
        endsAt: fc.constant('0001-01-01T00:00:00Z'),
        generatorURL: fc.oneof(fc.webUrl(), hostileText),
        fingerprint: fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'), minLength: 16, maxLength: 16 }),
        values: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.double(), fc.constant(null))),
        valueString: hostileText,
        panelURL: fc.oneof(fc.webUrl(), hostileText),
        imageURL: fc.oneof(fc.webUrl({ validSchemes: ['https', 'http'] }), hostileText),
    },
    { requiredKeys: ['status', 'labels'] },
);

/** A notification in the documented shape whose every text and list may be hostile. */
const hostileGroup = fc.record(
    {
        version: fc.constant('4'),
        groupKey: hostileText,
        truncatedAlerts: fc.nat(100_000),
        status: fc.constantFrom('firing', 'resolved'),
        receiver: hostileText,
        commonLabels: hostileLabels,
        commonAnnotations: fc.dictionary(fc.constantFrom('summary', 'description', 'runbook_url'), hostileText),
        externalURL: fc.oneof(fc.webUrl(), hostileText),
        orgId: fc.nat(),
        alerts: fc.array(hostileAlert, { minLength: 1, maxLength: 120 }),
    },
    { requiredKeys: ['groupKey', 'status', 'alerts'] },
);

describe.each(PRODUCERS)('POST /api/hooks/%s under hostile bodies', (producer, fixturePath) => {
    const fixture = JSON.parse(fixtureBytes(fixturePath).toString('utf8')) as Record<string, unknown>;

    it('answers 400 to any JSON that is not a notification, and to text that is not JSON', async () => {
        await fc.assert(
            fc.asyncProperty(fc.oneof(fc.jsonValue().map((value) => JSON.stringify(value)), fc.string({ unit: 'binary' })), async (body) => {
                expect(await postAndCheck(producer, body, '?to=ops')).toBe(400);
            }),
            { numRuns: 150 },
        );
    });

    it('answers 202 or 400 to near-valid notifications (fields of wrong types, fields missing) and enqueues only sendable jobs', async () => {
        const keys = Object.keys(fixture);
        const nearValid = fc
            .record({
                replaced: fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
                removed: fc.subarray(keys, { maxLength: 2 }),
                alertPatch: fc.dictionary(fc.constantFrom('status', 'labels', 'annotations', 'startsAt', 'fingerprint', 'values', 'imageURL'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
            })
            .map(({ replaced, removed, alertPatch }) => {
                const body = Object.fromEntries(Object.entries({ ...fixture, ...replaced }).filter(([key]) => !removed.includes(key)));
                const alerts: unknown = body.alerts;
                if (Array.isArray(alerts) && typeof alerts[0] === 'object') {
                    body.alerts = [{ ...(alerts[0] as object), ...alertPatch }, ...(alerts.slice(1) as unknown[])];
                }
                return JSON.stringify(body);
            });
        await fc.assert(fc.asyncProperty(nearValid, fc.constantFrom('?to=ops', '?to=flow', '?to=ops,flow', ''), async (body, query) => {
            await postAndCheck(producer, body, query);
        }), { numRuns: 60 });
    });

    it('enqueues a sendable card for a documented-shape notification full of hostile texts, huge labels and many alerts, and answers 413 only over 1 MiB', async () => {
        await fc.assert(
            fc.asyncProperty(hostileGroup, async (group) => {
                const body = JSON.stringify(group);
                const expected = Buffer.byteLength(body) > MAX_REQUEST_BODY_BYTES ? 413 : 202;
                expect(await postAndCheck(producer, body, '?to=ops,flow')).toBe(expected);
            }),
            { numRuns: 20 },
        );
    });
});
