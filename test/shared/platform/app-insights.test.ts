// The Application Insights exporter against a local stand-in for the ingestion endpoint: envelopes, batching, Entra ID auth, failures, settings.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { InvocationContext } from '@azure/functions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
    createAppInsightsExporter,
    createTelemetrySink,
    DEFAULT_CLOUD_ROLE,
    EXPORT_LIMITS,
    INGESTION_TOKEN_SCOPE,
    noopTelemetrySink,
    parseAuthenticationString,
    parseConnectionString,
    type ConnectionSettings,
    type Envelope,
} from '../../../shared/platform/app-insights.js';

/** A fixed clock: 2024-05-01T12:00:00.000Z. */
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

const IKEY = '11111111-2222-3333-4444-555555555555';

/** One request the stand-in received. */
interface Received {
    readonly method: string | undefined;
    readonly url: string | undefined;
    readonly headers: IncomingHttpHeaders;
    readonly envelopes: Envelope[];
}

/** A local ingestion endpoint that records every request and answers from a script (200 once the script is used up). */
class IngestionStandIn {
    readonly received: Received[] = [];
    private readonly answers: { status: number; body: string }[] = [];
    private constructor(private readonly server: Server) {}

    static async start(): Promise<IngestionStandIn> {
        const standIn: IngestionStandIn = new IngestionStandIn(
            createServer((request, response) => {
                const chunks: Buffer[] = [];
                request.on('data', (chunk: Buffer) => chunks.push(chunk));
                request.on('end', () => {
                    standIn.received.push({
                        method: request.method,
                        url: request.url,
                        headers: request.headers,
                        envelopes: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope[],
                    });
                    const answer = standIn.answers.shift() ?? { status: 200, body: '{"itemsReceived":1,"itemsAccepted":1,"errors":[]}' };
                    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
                });
            }),
        );
        standIn.server.listen(0, '127.0.0.1');
        await once(standIn.server, 'listening');
        return standIn;
    }

    get connectionString(): string {
        const { port } = this.server.address() as AddressInfo;
        return `InstrumentationKey=${IKEY};IngestionEndpoint=http://127.0.0.1:${port}/;LiveEndpoint=http://127.0.0.1:${port}/live`;
    }

    get connection(): ConnectionSettings {
        const connection = parseConnectionString(this.connectionString);
        if (connection === undefined) throw new Error('the stand-in connection string does not parse');
        return connection;
    }

    answer(status: number, body = '', times = 1): void {
        for (let index = 0; index < times; index += 1) this.answers.push({ status, body });
    }

    get items(): Envelope[] {
        return this.received.flatMap((request) => request.envelopes);
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((done) => this.server.close(() => { done(); }));
    }
}

/** A credential that hands out numbered tokens valid for an hour and counts its calls. */
function countingCredential(): TokenCredential & { readonly scopes: (string | string[])[] } {
    const scopes: (string | string[])[] = [];
    return {
        scopes,
        getToken(scope: string | string[]): Promise<AccessToken> {
            scopes.push(scope);
            return Promise.resolve({ token: `token-${scopes.length}`, expiresOnTimestamp: NOW + 3_600_000 });
        },
    };
}

let ingestion: IngestionStandIn;

beforeEach(async () => {
    ingestion = await IngestionStandIn.start();
});

afterEach(async () => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await ingestion.stop();
});

