/** Mention path: throughput and latency of a signed `ping` through the local host, against a bare HMAC-checking `node:http` server. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signTeamsBody } from '../../shared/mention/index.js';
import { buildMentionActivity } from '../cli/mention-activity.js';
import { appEnvironment, appSnapshot, Cleanup, firstLine, spawnNode, startBenchAzurite, startBenchHost } from './processes.js';
import { result, round, type BenchResult } from './results.js';

/** Connections of the max-throughput run. */
const CONNECTIONS = 10;
/** Seconds of each autocannon run. */
const RUN_SECONDS = 10;
/** The fixed rate of the latency run (requests per second over all connections). */
const FIXED_RATE = 200;
/** Bytes of an outgoing-webhook token (base64 of 32 random bytes, docs/teams-facts.md#setting-one-up). */
const TOKEN_BYTES = 32;
/** The token's name in `TEAMS_OUTGOING_WEBHOOK_SECRETS`, selected with `?id=`. */
const TOKEN_NAME = 'bench';
/** Warm-up before measuring, so neither server is measured while its JIT is cold. */
const WARMUP_SECONDS = 2;
/** Target: the host keeps at least half the bare server's throughput. */
const MIN_THROUGHPUT_RATIO = 0.5;
/** Target: p99 latency at 200 req/s under 20 ms. */
const MAX_P99_MS = 20;

/**
 * A Teams activity for `@Relay ping`, as the CLI's `mention` builds it, sent now with an id of its own,
 * as Teams sends each message (the app answers a repeated id from its reply cache and refuses an old
 * timestamp, so reused bodies would measure neither the command nor the check).
 */
function activity(index: number): string {
    const now = Date.now();
    return JSON.stringify({ ...buildMentionActivity({ webhookName: 'Relay', text: 'ping', now }), id: `${now}-${index}` });
}

/** What one autocannon run measured. */
interface RunFigures {
    readonly requestsPerSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly non2xx: number;
    readonly errors: number;
}

async function load(url: string, requests: autocannon.Request[], options: { rate?: number; seconds: number }): Promise<RunFigures> {
    const figures = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: options.seconds,
        requests,
        ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    });
    return {
        requestsPerSecond: figures.requests.average,
        p50Ms: figures.latency.p50,
        p99Ms: figures.latency.p99,
        non2xx: figures.non2xx,
        errors: figures.errors,
    };
}

function describe(label: string, figures: RunFigures): string {
    return `${label}: ${round(figures.requestsPerSecond, 0)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, non-2xx ${figures.non2xx}, errors ${figures.errors}`;
}

/** Runs the mention benchmark; every process it starts is stopped before it returns or throws. */
export async function runMentionBench(log: (line: string) => void): Promise<BenchResult[]> {
    const cleanup = new Cleanup();
    try {
        const key = randomBytes(TOKEN_BYTES);
        let sequence = 0;
        const signed = (): { body: Buffer; headers: Record<string, string> } => {
            const body = Buffer.from(activity(sequence++), 'utf8');
            return { body, headers: { 'content-type': 'application/json', authorization: signTeamsBody(body, key) } };
        };
        // Each request a new activity, signed as it goes out; both servers get the same stream.
        const requests: autocannon.Request[] = [
            { method: 'POST', path: `/api/mention?id=${TOKEN_NAME}`, setupRequest: (request) => ({ ...request, ...signed() }) },
        ];

        const app = await appSnapshot();
        const bare = spawnNode(cleanup, [join('dist', 'tools', 'bench', 'bare-mention-server.js')], app, appEnvironment({ BENCH_MENTION_KEY: key.toString('base64') }));
        const bareUrl = `http://127.0.0.1:${await firstLine(bare)}`;
        const azurite = await startBenchAzurite(cleanup);
        const host = await startBenchHost(cleanup, azurite.connectionString, {
            TEAMS_OUTGOING_WEBHOOK_SECRETS: `${TOKEN_NAME}:${key.toString('base64')}`,
        });
        log(`  host ${host.url} (pid ${host.pid}), bare ${bareUrl} (pid ${bare.pid}), Azurite pid ${azurite.pid}`);

        const probe = signed();
        const check = await fetch(`${host.url}/api/mention?id=${TOKEN_NAME}`, { method: 'POST', headers: probe.headers, body: probe.body });
        const reply = await check.text();
        if (check.status !== 200 || !reply.includes('pong')) throw new Error(`the host did not answer the signed ping: ${check.status} ${reply}`);

        await load(bareUrl, requests, { seconds: WARMUP_SECONDS });
        await load(host.url, requests, { seconds: WARMUP_SECONDS });
        // Interleaved, so a slow phase of the noisy machine hits both sides alike.
        const bareMax = await load(bareUrl, requests, { seconds: RUN_SECONDS });
        log(`  ${describe('bare, max', bareMax)}`);
        const hostMax = await load(host.url, requests, { seconds: RUN_SECONDS });
        log(`  ${describe('host, max', hostMax)}`);
        const bareRate = await load(bareUrl, requests, { seconds: RUN_SECONDS, rate: FIXED_RATE });
        log(`  ${describe(`bare, ${FIXED_RATE}/s`, bareRate)}`);
        const hostRate = await load(host.url, requests, { seconds: RUN_SECONDS, rate: FIXED_RATE });
        log(`  ${describe(`host, ${FIXED_RATE}/s`, hostRate)}`);
        const failures = hostMax.non2xx + hostMax.errors + hostRate.non2xx + hostRate.errors;
        if (failures > 0) log(`  WARNING: ${failures} host requests failed or were not 2xx`);

        const ratio = hostMax.requestsPerSecond / bareMax.requestsPerSecond;
        return [
            result({
                name: 'mention.throughput',
                value: round(hostMax.requestsPerSecond, 0),
                unit: 'req/s',
                baseline: 'bare node:http + HMAC',
                baselineValue: round(bareMax.requestsPerSecond, 0),
                target: `>= ${MIN_THROUGHPUT_RATIO}x bare`,
                met: ratio >= MIN_THROUGHPUT_RATIO && failures === 0,
            }),
            result({ name: 'mention.p50-at-max', value: hostMax.p50Ms, unit: 'ms', baseline: 'bare', baselineValue: bareMax.p50Ms }),
            result({ name: 'mention.p99-at-max', value: hostMax.p99Ms, unit: 'ms', baseline: 'bare', baselineValue: bareMax.p99Ms }),
            result({ name: `mention.p50-at-${FIXED_RATE}rps`, value: hostRate.p50Ms, unit: 'ms', baseline: 'bare', baselineValue: bareRate.p50Ms }),
            result({
                name: `mention.p99-at-${FIXED_RATE}rps`,
                value: hostRate.p99Ms,
                unit: 'ms',
                baseline: 'bare',
                baselineValue: bareRate.p99Ms,
                target: `< ${MAX_P99_MS} ms`,
                met: hostRate.p99Ms < MAX_P99_MS && failures === 0,
            }),
        ];
    } finally {
        await cleanup.run();
    }
}
