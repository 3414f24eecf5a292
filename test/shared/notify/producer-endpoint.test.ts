// The producer endpoint pipeline with a stand-in converter: body limits, answers, aliases, routes, ids, and the queue (a real Azurite).
import { HttpRequest, InvocationContext } from '@azure/functions';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerProducerHook, producerJobId, type ProducerEndpoint } from '../../../shared/notify/producers/endpoint.js';
import type { Conversion } from '../../../shared/notify/producers/conversion.js';
import { type AppConfig, loadConfig } from '../../../shared/config.js';
import { ClientError, MAX_REQUEST_BODY_BYTES } from '../../../shared/platform/index.js';
import { useHookQueue } from '../../support/hook-queue.js';
import { CONNECTOR_WEBHOOK_URL, jsonPost, quietContext, WORKFLOWS_WEBHOOK_URL } from '../../support/http-requests.js';

const hooks = useHookQueue('producer-endpoint-test', {
    TEAMS_WEBHOOK_OPS: CONNECTOR_WEBHOOK_URL,
    TEAMS_WEBHOOK_DBA: WORKFLOWS_WEBHOOK_URL,
    ROUTES_ALERTS: 'team=db:dba;severity=critical:ops,dba',
});
const queuedJobs = () => hooks.queuedJobs();
let config: AppConfig;

beforeAll(() => {
    config = loadConfig(process.env);
});

/** A stand-in producer: `{"title": ...}` becomes one message card; `{"event": "skip"}` is ignored; `{"event": "ping"}` acknowledged. */
const standIn: ProducerEndpoint = {
    name: 'standin',
    format: 'a stand-in notification',
    routesAlerts: true,
    convert(body): Conversion {
        const record = body as { title?: unknown; event?: unknown; labels?: Record<string, string>; key?: string };
        if (record.event === 'skip') return { kind: 'ignored', event: 'skip' };
        if (record.event === 'ping') return { kind: 'acknowledged', event: 'ping' };
        if (typeof record.title !== 'string') return { kind: 'invalid', problems: ['title: must be a string'] };
        return {
            kind: 'jobs',
            labels: record.labels ?? {},
            jobs: [{ identity: `standin:${record.title}`, updateKey: record.key ?? 'group-1', card: { template: 'message', data: { title: record.title } } }],
        };
    },
};

const post = (body: string | Buffer, query = '', headers: Record<string, string> = {}) => jsonPost('hooks/standin', body, { query, headers });
const context = () => quietContext('hooks-standin');