describe('parseConnectionString', () => {
    it.each([
        [
            'InstrumentationKey=k1;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=a',
            { instrumentationKey: 'k1', trackUrl: 'https://westeurope-5.in.applicationinsights.azure.com/v2.1/track' },
        ],
        ['instrumentationkey=k2;ingestionendpoint=https://ingest.example', { instrumentationKey: 'k2', trackUrl: 'https://ingest.example/v2.1/track' }],
        [' INSTRUMENTATIONKEY = k3 ; ', { instrumentationKey: 'k3', trackUrl: 'https://dc.services.visualstudio.com/v2.1/track' }],
        ['InstrumentationKey=k4;IngestionEndpoint=https://proxy.example/ai/', { instrumentationKey: 'k4', trackUrl: 'https://proxy.example/ai/v2.1/track' }],
        [
            'InstrumentationKey=k5;EndpointSuffix=applicationinsights.azure.cn;Location=chinaeast2',
            { instrumentationKey: 'k5', trackUrl: 'https://chinaeast2.dc.applicationinsights.azure.cn/v2.1/track' },
        ],
        ['InstrumentationKey=k6;EndpointSuffix=applicationinsights.us', { instrumentationKey: 'k6', trackUrl: 'https://dc.applicationinsights.us/v2.1/track' }],
    ])('reads %s', (text, expected) => {
        expect(parseConnectionString(text)).toEqual(expected);
    });

    it.each([
        ['nothing', undefined],
        ['an empty string', ''],
        ['no instrumentation key', 'IngestionEndpoint=https://ingest.example/'],
        ['an empty instrumentation key', 'InstrumentationKey=;IngestionEndpoint=https://ingest.example/'],
        ['an endpoint that is not a URL', 'InstrumentationKey=k;IngestionEndpoint=not a url'],
        ['an endpoint that is not http(s)', 'InstrumentationKey=k;IngestionEndpoint=ftp://ingest.example/'],
    ])('refuses %s', (_name, text) => {
        expect(parseConnectionString(text)).toBeUndefined();
    });
});

describe('parseAuthenticationString', () => {
    it.each([
        ['Authorization=AAD;ClientId=abc', { kind: 'aad', clientId: 'abc' }],
        ['ClientId=abc;Authorization=AAD', { kind: 'aad', clientId: 'abc' }],
        ['authorization=aad;clientid=abc', { kind: 'aad', clientId: 'abc' }],
        ['Authorization=AAD', { kind: 'aad', clientId: undefined }],
        ['Authorization=Key;ClientId=abc', { kind: 'none' }],
        ['ClientId=abc', { kind: 'none' }],
        ['', { kind: 'none' }],
        [undefined, { kind: 'none' }],
    ])('reads %s', (text, expected) => {
        expect(parseAuthenticationString(text)).toEqual(expected);
    });
});

