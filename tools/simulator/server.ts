/** The Teams simulator's HTTP server: routing, faults, flows' Teams connections, relay flows' channels, recording, stats and lifecycle. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
    HTTP_STATUS,
    connectorUnavailable,
    retryAfterValue,
    webhookGone,
    withRetryAfter,
    workflowsFaultAnswers,
    workflowsThrottled,
    wrappedConnectorError,
    type Answer,
    type ThrottleWording,
} from './answers.js';
import { judgeConnectorRequest, judgeWorkflowsRequest, type EndpointPolicy, type ReceivedBody, type Verdict, type WebhookRateState } from './endpoint.js';
import { DEFAULT_FAULT_SEED, DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS, FaultPlan, type AppliedFault, type FaultSpec } from './faults.js';
import { DEFAULT_CONNECTION, TEAMS_CONNECTION_LIMITS, TEAMS_MAX_MESSAGE_BYTES, TEAMS_WEBHOOK_LIMITS, type WindowLimit } from './limits.js';
import {
    buildReport,
    countConnection,
    countOutcomes,
    type ConnectionStats,
    type Dialect,
    type Outcome,
    type OutcomeStats,
    type ReceivedRequest,
    type SimulatorReport,
} from './records.js';
import { RelayChannel, judgeRelayRequest, messageIdSource, type RelayMessage } from './relay.js';
import {
    CONNECTION_QUERY_PARAMETER,
    DEFAULT_WORKFLOWS_URL_SHAPE,
    RELAY_MESSAGES_PREFIX,
    STATS_PATH,
    connectorPath,
    dialectOfPath,
    flowIdOfPath,
    relayFlowOfMessagesPath,
    relayFlowPathAndQuery,
    relayMessagesPath,
    workflowsPathAndQuery,
    type WorkflowsUrlShape,
} from './routes.js';
import { FixedWindowCounter, SlidingWindowLog, findSlidingWindowViolations, type SlidingWindowViolation } from './windows.js';

/** The simulator listens on loopback only. */
const LOOPBACK_HOST = '127.0.0.1';
/** Port 0 lets the OS pick a free port. */
const ANY_FREE_PORT = 0;
/** Bodies beyond 1 MiB are not kept in memory; Teams refuses anything over 28 KB anyway. */
const MAX_READ_BYTES = 1_024 * 1_024;
/** Outcomes the sliding-window audit counts by default: requests that reached Teams' counters. */
const AUDITED_OUTCOMES: readonly Outcome[] = ['delivered', 'throttled'];

/** Wording of connector throttling answers: one of the two, or alternating starting with `plain`. */
type ThrottleWordingOption = ThrottleWording | 'alternate';

/** Options of {@link startTeamsSimulator}; every one has a default. */
export interface TeamsSimulatorOptions {
    /** Port on 127.0.0.1. @default 0 (a free port) */
    readonly port?: number;
    /** The time source for windows and records, so tests can move through hours at once. @default Date.now */
    readonly clock?: () => number;
    /**
     * Where each fixed window starts (ms after the epoch, modulo its length): one number for all
     * windows, or one per entry of `limits`. @default 0 (windows aligned to the epoch)
     */
    readonly windowOffsetsMs?: number | readonly number[];
    /** The fixed windows per webhook. @default TEAMS_WEBHOOK_LIMITS (1 s/4, 30 s/60, 1 h/100, 2 h/150, 24 h/1800) */
    readonly limits?: readonly WindowLimit[];
    /** Largest body Teams accepts, in bytes. @default 28672 */
    readonly maxBytes?: number;
    /**
     * After a request exceeds a window of 30 s or longer, throttle every request to that webhook for
     * this long (field reports of hours-long blocks). @default 0 (no extended block)
     */
    readonly blockAfterThrottleMs?: number;
    /** Whether throttled requests still count in every window ("an incremental counter"). @default true */
    readonly countThrottled?: boolean;
    /** Wording of the connector's throttling answer. @default 'plain' */
    readonly throttleWording?: ThrottleWordingOption;
    /** Seed of the RNG that draws faults injected with a `rate`. @default 0x5eed */
    readonly seed?: number;
    /** Called with each request's record once it is answered (or left hanging). */
    readonly onRequest?: (record: ReceivedRequest) => void;
    /**
     * Which Teams connection (flow owner) each flow posts with, by webhook name or flow id (the
     * `<id>` of its path). A URL's `connection` query parameter wins over this map; a flow in
     * neither posts with `defaultConnection`.
     */
    readonly connections?: Readonly<Record<string, string>>;
    /** The connection of every flow nothing else maps: one person made them all. @default 'default' */
    readonly defaultConnection?: string;
    /** The budget of each Teams connection, as sliding windows. @default TEAMS_CONNECTION_LIMITS (100 per 60 s, 25 per 300 s) */
    readonly connectionLimits?: readonly WindowLimit[];
    /** The shape of the URLs `workflowsUrl` builds. @default 'power-platform-cu' (the 2026 shape) */
    readonly workflowsUrlShape?: WorkflowsUrlShape;
}

