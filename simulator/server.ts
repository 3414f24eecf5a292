/** The Teams simulator's HTTP server: routing, faults, recording and lifecycle. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
    HTTP_STATUS,
    connectorUnavailable,
    webhookGone,
    workflowsFaultAnswers,
    workflowsThrottled,
    wrappedConnectorError,
    type Answer,
    type ThrottleWording,
} from './answers.js';
import { judgeConnectorRequest, judgeWorkflowsRequest, type EndpointPolicy, type ReceivedBody, type Verdict, type WebhookRateState } from './endpoint.js';
import { DEFAULT_FAULT_SEED, FaultPlan, type AppliedFault, type FaultSpec } from './faults.js';
import { TEAMS_MAX_MESSAGE_BYTES, TEAMS_WEBHOOK_LIMITS, type WindowLimit } from './limits.js';
import { countOutcomes, type Dialect, type Outcome, type OutcomeStats, type ReceivedRequest } from './records.js';
import { connectorPath, dialectOfPath, workflowsPathAndQuery } from './routes.js';
import { FixedWindowCounter, findSlidingWindowViolations, type SlidingWindowViolation } from './windows.js';

/** The simulator listens on loopback only. */
const LOOPBACK_HOST = '127.0.0.1';
/** Port 0 lets the OS pick a free port. */
const ANY_FREE_PORT = 0;
/** Bodies beyond 1 MiB are not kept in memory; Teams refuses anything over 28 KB anyway. */
const MAX_READ_BYTES = 1_024 * 1_024;
/** Outcomes the sliding-window audit counts by default: requests that reached Teams' counters. */
const AUDITED_OUTCOMES: readonly Outcome[] = ['delivered', 'throttled'];

/** Wording of connector throttling answers: one of the two, or alternating starting with `plain`. */
export type ThrottleWordingOption = ThrottleWording | 'alternate';

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
}

