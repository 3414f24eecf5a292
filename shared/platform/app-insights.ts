/** Application Insights export without the SDK: custom events and metrics as track-API envelopes, batched and POSTed to the ingestion endpoint with Entra ID auth. */
import type { AccessToken, TokenCredential } from '@azure/identity';

/**
 * Ingestion endpoint when the connection string names none (Microsoft Learn, "Connection strings in
 * Application Insights": the default `IngestionEndpoint`).
 */
export const DEFAULT_INGESTION_ENDPOINT = 'https://dc.services.visualstudio.com/';

/** Path of the track API under the ingestion endpoint (the one `@azure/monitor-opentelemetry-exporter` posts to). */
export const TRACK_PATH = 'v2.1/track';

/**
 * Token scope for ingestion with Entra ID (Microsoft Learn, "Microsoft Entra authentication for
 * Application Insights"; `applicationInsightsResource` in `@azure/monitor-opentelemetry-exporter`).
 * The double slash is part of the documented value.
 */
export const INGESTION_TOKEN_SCOPE = 'https://monitor.azure.com//.default';

/** Envelope name and `baseType` of a custom event (Application Insights data model, `EventData`; lands in `customEvents`). */
export const EVENT_ENVELOPE = { name: 'Microsoft.ApplicationInsights.Event', baseType: 'EventData' } as const;

/** Envelope name and `baseType` of a metric (Application Insights data model, `MetricData`; lands in `customMetrics`). */
export const METRIC_ENVELOPE = { name: 'Microsoft.ApplicationInsights.Metric', baseType: 'MetricData' } as const;

/** `ver` of `EventData` and `MetricData` (the data contracts' required field, always 2). */
export const DATA_VERSION = 2;

/** Tag that names the app in the portal's application map (`cloud_RoleName` in Kusto). */
export const CLOUD_ROLE_TAG = 'ai.cloud.role';

/** Cloud role when `WEBSITE_SITE_NAME` (set by App Service for every function app) is absent. */
export const DEFAULT_CLOUD_ROLE = 'teams-relay';

/** Batching and failure handling of the exporter. */
export const EXPORT_LIMITS = {
    /** A batch is sent as soon as this many items are queued. */
    maxBatchItems: 50,
    /** Queued items are sent at the latest this long after the first of them. */
    flushIntervalMs: 5_000,
    /** A batch is dropped after this many failed POSTs. */
    maxAttempts: 3,
    /** At most one export error is logged per this interval; the rest are counted. */
    errorLogIntervalMs: 60_000,
    /** One POST may take this long (the ingestion endpoint answers in well under a second). */
    requestTimeoutMs: 10_000,
    /** A token is renewed this long before it expires. */
    tokenRefreshMarginMs: 5 * 60_000,
} as const;

/**
 * Answers worth trying again (the statuses `@azure/monitor-opentelemetry-exporter` retries: 206 partial
 * success, handled item by item, 401/403 token problems, 408 timeout, 429/439 throttling, 5xx service errors). Any other
 * non-2xx answer means the payload itself was refused: the batch is dropped at once.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([401, 403, 408, 429, 439, 500, 502, 503, 504]);

/** Partial success: the body's `errors` name each refused item by `index`, with its own `statusCode`. */
const PARTIAL_SUCCESS_STATUS = 206;

/** Where and as which resource telemetry goes, from `APPLICATIONINSIGHTS_CONNECTION_STRING`. */
export interface ConnectionSettings {
    readonly instrumentationKey: string;
    /** Absolute URL of the track API, e.g. `https://westeurope-5.in.applicationinsights.azure.com/v2.1/track`. */
    readonly trackUrl: string;
}

/** How ingestion authenticates, from `APPLICATIONINSIGHTS_AUTHENTICATION_STRING`. */
export type AuthenticationSettings =
    | { readonly kind: 'none' }
    /** An Entra ID token; `clientId` selects a user-assigned managed identity. */
    | { readonly kind: 'aad'; readonly clientId: string | undefined };

/** One track-API envelope (Application Insights data model, `Envelope`). */
export interface Envelope {
    readonly name: string;
    /** UTC ISO 8601 with a trailing `Z`. */
    readonly time: string;
    readonly iKey: string;
    readonly tags: Readonly<Record<string, string>>;
    readonly data: {
        readonly baseType: string;
        readonly baseData: EventData | MetricData;
    };
}