/** Options of one Workflows URL built by {@link TeamsSimulator.workflowsUrl}. */
interface WorkflowsUrlOptions {
    /** @default the simulator's `workflowsUrlShape` */
    readonly shape?: WorkflowsUrlShape;
    /** The Teams connection its flow posts with, carried in the URL's `connection` query parameter. */
    readonly connection?: string;
}

/** Options of one relay flow URL built by {@link TeamsSimulator.relayFlowUrl}. */
interface RelayFlowUrlOptions {
    /** The Teams connection its connector calls go through, carried in the URL's `connection` query parameter. */
    readonly connection?: string;
}

/** A running simulator. */
export interface TeamsSimulator {
    /** The port it listens on. */
    readonly port: number;
    /** `http://127.0.0.1:<port>`. */
    readonly baseUrl: string;
    /** `<baseUrl>/simulator/stats`: `GET` answers {@link TeamsSimulator.report} as JSON. */
    readonly statsUrl: string;
    /**
     * A Workflows URL for the webhook `name`, by default of the 2026 shape
     * (`/powerautomate/automations/direct/cu/<n>/workflows/<id>/triggers/manual/paths/invoke?api-version=1&sp=...&sv=1.0&sig=...`).
     */
    workflowsUrl(name: string, options?: WorkflowsUrlOptions): string;
    /** A legacy connector URL (`/webhookb2/...`) for the webhook `name` (Microsoft retired these). */
    connectorUrl(name: string): string;
    /**
     * The callback URL of relay flow `name` (a Logic App with a Request trigger, as `infra/` deploys
     * it): it posts, replies to and updates cards in its own channel and answers `200 {"messageId"}`.
     */
    relayFlowUrl(name: string, options?: RelayFlowUrlOptions): string;
    /** `<baseUrl>/simulator/relay-flows/<name>/messages`: `GET` answers the channel of relay flow `name`. */
    relayMessagesUrl(name: string): string;
    /** The messages of relay flow `name`'s channel, oldest first, with their replies and card versions. */
    relayMessages(name: string): readonly RelayMessage[];
    /** Injects a fault for webhook `target` or every webhook (`'*'`); returns a function removing it. */
    inject(target: string, spec: FaultSpec): () => void;
    /** Removes every injected fault and restarts the fault RNG. */
    clearFaults(): void;
    /** Marks webhook `name` removed: its requests get 410 from now on. */
    remove(name: string): void;
    /** Every request (of webhook `name`, or all), in arrival order. */
    received(name?: string): readonly ReceivedRequest[];
    /** Counts of webhook `name`'s requests per outcome, and inside its flow. */
    stats(name: string): OutcomeStats;
    /** Counts of the Flow-bot posts of every flow on Teams connection `connection`. @default the default connection */
    connectionStats(connection?: string): ConnectionStats;
    /** Every count, per webhook and per connection, in the stable JSON shape of `GET /simulator/stats`. */
    report(): SimulatorReport;
    /**
     * Audits webhook `name`'s delivered and throttled arrival times (or those of `outcomes`) against
     * sliding windows. @default limits the simulator's own limits
     */
    violations(name: string, limits?: readonly WindowLimit[], outcomes?: readonly Outcome[]): readonly SlidingWindowViolation[];
    /**
     * Audits the accepted requests of every flow on `connection` against sliding windows: empty
     * exactly when none was throttled inside its flow. @default limits the simulator's connection limits
     */
    connectionViolations(connection?: string, limits?: readonly WindowLimit[]): readonly SlidingWindowViolation[];
    /** Resolves once at least `count` requests (of webhook `name`, or all) have been recorded. */
    waitForRequests(count: number, name?: string): Promise<readonly ReceivedRequest[]>;
    /** Forgets records, window counters, connection budgets, blocks, removals, faults and relay flows' messages; URLs stay valid. */
    reset(): void;
    /** Stops listening and destroys every connection, hung ones included. */
    stop(): Promise<void>;
}

