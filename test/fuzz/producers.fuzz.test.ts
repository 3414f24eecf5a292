/** Properties of the Azure Monitor and GitHub converters and endpoints under hostile input: total, and every job they make deliverable. */
import { HttpRequest, InvocationContext } from '@azure/functions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hooksAzureMonitor } from '../../functions/hooks-azure-monitor.js';
import { hooksGitHub } from '../../functions/hooks-github.js';
import { checkJob } from '../../shared/notify/accept.js';
import { convertAzureMonitorAlert } from '../../shared/notify/producers/azure-monitor.js';
import type { Conversion } from '../../shared/notify/producers/conversion.js';
import { producerJob } from '../../shared/notify/producers/endpoint.js';
import { convertGitHubDelivery } from '../../shared/notify/producers/github.js';
import { signGitHubBody } from '../../shared/notify/producers/github-signature.js';
import { loadConfig } from '../../shared/config.js';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/platform/http.js';
import { AZURE_MONITOR_SAMPLES, fixtureBytes } from '../support/fixtures.js';
import { useHookQueue } from '../support/hook-queue.js';

const WEBHOOKS = {
    TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
    TEAMS_WEBHOOK_FLOW: 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
};
const CONFIG = loadConfig(WEBHOOKS);
const SECRET = 'fuzz-secret';

const GITHUB_FIXTURES: readonly (readonly [string, string])[] = [
    ['pull_request', 'pull-request-opened'],
    ['pull_request', 'pull-request-review-requested'],
    ['pull_request', 'pull-request-merged'],
    ['workflow_run', 'workflow-run-completed-failure'],
    ['workflow_job', 'workflow-job-completed-failure'],
    ['deployment_status', 'deployment-status-success'],
    ['release', 'release-published'],
    ['ping', 'ping'],
];

const parsedFixture = (path: string): Record<string, unknown> => JSON.parse(fixtureBytes(path).toString('utf8')) as Record<string, unknown>;

/** Text a producer should never send, and sometimes does: HTML, template expressions, control characters, other scripts, links that are not http(s), and a lot of it. */
const hostileString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '${title}',
        '${$root.url}',
        '{{ .Labels }}',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'https://',
        '\u0000\u001f\u007f\u2028',
        '\ud800',
        '<!--',
        '',
        '   ',
        '__proto__',
    ),
    fc.tuple(fc.constantFrom('x', '字', '😀', '<b>', '"', '\\', '\n'), fc.integer({ min: 1_000, max: 60_000 })).map(([unit, count]) => unit.repeat(count)),
    fc.webUrl().map((url) => `${url}/${'a'.repeat(2_000)}`),
);