describe('the exporter', () => {
    it('posts custom events and metrics as documented track-API envelopes', async () => {
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' }, cloudRole: 'relay-prod', now: () => NOW });
        sink.event('delivered', { jobId: 'deploy-4711', attempt: 1, digest: false, status: undefined });
        sink.metric('teams-relay.wait', 1500, { event: 'deferred' });
        await sink.flush();

        expect(ingestion.received).toHaveLength(1);
        const [request] = ingestion.received;
        expect(request?.method).toBe('POST');
        expect(request?.url).toBe('/v2.1/track');
        expect(request?.headers['content-type']).toBe('application/json');
        expect(request?.headers.authorization).toBeUndefined();
        expect(request?.envelopes).toEqual([
            {
                name: 'Microsoft.ApplicationInsights.Event',
                time: '2024-05-01T12:00:00.000Z',
                iKey: IKEY,
                tags: { 'ai.cloud.role': 'relay-prod' },
                data: { baseType: 'EventData', baseData: { ver: 2, name: 'delivered', properties: { jobId: 'deploy-4711', attempt: '1', digest: 'false' } } },
            },
            {
                name: 'Microsoft.ApplicationInsights.Metric',
                time: '2024-05-01T12:00:00.000Z',
                iKey: IKEY,
                tags: { 'ai.cloud.role': 'relay-prod' },
                data: { baseType: 'MetricData', baseData: { ver: 2, metrics: [{ name: 'teams-relay.wait', value: 1500 }], properties: { event: 'deferred' } } },
            },
        ]);
    });

    it('sends a batch as soon as 50 items are queued, without a flush', async () => {
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' } });
        for (let index = 0; index < EXPORT_LIMITS.maxBatchItems + 1; index += 1) sink.event('accepted', { jobId: `job-${index}` });
        await vi.waitFor(() => {
            expect(ingestion.received).toHaveLength(1);
        });
        expect(ingestion.received[0]?.envelopes).toHaveLength(EXPORT_LIMITS.maxBatchItems);
        await sink.flush();
        expect(ingestion.received.map((request) => request.envelopes.length)).toEqual([EXPORT_LIMITS.maxBatchItems, 1]);
    });

    it('sends what is queued 5 s after the first item, and not before', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        const fetchSpy = vi.spyOn(globalThis, 'fetch');
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' } });
        sink.event('mention', { command: 'ping' });
        sink.metric('teams-relay.mention.duration', 12, { command: 'ping' });
        await vi.advanceTimersByTimeAsync(EXPORT_LIMITS.flushIntervalMs - 1);
        expect(fetchSpy).not.toHaveBeenCalled();
        await vi.advanceTimersByTimeAsync(1);
        expect(fetchSpy).toHaveBeenCalledTimes(1);
        vi.useRealTimers();
        await sink.flush();
        expect(ingestion.items.map((item) => item.name)).toEqual(['Microsoft.ApplicationInsights.Event', 'Microsoft.ApplicationInsights.Metric']);
    });

    it('authenticates with a Bearer token for the Azure Monitor scope, fetched once while valid', async () => {
        const credential = countingCredential();
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'aad', clientId: 'abc' }, credential, now: () => NOW });
        sink.event('sweep', { woken: 0 });
        await sink.flush();
        sink.event('sweep', { woken: 1 });
        await sink.flush();
        expect(ingestion.received.map((request) => request.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
        expect(credential.scopes).toEqual([INGESTION_TOKEN_SCOPE]);
        expect(INGESTION_TOKEN_SCOPE).toBe('https://monitor.azure.com//.default');
    });

    it('retries a batch the endpoint fails with 500, drops it after 3 attempts and never throws', async () => {
        ingestion.answer(500, '{"error":"internal"}', 10);
        const logError = vi.fn<(message: string) => void>();
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' }, logError, now: () => NOW });
        sink.event('dead-lettered', { jobId: 'j' });
        for (let attempt = 0; attempt < EXPORT_LIMITS.maxAttempts + 1; attempt += 1) {
            await expect(sink.flush()).resolves.toBeUndefined();
        }
        expect(ingestion.received).toHaveLength(EXPORT_LIMITS.maxAttempts);
        expect(ingestion.received.every((request) => request.envelopes[0]?.data.baseData.ver === 2)).toBe(true);
        expect(logError).toHaveBeenCalledTimes(1);
        expect(logError.mock.calls[0]?.[0]).toContain('answered 500');
    });

    it('logs export errors at most once a minute, counting the rest', async () => {
        ingestion.answer(503, '', 10);
        let now = NOW;
        const logError = vi.fn<(message: string) => void>();
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' }, logError, now: () => now });
        sink.event('drained', {});
        await sink.flush();
        await sink.flush();
        now += EXPORT_LIMITS.errorLogIntervalMs;
        await sink.flush();
        expect(logError).toHaveBeenCalledTimes(2);
        expect(logError.mock.calls[1]?.[0]).toMatch(/dropped after 3 attempts \(1 more export errors/);
    });

    it('drops at once a batch the endpoint refuses as invalid (400)', async () => {
        ingestion.answer(400, '{"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":400,"message":"bad"}]}');
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' }, logError: () => undefined });
        sink.event('sweep', {});
        await sink.flush();
        await sink.flush();
        expect(ingestion.received).toHaveLength(1);
    });

    it('after a partial success (206) sends again only the items refused for a retryable reason', async () => {
        ingestion.answer(206, '{"itemsReceived":3,"itemsAccepted":1,"errors":[{"index":1,"statusCode":500,"message":"later"},{"index":2,"statusCode":400,"message":"bad"}]}');
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'none' }, logError: () => undefined });
        sink.event('a', {});
        sink.event('b', {});
        sink.event('c', {});
        await sink.flush();
        await sink.flush();
        expect(ingestion.received.map((request) => request.envelopes.map((item) => (item.data.baseData as { name: string }).name))).toEqual([['a', 'b', 'c'], ['b']]);
    });

    it('keeps the batch when no token can be had, and never throws', async () => {
        const logError = vi.fn<(message: string) => void>();
        const credential: TokenCredential = { getToken: () => Promise.reject(new Error('no managed identity here')) };
        const sink = createAppInsightsExporter({ connection: ingestion.connection, authentication: { kind: 'aad', clientId: undefined }, credential, logError });
        sink.event('sweep', {});
        await expect(sink.flush()).resolves.toBeUndefined();
        expect(ingestion.received).toHaveLength(0);
        expect(logError.mock.calls[0]?.[0]).toContain('no managed identity here');
    });
});