/** A running simulator. */
export interface TeamsSimulator {
    /** The port it listens on. */
    readonly port: number;
    /** `http://127.0.0.1:<port>`. */
    readonly baseUrl: string;
    /** A legacy connector URL (`/webhookb2/...`) for the webhook `name`. */
    connectorUrl(name: string): string;
    /** A Workflows URL (`/workflows/<id>/triggers/manual/paths/invoke?...&sig=...`) for the webhook `name`. */
    workflowsUrl(name: string): string;
    /** Injects a fault for webhook `target` or every webhook (`'*'`); returns a function removing it. */
    inject(target: string, spec: FaultSpec): () => void;
    /** Removes every injected fault and restarts the fault RNG. */
    clearFaults(): void;
    /** Marks webhook `name` removed: its requests get 410 from now on. */
    remove(name: string): void;
    /** Every request (of webhook `name`, or all), in arrival order. */
    received(name?: string): readonly ReceivedRequest[];
    /** Counts of webhook `name`'s requests per outcome. */
    stats(name: string): OutcomeStats;
    /**
     * Audits webhook `name`'s delivered and throttled arrival times (or those of `outcomes`) against
     * sliding windows. @default limits the simulator's own limits
     */
    violations(name: string, limits?: readonly WindowLimit[], outcomes?: readonly Outcome[]): readonly SlidingWindowViolation[];
    /** Resolves once at least `count` requests (of webhook `name`, or all) have been recorded. */
    waitForRequests(count: number, name?: string): Promise<readonly ReceivedRequest[]>;
    /** Forgets records, window counters, blocks, removals and faults; URLs stay valid. */
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

function checkLimits(limits: readonly WindowLimit[]): void {
    for (const { windowMs, max } of limits) {
        if (!(Number.isFinite(windowMs) && windowMs > 0 && Number.isInteger(max) && max >= 0)) {
            throw new RangeError(`Bad window limit: ${max} per ${windowMs} ms`);
        }
    }
}

function send(response: ServerResponse, answer: Answer): void {
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(answer.body) };
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

/** The answer an injected fault gives in a dialect (`reset` and `hang` have none). */
function faultAnswer(fault: AppliedFault['fault'], dialect: Dialect, wording: () => ThrottleWording): Answer | undefined {
    const connector = dialect === 'connector';
    switch (fault) {
        case 'reset':
        case 'hang':
            return undefined;
        case 'status503':
            return connector ? connectorUnavailable : workflowsFaultAnswers[503];
        case 'wrapped500':
            return connector ? wrappedConnectorError(500) : workflowsFaultAnswers[500];
        case 'wrapped413':
            return connector ? wrappedConnectorError(413) : workflowsFaultAnswers[413];
        case 'wrapped400':
            return connector ? wrappedConnectorError(400) : workflowsFaultAnswers[400];
        case 'throttle':
            return connector ? wrappedConnectorError(429, wording()) : workflowsThrottled;
        case 'gone':
            return webhookGone;
    }
}

/**
 * Starts a local Teams incoming-webhook simulator on 127.0.0.1 that answers as docs/teams-facts.md describes
 * for legacy connector and Workflows URLs, with fixed-window throttling on an injectable clock,
 * injectable faults and a record of every request.
 *
 * @example
 * let now = 0;
 * const sim = await startTeamsSimulator({ clock: () => now });
 * const response = await fetch(sim.connectorUrl('ops'), { method: 'POST', body: JSON.stringify({ text: 'hi' }) });
 * await response.text(); // → '1'
 * now += 1_000;
 * sim.stats('ops'); // → { delivered: 1, throttled: 0, rejected: 0, fault: 0, total: 1 }
 * await sim.stop();
 */
export async function startTeamsSimulator(options: TeamsSimulatorOptions = {}): Promise<TeamsSimulator> {
    const clock = options.clock ?? Date.now;
    const limits = options.limits ?? TEAMS_WEBHOOK_LIMITS;
    checkLimits(limits);
    const offsets = offsetsFor(limits, options.windowOffsetsMs);
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
    const rates = new Map<string, WebhookRateState>();
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

    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const at = clock();
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        const dialect = dialectOfPath(path);
        if (dialect === undefined || request.method !== 'POST') {
            request.resume();
            const status = dialect === undefined ? HTTP_STATUS.notFound : HTTP_STATUS.methodNotAllowed;
            send(response, { status, body: '' });
            return;
        }
        const body = await readBody(request);
        const webhook = names.get(path) ?? path;
        const base = { webhook, path, dialect, at, bodyText: body.text };
        if (removed.has(webhook)) {
            send(response, webhookGone);
            keep({ ...base, status: webhookGone.status, answer: webhookGone.body, outcome: 'rejected', reason: 'webhook removed' });
            return;
        }
        const fault = faults.draw(webhook);
        if (fault === undefined || (fault.fault === 'hang' && fault.delayMs !== undefined)) {
            const judge = dialect === 'connector' ? judgeConnectorRequest : judgeWorkflowsRequest;
            const verdict: Verdict = judge(body, rateStateOf(path), at, policy);
            const { answer, ...decided } = verdict;
            if (fault?.delayMs === undefined) send(response, answer);
            else answerLater(response, answer, fault.delayMs);
            const delayed = fault === undefined ? {} : { fault: fault.fault };
            keep({ ...base, ...decided, ...delayed, status: answer.status, answer: answer.body });
            return;
        }
        const answer = faultAnswer(fault.fault, dialect, policy.throttleWording);
        if (answer === undefined) {
            if (fault.fault === 'reset') request.socket.destroy();
            keep({ ...base, status: 0, answer: '', outcome: 'fault', fault: fault.fault });
            return;
        }
        send(response, answer);
        keep({ ...base, status: answer.status, answer: answer.body, outcome: 'fault', fault: fault.fault });
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
        connectorUrl(name) {
            const path = connectorPath(name);
            names.set(path, name);
            return `${baseUrl}${path}`;
        },
        workflowsUrl(name) {
            const pathAndQuery = workflowsPathAndQuery(name);
            names.set(new URL(pathAndQuery, baseUrl).pathname, name);
            return `${baseUrl}${pathAndQuery}`;
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
        violations(name, auditLimits = limits, outcomes = AUDITED_OUTCOMES) {
            const arrivals = recordsOf(name)
                .filter((record) => outcomes.includes(record.outcome))
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
            removed.clear();
            faults.clear();
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