/** `EventData`: a custom event. */
export interface EventData {
    readonly ver: number;
    readonly name: string;
    readonly properties: Readonly<Record<string, string>>;
}

/** `MetricData` with one data point. */
export interface MetricData {
    readonly ver: number;
    readonly metrics: readonly { readonly name: string; readonly value: number; readonly count?: number }[];
    readonly properties: Readonly<Record<string, string>>;
}

/** Custom-dimension values: the data model takes strings only, so numbers and booleans are written as text. */
export type SinkProperties = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where events and metrics go; chosen once per process by {@link telemetrySink}. Never throws. */
export interface TelemetrySink {
    /** Queues a custom event. */
    event(name: string, properties: SinkProperties): void;
    /** Queues one metric value. */
    metric(name: string, value: number, properties: SinkProperties): void;
    /** Sends everything queued so far; resolves (never rejects) when that attempt is over. */
    flush(): Promise<void>;
}

/** What the exporter needs, each part injectable for tests. */
export interface ExporterOptions {
    readonly connection: ConnectionSettings;
    readonly authentication: AuthenticationSettings;
    /** `ai.cloud.role`. @default DEFAULT_CLOUD_ROLE */
    readonly cloudRole?: string;
    /** Gives the Bearer token when `authentication` is `aad`. @default createLazyCredential(clientId) from shared/platform/identity.ts */
    readonly credential?: TokenCredential;
    /** Receives export failures, at most once per {@link EXPORT_LIMITS.errorLogIntervalMs}. @default console.warn */
    readonly logError?: (message: string) => void;
    /** @default Date.now */
    readonly now?: () => number;
}

/** Splits `Key=Value;Key=Value` into a map with lower-cased keys; a value may itself contain `=`. */
function parseKeyValueString(text: string): Map<string, string> {
    const entries = new Map<string, string>();
    for (const part of text.split(';')) {
        const separator = part.indexOf('=');
        if (separator <= 0) {
            continue;
        }
        const key = part.slice(0, separator).trim().toLowerCase();
        const value = part.slice(separator + 1).trim();
        if (key !== '' && value !== '') {
            entries.set(key, value);
        }
    }
    return entries;
}

/**
 * Reads an Application Insights connection string (keys in any case). The ingestion endpoint is
 * `IngestionEndpoint`, else built from `EndpointSuffix` (and `Location`) as documented for sovereign
 * clouds, else {@link DEFAULT_INGESTION_ENDPOINT}. Undefined without an instrumentation key or with an
 * endpoint that is not an http(s) URL. Pure.
 *
 * @example
 * parseConnectionString('InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/');
 * // { instrumentationKey: '00000000-…', trackUrl: 'https://westeurope-5.in.applicationinsights.azure.com/v2.1/track' }
 */