interface Waiter {
    readonly count: number;
    readonly name: string | undefined;
    readonly resolve: (records: readonly ReceivedRequest[]) => void;
    readonly reject: (error: Error) => void;
}

function offsetsFor(limits: readonly WindowLimit[], offsets: number | readonly number[] | undefined): readonly number[] {
    if (offsets === undefined) return [];
    if (typeof offsets === 'number') return limits.map(() => offsets);
    return offsets;
}

function checkConnectionName(connection: string, source: string): void {
    if (connection.trim() === '') throw new RangeError(`${source}: a connection name must not be blank`);
}

function checkLimits(limits: readonly WindowLimit[]): void {
    for (const { windowMs, max } of limits) {
        if (!(Number.isFinite(windowMs) && windowMs > 0 && Number.isInteger(max) && max >= 0)) {
            throw new RangeError(`Bad window limit: ${max} per ${windowMs} ms`);
        }
    }
}

/**
 * The path and query of a request line (`/p?q`, even one starting with `//`); `undefined` for any
 * other form (`*`, an absolute URL), which names no webhook.
 */
function requestTarget(target: string | undefined): URL | undefined {
    if (target === undefined || !target.startsWith('/')) return undefined;
    try {
        return new URL(`http://localhost${target}`);
    } catch {
        return undefined;
    }
}

function send(response: ServerResponse, answer: Answer): void {
    const headers: Record<string, string | number> = { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) };
    if (answer.contentType !== undefined) headers['content-type'] = answer.contentType;
    response.writeHead(answer.status, headers);
    response.end(answer.body);
}

function readBody(request: IncomingMessage): Promise<ReceivedBody> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let total = 0;
        request.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (kept < MAX_READ_BYTES) {
                chunks.push(chunk);
                kept += chunk.length;
            }
        });
        request.on('end', () => {
            const bytes = Buffer.concat(chunks).subarray(0, MAX_READ_BYTES);
            resolve({ text: bytes.toString('utf8'), byteLength: total, truncated: total > MAX_READ_BYTES });
        });
        request.on('error', reject);
        request.on('close', () => {
            reject(new Error('request closed before its body ended'));
        });
    });
}

/** The `Retry-After` of a Workflows fault answer, if it carries one. */
function faultRetryAfter(fault: AppliedFault, now: number): string | undefined {
    const spec = fault.retryAfter ?? (fault.fault === 'throttle' ? { seconds: DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS } : 'none');
    if (spec === 'none') return undefined;
    return retryAfterValue(spec.seconds, now, spec.format ?? 'seconds');
}

/** The answer an injected fault gives in a dialect (`reset` and `hang` have none). */
function faultAnswer(fault: AppliedFault, dialect: Dialect, wording: () => ThrottleWording, now: number): Answer | undefined {
    const connector = dialect === 'connector';
    switch (fault.fault) {
        case 'reset':
        case 'hang':
            return undefined;
        case 'status503':
            return connector ? connectorUnavailable : withRetryAfter(workflowsFaultAnswers[503], faultRetryAfter(fault, now));
        case 'wrapped500':
            return connector ? wrappedConnectorError(500) : workflowsFaultAnswers[500];
        case 'wrapped413':
            return connector ? wrappedConnectorError(413) : workflowsFaultAnswers[413];
        case 'wrapped400':
            return connector ? wrappedConnectorError(400) : workflowsFaultAnswers[400];
        case 'throttle':
            return connector ? wrappedConnectorError(429, wording()) : workflowsThrottled(faultRetryAfter(fault, now));
        case 'gone':
            return webhookGone;
    }
}