describe('createTelemetrySink', () => {
    it('is the no-op sink without a connection string', () => {
        expect(createTelemetrySink({})).toBe(noopTelemetrySink);
        expect(createTelemetrySink({ APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' })).toBe(noopTelemetrySink);
    });

    it('is the no-op sink, said once, for an unreadable connection string', () => {
        const logError = vi.fn<(message: string) => void>();
        expect(createTelemetrySink({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x.example/' }, { logError })).toBe(noopTelemetrySink);
        expect(logError).toHaveBeenCalledTimes(1);
        expect(logError.mock.calls[0]?.[0]).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING');
    });

    it('exports with the app settings: Entra ID from the authentication string, the role from WEBSITE_SITE_NAME', async () => {
        const credential = countingCredential();
        const sink = createTelemetrySink(
            {
                APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
                APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=00000000-0000-0000-0000-00000000000a;Authorization=AAD',
                WEBSITE_SITE_NAME: 'func-teams-relay-abc',
            },
            { credential, now: () => NOW },
        );
        sink.event('sweep', {});
        await sink.flush();
        expect(ingestion.received[0]?.headers.authorization).toBe('Bearer token-1');
        expect(ingestion.items[0]?.tags).toEqual({ 'ai.cloud.role': 'func-teams-relay-abc' });
    });

    it('names the role teams-relay outside App Service', async () => {
        const sink = createTelemetrySink({ APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString });
        sink.event('sweep', {});
        await sink.flush();
        expect(ingestion.items[0]?.tags).toEqual({ 'ai.cloud.role': DEFAULT_CLOUD_ROLE });
    });
});

describe('trackEvent through the process sink', () => {
    function context(): InvocationContext {
        return new InvocationContext({ invocationId: 'inv-1', logHandler: () => undefined });
    }

    async function freshTelemetry(): Promise<typeof import('../../../shared/platform/telemetry.js')> {
        vi.resetModules();
        return import('../../../shared/platform/telemetry.js');
    }

    it('sends each event as a custom event with its metrics, every property a string and no URL', async () => {
        vi.stubEnv('APPLICATIONINSIGHTS_CONNECTION_STRING', ingestion.connectionString);
        vi.stubEnv('APPLICATIONINSIGHTS_AUTHENTICATION_STRING', '');
        const telemetry = await freshTelemetry();
        const secret = 'https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def?sig=secret';
        telemetry.trackDeliveryEvent(context(), { event: 'dead-lettered', webhookKey: 'wk', jobId: 'j1', alias: 'ops', attempt: 4, status: 400, reason: `refused by ${secret}` });
        telemetry.trackDeliveryEvent(context(), { event: 'deferred', webhookKey: 'wk', jobId: 'j2', alias: 'ops', waitMs: 30_000 });
        telemetry.trackEvent(context(), 'mention', { command: 'ping', keyName: 'default', durationMs: 42 });
        telemetry.trackEvent(context(), 'accepted', { webhookKey: 'wk', jobId: 'j3', outcome: 'added' });
        expect(ingestion.received).toHaveLength(0);
        await telemetry.flushTelemetry();

        const body = JSON.stringify(ingestion.items);
        expect(body).not.toMatch(/webhookb2|sig=secret/);
        const events = ingestion.items.filter((item) => item.data.baseType === 'EventData');
        expect(events.map((item) => item.data.baseData)).toEqual([
            { ver: 2, name: 'dead-lettered', properties: { invocationId: 'inv-1', webhookKey: 'wk', jobId: 'j1', alias: 'ops', attempt: '4', status: '400', reason: 'refused by https://contoso.webhook.office.com/…' } },
            { ver: 2, name: 'deferred', properties: { invocationId: 'inv-1', webhookKey: 'wk', jobId: 'j2', alias: 'ops', waitMs: '30000' } },
            { ver: 2, name: 'mention', properties: { invocationId: 'inv-1', command: 'ping', keyName: 'default', durationMs: '42' } },
            { ver: 2, name: 'accepted', properties: { invocationId: 'inv-1', webhookKey: 'wk', jobId: 'j3', outcome: 'added' } },
        ]);
        const metrics = ingestion.items.filter((item) => item.data.baseType === 'MetricData').map((item) => item.data.baseData);
        expect(metrics).toEqual([
            { ver: 2, metrics: [{ name: 'teams-relay.jobs', value: 1 }], properties: { outcome: 'dead-lettered', alias: 'ops' } },
            { ver: 2, metrics: [{ name: 'teams-relay.jobs', value: 1 }], properties: { outcome: 'deferred', alias: 'ops' } },
            { ver: 2, metrics: [{ name: 'teams-relay.wait', value: 30_000 }], properties: { event: 'deferred', alias: 'ops' } },
            { ver: 2, metrics: [{ name: 'teams-relay.mention.duration', value: 42 }], properties: { command: 'ping' } },
        ]);
        for (const item of ingestion.items) {
            expect(Object.values(item.data.baseData.properties).every((value) => typeof value === 'string')).toBe(true);
        }
    });

    it('sends nothing without a connection string', async () => {
        vi.stubEnv('APPLICATIONINSIGHTS_CONNECTION_STRING', '');
        const fetchSpy = vi.spyOn(globalThis, 'fetch');
        const telemetry = await freshTelemetry();
        telemetry.trackEvent(context(), 'dead-lettered', { jobId: 'j' });
        await telemetry.flushTelemetry();
        expect(fetchSpy).not.toHaveBeenCalled();
        expect(ingestion.received).toHaveLength(0);
    });
});

describe('the mention path at load', () => {
    /** What the package test forbids on the mention path (test/deploy/package.test.ts), and the credential library the exporter loads only to send. */
    const NOT_ON_MENTION = ['@azure/storage-queue', '@azure/data-tables', 'adaptivecards-templating', '@azure/identity'];

    /** Every module `functions/mention.ts` loads through static, non-type imports: project files and package names. */
    function staticImportGraph(entry: string): { files: Set<string>; packages: Set<string> } {
        const files = new Set<string>();
        const packages = new Set<string>();
        const pending = [entry];
        const importPattern = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
        for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
            if (files.has(file)) continue;
            files.add(file);
            for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
                const specifier = match[1] ?? '';
                if (specifier.startsWith('.')) {
                    pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
                } else if (!specifier.startsWith('node:')) {
                    packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier));
                }
            }
        }
        return { files, packages };
    }

    it('loads the exporter but neither shared/storage nor any SDK the package test keeps off it', () => {
        const root = join(import.meta.dirname, '..', '..', '..');
        const { files, packages } = staticImportGraph(join(root, 'functions', 'mention.ts'));
        expect(files).toContain(join(root, 'shared', 'platform', 'app-insights.ts'));
        expect(files).not.toContain(join(root, 'shared', 'platform', 'storage.ts'));
        for (const name of NOT_ON_MENTION) expect(packages, name).not.toContain(name);
    });
});