export function parseConnectionString(text: string | undefined): ConnectionSettings | undefined {
    if (text === undefined) {
        return undefined;
    }
    const values = parseKeyValueString(text);
    const instrumentationKey = values.get('instrumentationkey');
    if (instrumentationKey === undefined) {
        return undefined;
    }
    const suffix = values.get('endpointsuffix');
    const location = values.get('location');
    const endpoint =
        values.get('ingestionendpoint') ??
        (suffix === undefined ? DEFAULT_INGESTION_ENDPOINT : `https://${location === undefined ? '' : `${location}.`}dc.${suffix.replace(/^\.+/, '')}/`);
    let url: URL;
    try {
        url = new URL(TRACK_PATH, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
    } catch {
        return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return undefined;
    }
    return { instrumentationKey, trackUrl: url.href };
}

/**
 * Reads `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (`Authorization=AAD;ClientId=<client id>`, keys
 * and `AAD` in any case, in any order). Anything else means no authentication. Pure.
 *
 * @example
 * parseAuthenticationString('ClientId=1111;Authorization=AAD'); // { kind: 'aad', clientId: '1111' }
 */
export function parseAuthenticationString(text: string | undefined): AuthenticationSettings {
    if (text === undefined) {
        return { kind: 'none' };
    }
    const values = parseKeyValueString(text);
    if (values.get('authorization')?.toLowerCase() !== 'aad') {
        return { kind: 'none' };
    }
    return { kind: 'aad', clientId: values.get('clientid') };
}

/** Custom dimensions as the data model takes them: strings only, undefined values left out. */
function toDimensions(properties: SinkProperties): Record<string, string> {
    const dimensions: Record<string, string> = {};
    for (const [key, value] of Object.entries(properties)) {
        if (value !== undefined) {
            dimensions[key] = String(value);
        }
    }
    return dimensions;
}

/** Fields every envelope shares. */
export interface EnvelopeContext {
    readonly instrumentationKey: string;
    readonly cloudRole: string;
    /** Epoch milliseconds. */
    readonly time: number;
}

/**
 * A custom event envelope. Pure.
 *
 * @example
 * eventEnvelope('dead-lettered', { jobId: 'deploy-4711' }, { instrumentationKey: 'ikey', cloudRole: 'teams-relay', time: 0 });
 * // { name: 'Microsoft.ApplicationInsights.Event', time: '1970-01-01T00:00:00.000Z', iKey: 'ikey', tags: { 'ai.cloud.role': 'teams-relay' },
 * //   data: { baseType: 'EventData', baseData: { ver: 2, name: 'dead-lettered', properties: { jobId: 'deploy-4711' } } } }
 */
export function eventEnvelope(name: string, properties: SinkProperties, context: EnvelopeContext): Envelope {
    return {
        name: EVENT_ENVELOPE.name,
        time: new Date(context.time).toISOString(),
        iKey: context.instrumentationKey,
        tags: { [CLOUD_ROLE_TAG]: context.cloudRole },
        data: { baseType: EVENT_ENVELOPE.baseType, baseData: { ver: DATA_VERSION, name, properties: toDimensions(properties) } },
    };
}

/**
 * A metric envelope with one value (a single measurement: `valueCount` 1 in `customMetrics`). Pure.
 *
 * @example
 * metricEnvelope('teams-relay.jobs', 1, { outcome: 'delivered' }, { instrumentationKey: 'ikey', cloudRole: 'teams-relay', time: 0 });
 * // { name: 'Microsoft.ApplicationInsights.Metric', …, data: { baseType: 'MetricData', baseData: { ver: 2, metrics: [{ name: 'teams-relay.jobs', value: 1 }], properties: { outcome: 'delivered' } } } }
 */
export function metricEnvelope(name: string, value: number, properties: SinkProperties, context: EnvelopeContext): Envelope {
    return {
        name: METRIC_ENVELOPE.name,
        time: new Date(context.time).toISOString(),
        iKey: context.instrumentationKey,
        tags: { [CLOUD_ROLE_TAG]: context.cloudRole },
        data: { baseType: METRIC_ENVELOPE.baseType, baseData: { ver: DATA_VERSION, metrics: [{ name, value }], properties: toDimensions(properties) } },
    };
}

/** A sink that drops everything: no connection string. */
export const noopTelemetrySink: TelemetrySink = Object.freeze({
    event: function dropEvent(): void {
        // Nothing is configured to receive it.
    },
    metric: function dropMetric(): void {
        // Nothing is configured to receive it.
    },
    flush: function flushNothing(): Promise<void> {
        return Promise.resolve();
    },
});

/** A batch that failed at least once, waiting for its next attempt. */
interface PendingBatch {
    readonly envelopes: readonly Envelope[];
    readonly attempts: number;
}

/** Thrown inside the exporter for a non-2xx answer; `retryable` decides between another attempt and dropping. */
class IngestionError extends Error {
    override readonly name = 'IngestionError';
    constructor(readonly status: number, readonly retryable: boolean) {
        super(`the ingestion endpoint answered ${status}`);
    }
}

function defaultCredential(clientId: string | undefined): TokenCredential {
    // The credential module is small and loads `@azure/identity` itself only on the first token request.
    let loaded: Promise<TokenCredential> | undefined;
    return {
        async getToken(scopes, options) {
            loaded ??= import('./identity.js').then((identity) => identity.createLazyCredential(clientId));
            return (await loaded).getToken(scopes, options);
        },
    };
}

/** The envelopes of a 206 answer worth sending again: those whose own status is retryable. An unreadable body keeps none. */
function refusedForNow(envelopes: readonly Envelope[], body: string): readonly Envelope[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        return [];
    }
    if (typeof parsed !== 'object' || parsed === null || !('errors' in parsed) || !Array.isArray(parsed.errors)) {
        return [];
    }
    const again: Envelope[] = [];
    for (const item of parsed.errors as unknown[]) {
        if (typeof item !== 'object' || item === null || !('index' in item) || !('statusCode' in item)) {
            continue;
        }
        const { index, statusCode } = item;
        const envelope = typeof index === 'number' ? envelopes[index] : undefined;
        if (envelope !== undefined && typeof statusCode === 'number' && RETRYABLE_STATUSES.has(statusCode)) {
            again.push(envelope);
        }
    }
    return again;
}