function sendJson(response: ServerResponse, value: unknown): void {
    send(response, { status: HTTP_STATUS.ok, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' });
}

/**
 * Starts a local Teams incoming-webhook simulator on 127.0.0.1 that answers like Power Automate
 * Workflows URLs (and the retired legacy connector URLs), with the trigger's windows on an injectable
 * clock, each flow's Teams connection and its Flow-bot budget, injectable faults and a record of
 * every request.
 *
 * @example
 * let now = Date.UTC(2026, 0, 1);
 * const sim = await startTeamsSimulator({ clock: () => now });
 * const card = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'hi' }] };
 * const body = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
 * const response = await fetch(sim.workflowsUrl('ops'), { method: 'POST', body: JSON.stringify(body) });
 * response.status; // → 202
 * now += 1_000;
 * sim.stats('ops'); // → { delivered: 1, throttled: 0, rejected: 0, fault: 0, total: 1, throttledInFlow: 0, notRendered: 0 }
 * sim.connectionStats(); // → { flows: ['ops'], accepted: 1, posted: 1, throttledInFlow: 0, notRendered: 0 }
 * await sim.stop();
 */
export async function startTeamsSimulator(options: TeamsSimulatorOptions = {}): Promise<TeamsSimulator> {
    const clock = options.clock ?? Date.now;
    const limits = options.limits ?? TEAMS_WEBHOOK_LIMITS;
    checkLimits(limits);
    const offsets = offsetsFor(limits, options.windowOffsetsMs);
    const connectionLimits = options.connectionLimits ?? TEAMS_CONNECTION_LIMITS;
    checkLimits(connectionLimits);
    const defaultConnection = options.defaultConnection ?? DEFAULT_CONNECTION;
    checkConnectionName(defaultConnection, 'defaultConnection');
    const connectionMap = new Map(Object.entries(options.connections ?? {}));
    for (const [flow, connection] of connectionMap) checkConnectionName(connection, `connections.${flow}`);
    const urlShape = options.workflowsUrlShape ?? DEFAULT_WORKFLOWS_URL_SHAPE;
    const wordingOption = options.throttleWording ?? 'plain';
    let throttleAnswers = 0;
    const policy: EndpointPolicy = {
        maxBytes: options.maxBytes ?? TEAMS_MAX_MESSAGE_BYTES,
        countThrottled: options.countThrottled ?? true,
        blockAfterThrottleMs: options.blockAfterThrottleMs ?? 0,
        throttleWording: function nextThrottleWording(): ThrottleWording {
            throttleAnswers += 1;
            if (wordingOption !== 'alternate') return wordingOption;
            return throttleAnswers % 2 === 0 ? 'applicationThrottled' : 'plain';
        },
    };
    const names = new Map<string, string>();
    /** Relay flow names by the path of their callback URL. */
    const relayPaths = new Map<string, string>();
    const channels = new Map<string, RelayChannel>();
    let nextMessageId = messageIdSource();
    const rates = new Map<string, WebhookRateState>();
    const budgets = new Map<string, SlidingWindowLog>();
    const removed = new Set<string>();
    const faults = new FaultPlan(options.seed ?? DEFAULT_FAULT_SEED);
    const timers = new Set<NodeJS.Timeout>();
    let records: ReceivedRequest[] = [];
    let waiters: Waiter[] = [];
    let stopped = false;

    const recordsOf = (name: string | undefined): readonly ReceivedRequest[] =>
        name === undefined ? [...records] : records.filter((record) => record.webhook === name);

    function keep(record: ReceivedRequest): void {
        records.push(Object.freeze(record));
        try {
            options.onRequest?.(record);
        } catch {
            // A failing listener must not break the simulated endpoint.
        }
        waiters = waiters.filter((waiter) => {
            const matching = recordsOf(waiter.name);
            if (matching.length < waiter.count) return true;
            waiter.resolve(matching);
            return false;
        });
    }

    function rateStateOf(path: string): WebhookRateState {
        const existing = rates.get(path);
        if (existing !== undefined) return existing;
        const created: WebhookRateState = { counter: new FixedWindowCounter(limits, offsets), blockedUntil: Number.NEGATIVE_INFINITY };
        rates.set(path, created);
        return created;
    }

    function budgetOf(connection: string): SlidingWindowLog {
        const existing = budgets.get(connection);
        if (existing !== undefined) return existing;
        const created = new SlidingWindowLog(connectionLimits);
        budgets.set(connection, created);
        return created;
    }

    function channelOf(flow: string): RelayChannel {
        const existing = channels.get(flow);
        if (existing !== undefined) return existing;
        const created = new RelayChannel((now) => nextMessageId(now));
        channels.set(flow, created);
        return created;
    }

    /** Answers the read endpoints (the report, a relay flow's channel); `false` when the path is neither. */
    async function answerRead(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
        const isStats = path === STATS_PATH;
        if (!isStats && !path.startsWith(RELAY_MESSAGES_PREFIX)) return false;
        await readBody(request);
        const flow = isStats ? undefined : relayFlowOfMessagesPath(path);
        const isRelayFlow = flow !== undefined && [...relayPaths.values()].includes(flow);
        if (!isStats && !isRelayFlow) send(response, { status: HTTP_STATUS.notFound, body: '' });
        else if (request.method !== 'GET') send(response, { status: HTTP_STATUS.methodNotAllowed, body: '' });
        else if (flow === undefined) sendJson(response, report());
        else sendJson(response, { flow, messages: channelOf(flow).messages() });
        return true;
    }

    /** The URL's `connection` parameter (unless blank), else the map by name, then by flow id, else the default. */
    function connectionOf(url: URL, webhook: string, flowId: string): string {
        const named = url.searchParams.get(CONNECTION_QUERY_PARAMETER);
        if (named !== null && named.trim() !== '') return named;
        return connectionMap.get(webhook) ?? connectionMap.get(flowId) ?? defaultConnection;
    }

    const report = (): SimulatorReport => buildReport(records);

    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const at = clock();
        const url = requestTarget(request.url);
        const path = url?.pathname ?? '';
        if (await answerRead(request, response, path)) return;
        const dialect = relayPaths.has(path) ? 'relay' : dialectOfPath(path);
        if (dialect === undefined || request.method !== 'POST') {
            // Read the body to its end before answering: an answer sent mid-upload makes Node close
            // the socket after it, which a keep-alive client may already be reusing.
            await readBody(request);
            const status = dialect === undefined ? HTTP_STATUS.notFound : HTTP_STATUS.methodNotAllowed;
            send(response, { status, body: '' });
            return;
        }
        const body = await readBody(request);
        const webhook = names.get(path) ?? path;
        const flowId = flowIdOfPath(path);
        const flow = flowId === undefined || url === undefined ? {} : { flowId, connection: connectionOf(url, webhook, flowId) };
        const base = { webhook, path, dialect, at, bodyText: body.text, ...flow };
        if (removed.has(webhook)) {
            send(response, webhookGone);
            keep({ ...base, status: webhookGone.status, answer: webhookGone.body, outcome: 'rejected', reason: 'webhook removed' });
            return;
        }
        const fault = faults.draw(webhook);
        if (fault === undefined || (fault.fault === 'hang' && fault.delayMs !== undefined)) {
            const verdict: Verdict = judge(dialect, body, webhook, path, flow.connection, at);
            const { answer, ...decided } = verdict;
            if (fault?.delayMs === undefined) send(response, answer);
            else answerLater(response, answer, fault.delayMs);
            const delayed = fault === undefined ? {} : { fault: fault.fault };
            keep({ ...base, ...decided, ...delayed, status: answer.status, answer: answer.body });
            return;
        }
        const answer = faultAnswer(fault, dialect, policy.throttleWording, at);
        if (answer === undefined) {
            if (fault.fault === 'reset') request.socket.destroy();
            keep({ ...base, status: 0, answer: '', outcome: 'fault', fault: fault.fault });
            return;
        }
        send(response, answer);
        keep({ ...base, status: answer.status, answer: answer.body, outcome: 'fault', fault: fault.fault });
    }

    /**
     * A body cut off at {@link MAX_READ_BYTES} is refused unread, with the 413 of the judge it would have
     * gone to. Relay flows keep no trigger windows of Teams' (a Logic App's trigger limits are far
     * higher): only their connection's budget.
     */
    function judge(dialect: Dialect, body: ReceivedBody, webhook: string, path: string, connection: string | undefined, at: number): Verdict {
        if (body.truncated) {
            const answer = connection === undefined ? wrappedConnectorError(413) : workflowsFaultAnswers[413];
            return { answer, outcome: 'rejected', reason: 'body too large to read' };
        }
        if (connection === undefined) return judgeConnectorRequest(body, rateStateOf(path), at, policy);
        if (dialect === 'relay') return judgeRelayRequest(body, channelOf(webhook), budgetOf(connection), at, policy.maxBytes);
        return judgeWorkflowsRequest(body, rateStateOf(path), budgetOf(connection), at, policy);
    }

    function answerLater(response: ServerResponse, answer: Answer, delayMs: number): void {
        const timer = setTimeout(() => {
            timers.delete(timer);
            if (!response.destroyed) send(response, answer);
        }, delayMs);
        timers.add(timer);
    }

    const server = createServer((request, response) => {
        handle(request, response).catch(() => {
            // Garbage or an aborted upload: answer if still possible, never crash.
            if (response.headersSent || response.destroyed) response.destroy();
            else send(response, { status: HTTP_STATUS.badRequest, body: '' });
        });
    });

    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? ANY_FREE_PORT, LOOPBACK_HOST, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://${LOOPBACK_HOST}:${port}`;

    return {
        port,
        baseUrl,
        statsUrl: `${baseUrl}${STATS_PATH}`,
        workflowsUrl(name, urlOptions = {}) {
            if (urlOptions.connection !== undefined) checkConnectionName(urlOptions.connection, 'connection');
            const pathAndQuery = workflowsPathAndQuery(name, urlOptions.shape ?? urlShape, urlOptions.connection);
            names.set(new URL(pathAndQuery, baseUrl).pathname, name);
            return `${baseUrl}${pathAndQuery}`;
        },
        connectorUrl(name) {
            const path = connectorPath(name);
            names.set(path, name);
            return `${baseUrl}${path}`;
        },
        relayFlowUrl(name, urlOptions = {}) {
            if (urlOptions.connection !== undefined) checkConnectionName(urlOptions.connection, 'connection');
            const pathAndQuery = relayFlowPathAndQuery(name, urlOptions.connection);
            const { pathname } = new URL(pathAndQuery, baseUrl);
            names.set(pathname, name);
            relayPaths.set(pathname, name);
            return `${baseUrl}${pathAndQuery}`;
        },
        relayMessagesUrl(name) {
            return `${baseUrl}${relayMessagesPath(name)}`;
        },
        relayMessages(name) {
            return channels.get(name)?.messages() ?? [];
        },
        inject(target, spec) {
            return faults.add(target, spec);
        },
        clearFaults() {
            faults.clear();
        },
        remove(name) {
            removed.add(name);
        },
        received(name) {
            return recordsOf(name);
        },
        stats(name) {
            return countOutcomes(recordsOf(name));
        },
        connectionStats(connection = defaultConnection) {
            return countConnection(records.filter((record) => record.connection === connection));
        },
        report,
        violations(name, auditLimits = limits, outcomes = AUDITED_OUTCOMES) {
            const arrivals = recordsOf(name)
                .filter((record) => outcomes.includes(record.outcome))
                .map((record) => record.at);
            return findSlidingWindowViolations(arrivals, auditLimits);
        },
        connectionViolations(connection = defaultConnection, auditLimits = connectionLimits) {
            const arrivals = records
                .filter((record) => record.connection === connection && record.flowPost !== undefined)
                .map((record) => record.at);
            return findSlidingWindowViolations(arrivals, auditLimits);
        },
        waitForRequests(count, name) {
            const matching = recordsOf(name);
            if (matching.length >= count) return Promise.resolve(matching);
            if (stopped) return Promise.reject(new Error('The Teams simulator is stopped'));
            return new Promise((resolve, reject) => {
                waiters.push({ count, name, resolve, reject });
            });
        },
        reset() {
            records = [];
            rates.clear();
            budgets.clear();
            removed.clear();
            faults.clear();
            channels.clear();
            nextMessageId = messageIdSource();
            throttleAnswers = 0;
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            for (const waiter of waiters) waiter.reject(new Error('The Teams simulator stopped'));
            waiters = [];
            await new Promise<void>((resolve) => {
                server.close(() => {
                    resolve();
                });
                server.closeAllConnections();
            });
        },
    };
}