/** Any JSON value, with hostile strings and long arrays among them. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
    hostileString,
    fc.jsonValue({ maxDepth: 4 }),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e308, null, true),
    fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 3_000 })).map(([item, count]) => Array.from({ length: count }, () => item)),
    fc.integer({ min: 0, max: 2_000 }).map((count) => Array.from({ length: count }, (_, index) => ({ name: `d${index}`, value: `v${index}`, login: `user-${index}` }))),
    fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 30 }),
);

/** Sets `value` at a dotted path, creating objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
    const keys = path.split('.');
    let node: Record<string, unknown> = target;
    for (const key of keys.slice(0, -1)) {
        const next = node[key];
        if (typeof next !== 'object' || next === null) {
            node[key] = {};
        }
        node = node[key] as Record<string, unknown>;
    }
    Object.defineProperty(node, keys.at(-1) ?? '', { value, enumerable: true, writable: true, configurable: true });
}

const AZURE_PATHS = [
    'schemaId',
    'data',
    'data.essentials',
    'data.essentials.alertId',
    'data.essentials.alertRule',
    'data.essentials.severity',
    'data.essentials.monitorCondition',
    'data.essentials.monitoringService',
    'data.essentials.alertTargetIDs',
    'data.essentials.configurationItems',
    'data.essentials.firedDateTime',
    'data.essentials.resolvedDateTime',
    'data.essentials.description',
    'data.alertContext',
    'data.alertContext.conditionType',
    'data.alertContext.condition',
    'data.alertContext.condition.windowSize',
    'data.alertContext.condition.allOf',
    'data.alertContext.condition.allOf.0.metricName',
    'data.alertContext.condition.allOf.0.operator',
    'data.alertContext.condition.allOf.0.threshold',
    'data.alertContext.condition.allOf.0.metricValue',
    'data.alertContext.condition.allOf.0.dimensions',
    'data.alertContext.condition.allOf.0.searchQuery',
    'data.alertContext.condition.allOf.0.linkToFilteredSearchResultsUI',
    'data.alertContext.SearchQuery',
    'data.alertContext.ResultCount',
    'data.alertContext.LinkToFilteredSearchResultsUI',
    'data.alertContext.operationName',
    'data.alertContext.properties',
    'data.alertContext.properties.title',
    'data.alertContext.properties.communication',
    'data.alertContext.AlertData',
    'data.alertContext.AlertData.BudgetName',
    'data.alertContext.DetectionSummary',
    'data.customProperties',
];

const GITHUB_PATHS = [
    'action',
    'number',
    'pull_request',
    'pull_request.title',
    'pull_request.body',
    'pull_request.html_url',
    'pull_request.user',
    'pull_request.head.ref',
    'pull_request.additions',
    'pull_request.requested_reviewers',
    'requested_reviewer',
    'requested_reviewer.login',
    'requested_team.name',
    'repository',
    'repository.full_name',
    'repository.name',
    'workflow_run',
    'workflow_run.id',
    'workflow_run.name',
    'workflow_run.conclusion',
    'workflow_run.html_url',
    'workflow_run.head_commit.message',
    'workflow_run.run_started_at',
    'workflow_job.steps',
    'workflow_job.name',
    'deployment_status.state',
    'deployment_status.environment_url',
    'deployment_status.log_url',
    'deployment.ref',
    'deployment.id',
    'release.body',
    'release.tag_name',
    'release.name',
    'release.html_url',
];

const mutations = (paths: readonly string[]) => fc.array(fc.tuple(fc.constantFrom(...paths), hostileValue), { minLength: 1, maxLength: 6 });

/** A documented payload with some of its fields replaced by hostile values. */
const nearValidAzure = fc.tuple(fc.constantFrom(...AZURE_MONITOR_SAMPLES), mutations(AZURE_PATHS)).map(([name, changes]) => {
    const body = parsedFixture(`producers/azure-monitor/${name}.json`);
    changes.forEach(([path, value]) => { setPath(body, path, value); });
    return body;
});

const nearValidGitHub = fc.tuple(fc.constantFrom(...GITHUB_FIXTURES), mutations(GITHUB_PATHS)).map(([[event, name], changes]) => {
    const body = parsedFixture(`producers/github/${name}.json`);
    changes.forEach(([path, value]) => { setPath(body, path, value); });
    return { event, body };
});

const anyBody = fc.oneof(fc.jsonValue({ maxDepth: 6 }), hostileValue);

/** Every job of a conversion passes the checks the endpoint and the sender make, for both kinds of destination. */
async function expectWellFormed(conversion: Conversion, producer: string): Promise<void> {
    if (conversion.kind === 'invalid') {
        expect(conversion.problems.length).toBeGreaterThan(0);
        conversion.problems.forEach((problem) => { expect(problem).toMatch(/^[\w.@[\]-]+: |^X-GitHub-(Event|Delivery): /); });
        return;
    }
    if (conversion.kind !== 'jobs') {
        expect(conversion.event.length).toBeGreaterThan(0);
        return;
    }
    expect(conversion.jobs.length).toBeGreaterThan(0);
    for (const produced of conversion.jobs) {
        for (const alias of ['ops', 'flow']) {
            const checked = await checkJob(producerJob(producer, alias, produced), CONFIG);
            expect(checked.ok ? [] : checked.problems).toEqual([]);
        }
    }
}

const RUNS = 60;

describe('convertAzureMonitorAlert under hostile input', () => {
    it('never throws on any JSON value, and names a field in every problem', async () => {
        await fc.assert(fc.asyncProperty(anyBody, async (body) => expectWellFormed(convertAzureMonitorAlert(body), 'azure-monitor')), { numRuns: 200 });
    });

    it('turns near-valid payloads into jobs Teams accepts, or names what is wrong', async () => {
        await fc.assert(fc.asyncProperty(nearValidAzure, async (body) => expectWellFormed(convertAzureMonitorAlert(body), 'azure-monitor')), { numRuns: RUNS });
    });
});