function describeError(error: unknown): string {
    if (error instanceof Error) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return `${error.message}${cause}`;
    }
    return String(error);
}

/**
 * The Application Insights exporter: queues envelopes in memory and POSTs them as a JSON array to the
 * track API — when {@link EXPORT_LIMITS.maxBatchItems} are queued, {@link EXPORT_LIMITS.flushIntervalMs}
 * after the first queued item, and on {@link TelemetrySink.flush}. `event` and `metric` never touch the
 * network. A failed batch is tried again on the next flush and dropped after
 * {@link EXPORT_LIMITS.maxAttempts} attempts; nothing ever throws to the caller.
 *
 * @example
 * const sink = createAppInsightsExporter({ connection, authentication: { kind: 'aad', clientId } });
 * sink.event('dead-lettered', { jobId: 'deploy-4711' });
 * await sink.flush();
 */
export function createAppInsightsExporter(options: ExporterOptions): TelemetrySink {
    const now = options.now ?? Date.now;
    const cloudRole = options.cloudRole ?? DEFAULT_CLOUD_ROLE;
    const logError = options.logError ?? ((message: string) => {
        console.warn(message);
    });
    const authentication = options.authentication;
    const credential = authentication.kind === 'aad' ? (options.credential ?? defaultCredential(authentication.clientId)) : undefined;

    let queued: Envelope[] = [];
    let retries: PendingBatch[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let chain: Promise<void> = Promise.resolve();
    let token: AccessToken | undefined;
    let lastLoggedAt = Number.NEGATIVE_INFINITY;
    let suppressed = 0;

    const report = (message: string): void => {
        const at = now();
        if (at - lastLoggedAt < EXPORT_LIMITS.errorLogIntervalMs) {
            suppressed += 1;
            return;
        }
        lastLoggedAt = at;
        const more = suppressed === 0 ? '' : ` (${suppressed} more export errors since the last report)`;
        suppressed = 0;
        try {
            logError(`Application Insights export: ${message}${more}`);
        } catch {
            // A broken logger must not break the function either.
        }
    };

    const authorization = async (): Promise<Record<string, string>> => {
        if (credential === undefined) {
            return {};
        }
        if (token === undefined || token.expiresOnTimestamp - EXPORT_LIMITS.tokenRefreshMarginMs <= now()) {
            const fresh = await credential.getToken(INGESTION_TOKEN_SCOPE);
            if (fresh === null) {
                throw new Error(`no token for ${INGESTION_TOKEN_SCOPE}`);
            }
            token = fresh;
        }
        return { authorization: `Bearer ${token.token}` };
    };

    /** POSTs one batch; resolves with the envelopes a partial success (206) refused for a retryable reason. */
    const post = async (envelopes: readonly Envelope[]): Promise<readonly Envelope[]> => {
        const response = await fetch(options.connection.trackUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(await authorization()) },
            body: JSON.stringify(envelopes),
            signal: AbortSignal.timeout(EXPORT_LIMITS.requestTimeoutMs),
        });
        const text = await response.text().catch(() => '');
        if (response.status === 401 || response.status === 403) {
            token = undefined;
        }
        if (response.status === PARTIAL_SUCCESS_STATUS) {
            return refusedForNow(envelopes, text);
        }
        if (!response.ok) {
            throw new IngestionError(response.status, RETRYABLE_STATUSES.has(response.status));
        }
        return [];
    };

    const sendBatch = async (batch: PendingBatch): Promise<void> => {
        const attempts = batch.attempts + 1;
        const keepOrDrop = (envelopes: readonly Envelope[], why: string): void => {
            if (attempts < EXPORT_LIMITS.maxAttempts) {
                retries.push({ envelopes, attempts });
                report(`${why}; ${envelopes.length} items kept for attempt ${attempts + 1} of ${EXPORT_LIMITS.maxAttempts}`);
            } else {
                report(`${why}; ${envelopes.length} items dropped after ${attempts} attempts`);
            }
        };
        try {
            const refused = await post(batch.envelopes);
            if (refused.length > 0) {
                keepOrDrop(refused, `the ingestion endpoint accepted ${batch.envelopes.length - refused.length} of ${batch.envelopes.length} items`);
            }
        } catch (error) {
            if (error instanceof IngestionError && !error.retryable) {
                report(`${describeError(error)}; ${batch.envelopes.length} items dropped`);
            } else {
                keepOrDrop(batch.envelopes, describeError(error));
            }
        }
    };

    /** Sends the batches given and every batch waiting for another attempt. */
    const sendAll = async (fresh: readonly PendingBatch[]): Promise<void> => {
        const batches = [...retries, ...fresh];
        retries = [];
        await Promise.all(batches.map(sendBatch));
        if (retries.length > 0) {
            schedule();
        }
    };

    const flush = (): Promise<void> => {
        if (timer !== undefined) {
            clearTimeout(timer);
            timer = undefined;
        }
        // Cut the batches now, so items queued while a send is under way start the next batch.
        const fresh: PendingBatch[] = [];
        for (let start = 0; start < queued.length; start += EXPORT_LIMITS.maxBatchItems) {
            fresh.push({ envelopes: queued.slice(start, start + EXPORT_LIMITS.maxBatchItems), attempts: 0 });
        }
        queued = [];
        chain = chain.then(() => sendAll(fresh)).catch((error: unknown) => {
            report(describeError(error));
        });
        return chain;
    };

    function schedule(): void {
        if (timer !== undefined) {
            return;
        }
        timer = setTimeout(function flushOnTimer() {
            timer = undefined;
            void flush();
        }, EXPORT_LIMITS.flushIntervalMs);
        // Telemetry alone must not keep a process (the local host, the CLI, a test) alive.
        timer.unref();
    }

    const enqueue = (envelope: Envelope): void => {
        queued.push(envelope);
        if (queued.length >= EXPORT_LIMITS.maxBatchItems) {
            void flush();
        } else {
            schedule();
        }
    };

    const context = (): EnvelopeContext => ({ instrumentationKey: options.connection.instrumentationKey, cloudRole, time: now() });

    return {
        event: function queueEvent(name, properties) {
            try {
                enqueue(eventEnvelope(name, properties, context()));
            } catch (error) {
                report(describeError(error));
            }
        },
        metric: function queueMetric(name, value, properties) {
            try {
                if (Number.isFinite(value)) {
                    enqueue(metricEnvelope(name, value, properties, context()));
                }
            } catch (error) {
                report(describeError(error));
            }
        },
        flush,
    };
}