describe('answerProducerHook', () => {
    it('enqueues one job per alias with a stable id, createdAt and updateKey, and answers 202 with the ids', async () => {
        const response = await answerProducerHook(standIn, post(JSON.stringify({ title: 'Disk full' }), '?to=ops,DBA'), context(), { config });
        const ids = [producerJobId('standin', 'ops', 'standin:Disk full'), producerJobId('standin', 'dba', 'standin:Disk full')];
        expect(response).toEqual({ status: 202, jsonBody: { ids } });
        const jobs = await queuedJobs();
        expect(jobs.map((job) => job.id).sort()).toEqual([...ids].sort());
        for (const job of jobs) {
            expect(job).toMatchObject({ card: { template: 'message', data: { title: 'Disk full' } }, updateKey: 'group-1' });
            expect(typeof job.createdAt).toBe('number');
        }
    });

    it('gives the same ids to the same notification posted twice', async () => {
        const first = await answerProducerHook(standIn, post(JSON.stringify({ title: 'Again' }), '?to=ops'), context(), { config });
        const second = await answerProducerHook(standIn, post(JSON.stringify({ title: 'Again' }), '?to=ops'), context(), { config });
        expect(second.jsonBody).toEqual(first.jsonBody);
    });

    it('accepts several to parameters and names each alias once', async () => {
        const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/hooks/standin?to=ops&to=ops,dba', body: { string: JSON.stringify({ title: 'x' }) } });
        const response = await answerProducerHook(standIn, request, context(), { config });
        expect((response.jsonBody as { ids: string[] }).ids).toHaveLength(2);
    });

    it('routes by the common labels when to is absent: first match wins', async () => {
        const db = await answerProducerHook(standIn, post(JSON.stringify({ title: 'a', labels: { team: 'db', severity: 'critical' } })), context(), { config });
        expect(db.jsonBody).toEqual({ ids: [producerJobId('standin', 'dba', 'standin:a')] });
        const critical = await answerProducerHook(standIn, post(JSON.stringify({ title: 'b', labels: { severity: 'critical' } })), context(), { config });
        expect(critical.jsonBody).toEqual({ ids: [producerJobId('standin', 'ops', 'standin:b'), producerJobId('standin', 'dba', 'standin:b')] });
    });

    it('answers 400 saying so when to is absent and no route matches, and enqueues nothing', async () => {
        const response = await answerProducerHook(standIn, post(JSON.stringify({ title: 'a', labels: { team: 'web' } })), context(), { config });
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_target' } });
        expect(JSON.stringify(response.jsonBody)).toContain('no ROUTES_ALERTS route matches');
        expect(await queuedJobs()).toEqual([]);
    });

    it('names ROUTES_ALERTS when it is unset and to is absent', async () => {
        const plain = loadConfig({ ...process.env, ROUTES_ALERTS: '' });
        const response = await answerProducerHook(standIn, post(JSON.stringify({ title: 'a' })), context(), { config: plain });
        expect(JSON.stringify(response.jsonBody)).toContain('or set ROUTES_ALERTS');
    });

    it('asks for to, without routes, for a producer that does not route alerts', async () => {
        const response = await answerProducerHook({ ...standIn, routesAlerts: false }, post(JSON.stringify({ title: 'a', labels: { team: 'db' } })), context(), { config });
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_target' } });
        expect(JSON.stringify(response.jsonBody)).toContain('name the alias(es)');
    });

    it('refuses unknown aliases by name, and an entry that is not an alias without quoting it', async () => {
        const url = 'https://prod-07.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=SECRET';
        const response = await answerProducerHook(standIn, post(JSON.stringify({ title: 'a' }), `?to=ops,nobody,${encodeURIComponent(url)}`), context(), { config });
        expect(response.status).toBe(400);
        const text = JSON.stringify(response.jsonBody);
        expect(text).toContain('unknown alias \\"nobody\\"');
        expect(text).toContain('entry 3 is not an alias');
        expect(text).not.toContain('SECRET');
        expect(await queuedJobs()).toEqual([]);
    });

    it('answers 400 bad_json for a body that is not JSON', async () => {
        const response = await answerProducerHook(standIn, post('{"title":'), context(), { config });
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_json' } });
    });

    it('answers 400 bad_json for JSON nested too deeply to walk', async () => {
        const response = await answerProducerHook(standIn, post(`${'['.repeat(200)}${']'.repeat(200)}`), context(), { config });
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_json' } });
    });

    it("answers 400 naming the converter's problems for a body in another format", async () => {
        const response = await answerProducerHook(standIn, post('{"name":"x"}', '?to=ops'), context(), { config });
        expect(response).toEqual({ status: 400, jsonBody: { error: 'invalid_payload', message: 'The body is not a stand-in notification', problems: ['title: must be a string'] } });
    });

    it('answers 202 naming an ignored event, and 200 to an acknowledged one, enqueuing nothing', async () => {
        expect(await answerProducerHook(standIn, post('{"event":"skip"}', '?to=ops'), context(), { config })).toEqual({ status: 202, jsonBody: { ignored: 'skip' } });
        expect(await answerProducerHook(standIn, post('{"event":"ping"}'), context(), { config })).toEqual({ status: 200, jsonBody: { ok: true, event: 'ping' } });
        expect(await queuedJobs()).toEqual([]);
    });

    it('answers 413 for a body over 1 MiB, before converting it', async () => {
        let converted = false;
        const watching: ProducerEndpoint = { ...standIn, convert: (body, input) => ((converted = true), standIn.convert(body, input)) };
        const body = JSON.stringify({ title: 'x'.repeat(MAX_REQUEST_BODY_BYTES) });
        const response = await answerProducerHook(watching, post(body, '?to=ops'), context(), { config });
        expect(response).toMatchObject({ status: 413, jsonBody: { error: 'body_too_large' } });
        expect(converted).toBe(false);
    });

    it("runs the producer's signature check on the raw bytes before parsing, and answers its 401", async () => {
        const seen: string[] = [];
        const signed: ProducerEndpoint = {
            ...standIn,
            verify(raw, input) {
                seen.push(raw.toString('utf8'));
                if (input.header('X-Signature') !== 'good') throw new ClientError('bad_signature', 'The signature does not match', 401);
            },
        };
        const refused = await answerProducerHook(signed, post('not json at all', '?to=ops'), context(), { config });
        expect(refused).toEqual({ status: 401, jsonBody: { error: 'bad_signature', message: 'The signature does not match' } });
        expect(seen).toEqual(['not json at all']);
        const accepted = await answerProducerHook(signed, post('{"title":"ok"}', '?to=ops', { 'x-signature': 'good' }), context(), { config });
        expect(accepted.status).toBe(202);
    });

    it('answers 400 unsendable, naming the alias and problem, for a job that would fail at send time, and enqueues none of them', async () => {
        const broken: ProducerEndpoint = {
            ...standIn,
            convert: () => ({ kind: 'jobs', jobs: [{ identity: 'x', card: { template: 'message', data: { title: 'x'.repeat(30_000) } } }] }),
        };
        const response = await answerProducerHook(broken, post('{}', '?to=ops,dba'), context(), { config });
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'unsendable' } });
        const problems = (response.jsonBody as { problems: string[] }).problems;
        expect(problems.some((problem) => problem.startsWith('ops: ') && problem.includes('24576-byte'))).toBe(true);
        expect(await queuedJobs()).toEqual([]);
    });

    it('hashes an updateKey that does not fit the job schema, keeping it stable', async () => {
        const response = await answerProducerHook(standIn, post(JSON.stringify({ title: 'k', key: 'g'.repeat(300) }), '?to=ops'), context(), { config });
        expect(response.status).toBe(202);
        const [job] = await queuedJobs();
        expect(job?.updateKey).toMatch(/^standin:[0-9a-f]{64}$/);
    });

    it('reads the configuration inside its error handling: a bad configuration answers a generic 500, never the problem', async () => {
        const broken = () => loadConfig({ TEAMS_WEBHOOK_OPS: 'not a url SECRET' });
        const response = await answerProducerHook(standIn, post('{"title":"x"}', '?to=ops'), context(), { config: broken });
        expect(response.status).toBe(500);
        expect(JSON.stringify(response.jsonBody)).not.toContain('SECRET');
        expect(JSON.stringify(response.jsonBody)).not.toContain('TEAMS_WEBHOOK_OPS');
    });

    it('answers a generic 500 when the queue fails, without a stack trace, so the producer retries', async () => {
        const logged: unknown[] = [];
        const logging = new InvocationContext({ functionName: 'hooks-standin', invocationId: 't', logHandler: (_level, ...args) => logged.push(...args) });
        const failing = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:10001'));
        const response = await answerProducerHook(standIn, post('{"title":"x"}', '?to=ops'), logging, { config, enqueue: failing });
        expect(response.status).toBe(500);
        expect(JSON.stringify(response.jsonBody)).not.toMatch(/ECONNREFUSED|at /);
        expect(logged.length).toBeGreaterThan(0);
    });
});

describe('producerJobId', () => {
    it('is at most 128 characters of allowed characters for the longest producer name and alias', () => {
        const id = producerJobId('azure-monitor', 'a'.repeat(64), 'anything');
        expect(id.length).toBeLessThanOrEqual(128);
        expect(id).not.toMatch(/[/\\#?]/);
    });

    it('differs by alias and by identity', () => {
        expect(producerJobId('p', 'ops', 'x')).not.toBe(producerJobId('p', 'dba', 'x'));
        expect(producerJobId('p', 'ops', 'x')).not.toBe(producerJobId('p', 'ops', 'y'));
    });
});