describe('convertGitHubDelivery under hostile input', () => {
    const mentionMap = new Map(Array.from({ length: 50 }, (_, index) => [`user-${index}`, `u${index}@contoso.com`]));

    it('never throws on any event, delivery id and body, and names a field in every problem', async () => {
        const delivery = fc.record({
            event: fc.oneof(fc.constantFrom('pull_request', 'workflow_run', 'workflow_job', 'deployment_status', 'release', 'ping', 'push'), fc.string({ unit: 'binary' }), fc.constant(undefined)),
            deliveryId: fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 200 }), fc.constant(undefined)),
            body: anyBody,
        });
        await fc.assert(fc.asyncProperty(delivery, async (input) => expectWellFormed(convertGitHubDelivery(input, mentionMap), 'github')), { numRuns: 200 });
    });

    it('turns near-valid deliveries into jobs Teams accepts, or names what is wrong', async () => {
        await fc.assert(
            fc.asyncProperty(nearValidGitHub, fc.uuid(), async ({ event, body }, deliveryId) => expectWellFormed(convertGitHubDelivery({ event, deliveryId, body }, mentionMap), 'github')),
            { numRuns: RUNS },
        );
    });
});

describe('the endpoints under hostile requests', () => {
    useHookQueue('producers-fuzz', { ...WEBHOOKS, GITHUB_WEBHOOK_SECRET: SECRET });

    const context = () => new InvocationContext({ functionName: 'hooks-fuzz', invocationId: 'fuzz', logHandler: () => undefined });
    const rawBody = fc.oneof(
        anyBody.map((value) => Buffer.from(JSON.stringify(value))),
        fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    );

    /** The answers a request may get: 413 only for a body over the limit. */
    const allowed = (bytes: Buffer, answers: readonly number[]): number[] => (bytes.length > MAX_REQUEST_BODY_BYTES ? [413] : [...answers]);

    it('answers Azure Monitor with 202 or 400 (413 over 1 MiB), never anything else', async () => {
        const body = fc.oneof(nearValidAzure.map((value) => Buffer.from(JSON.stringify(value))), rawBody);
        const query = fc.constantFrom('?to=ops', '?to=ops,flow', '?to=nope', '', '?to=https://evil.example');
        await fc.assert(
            fc.asyncProperty(body, query, async (bytes, search) => {
                const request = new HttpRequest({ method: 'POST', url: `http://localhost/api/hooks/azure-monitor${search}`, headers: { 'content-type': 'application/json' }, body: { bytes } });
                const response = await hooksAzureMonitor(request, context());
                expect(allowed(bytes, [202, 400])).toContain(response.status);
            }),
            { numRuns: RUNS },
        );
    });

    it('answers GitHub with 200, 202, 400 or 401 (413 over 1 MiB), and 401 whenever the signature is not the secret', async () => {
        const request = fc.record({
            delivery: fc.oneof(nearValidGitHub.map(({ event, body }) => ({ event, bytes: Buffer.from(JSON.stringify(body)) })), fc.record({ event: fc.string({ maxLength: 30 }), bytes: rawBody })),
            signed: fc.constantFrom('secret', 'other', 'none'),
            deliveryId: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
        });
        await fc.assert(
            fc.asyncProperty(request, async ({ delivery, signed, deliveryId }) => {
                const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': delivery.event, 'x-github-delivery': deliveryId };
                if (signed !== 'none') {
                    headers['x-hub-signature-256'] = signGitHubBody(delivery.bytes, signed === 'secret' ? SECRET : 'not the secret');
                }
                const response = await hooksGitHub(new HttpRequest({ method: 'POST', url: 'http://localhost/api/hooks/github?to=ops', headers, body: { bytes: delivery.bytes } }), context());
                expect(allowed(delivery.bytes, [200, 202, 400, 401])).toContain(response.status);
                if (signed !== 'secret' && delivery.bytes.length <= MAX_REQUEST_BODY_BYTES) {
                    expect(response.status).toBe(401);
                }
            }),
            { numRuns: RUNS },
        );
    });
});