/**
 * The sink for these settings: the exporter when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set (and
 * readable), with `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` and `WEBSITE_SITE_NAME`; otherwise the
 * no-op sink. An unreadable connection string is reported once through `logError`.
 */
export function createTelemetrySink(
    env: Readonly<Record<string, string | undefined>>,
    overrides: Omit<ExporterOptions, 'connection' | 'authentication'> = {},
): TelemetrySink {
    const raw = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
    if (raw === undefined || raw === '') {
        return noopTelemetrySink;
    }
    const connection = parseConnectionString(raw);
    if (connection === undefined) {
        const message = 'Application Insights export is off: APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey or an invalid endpoint';
        if (overrides.logError === undefined) {
            console.warn(message);
        } else {
            overrides.logError(message);
        }
        return noopTelemetrySink;
    }
    const siteName = env.WEBSITE_SITE_NAME?.trim();
    return createAppInsightsExporter({
        cloudRole: siteName === undefined || siteName === '' ? DEFAULT_CLOUD_ROLE : siteName,
        ...overrides,
        connection,
        authentication: parseAuthenticationString(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING),
    });
}

let processSink: TelemetrySink | undefined;

/** This process's sink, chosen from the environment on first use (app settings do not change while an instance runs). */
export function telemetrySink(): TelemetrySink {
    processSink ??= createTelemetrySink(process.env);
    return processSink;
}

/**
 * Sends every queued event and metric now. Queue and timer functions await it at the end, as an
 * instance may be frozen as soon as they return. Never rejects.
 */
export function flushTelemetry(): Promise<void> {
    return telemetrySink().flush();
}
