import type { HttpRequest } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { hooksGitHub } from '../../functions/hooks-github.js';
import { signGitHubBody } from '../../shared/notify/producers/github-signature.js';
import { resetConfig } from '../../shared/config.js';
import { fixtureBytes } from '../support/fixtures.js';
import { GITHUB_CARD_SAMPLES } from '../support/github-deliveries.js';
import { useHookQueue } from '../support/hook-queue.js';
import { CONNECTOR_WEBHOOK_URL, idsOf, jsonPost, quietContext, WORKFLOWS_WEBHOOK_URL } from '../support/http-requests.js';

const SECRET = 'hook-secret-for-tests';
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const hooks = useHookQueue('hooks-github-test', {
    TEAMS_WEBHOOK_OPS: CONNECTOR_WEBHOOK_URL,
    TEAMS_WEBHOOK_DEV: WORKFLOWS_WEBHOOK_URL,
    GITHUB_WEBHOOK_SECRET: SECRET,
    TEAMS_MENTION_MAP_GITHUB: 'ada-l:ada@contoso.com',
    TEAMS_RELAY_FLOW_ALIASES: 'dev',
});
const queue = (): QueueClient => hooks.queue();

interface Delivery {
    readonly event: string;
    readonly body: Buffer;
    /** The `X-Hub-Signature-256` header; `null` sends none. @default a signature with the configured secret */
    readonly signature?: string | null;
    readonly deliveryId?: string;
    readonly query?: string;
}

function delivery({ event, body, signature = signGitHubBody(body, SECRET), deliveryId = DELIVERY, query = '?to=ops' }: Delivery): HttpRequest {
    const headers = { 'user-agent': 'GitHub-Hookshot/8f2b6a1', 'x-github-event': event, 'x-github-delivery': deliveryId, 'x-github-hook-id': '502937311' };
    return jsonPost('hooks/github', body, { query, headers: signature === null ? headers : { ...headers, 'x-hub-signature-256': signature } });
}

const context = () => quietContext('hooks-github');
const fixture = (name: string): Buffer => fixtureBytes(`producers/github/${name}.json`);

describe('POST /api/hooks/github', () => {
    it('posts a started workflow run only to relay-flow aliases, where its card turns into the result later', async () => {
        const response = await hooksGitHub(delivery({ event: 'workflow_run', body: fixture('workflow-run-in-progress'), deliveryId: 'b1c2d3e4-cc78-11e3-81ab-4c9367dc0958', query: '?to=ops,dev' }), context());
        expect(response.status).toBe(202);
        const ids = idsOf(response);
        expect(ids).toHaveLength(1);
        expect(ids[0]).toMatch(/^github\.dev\./);
        const jobs = await hooks.queuedJobs();
        expect(jobs.map((job) => [job.to, (job.card as { data: { status: string } } | undefined)?.data.status])).toEqual([['dev', 'running']]);
    });

    it('enqueues a review request that mentions the mapped reviewer, keyed to the pull request, and answers 202 with its id', async () => {
        const response = await hooksGitHub(delivery({ event: 'pull_request', body: fixture('pull-request-review-requested') }), context());
        expect(response.status).toBe(202);
        const ids = idsOf(response);
        expect(ids).toHaveLength(1);
        expect(ids[0]).toMatch(/^github\.ops\.[0-9a-f]{40}$/);
        const [job] = await hooks.queuedJobs();
        expect(job).toMatchObject({
            id: ids[0],
            to: 'ops',
            card: { template: 'pull-request', data: { repo: 'contoso/shop-api', number: 415 } },
            mentions: [{ id: 'ada@contoso.com', name: 'ada-l' }],
            threadKey: 'github:contoso/shop-api/pull/415',
        });
    });

    it.each(GITHUB_CARD_SAMPLES)('enqueues a %s delivery (%s) as a %s card', async (event, name, template) => {
        const response = await hooksGitHub(delivery({ event, body: fixture(name) }), context());
        expect(response.status).toBe(202);
        const jobs = await hooks.queuedJobs();
        expect(jobs.map((job) => (job.card as { template: string }).template)).toEqual([template]);
    });

    it('gives a redelivery (same X-GitHub-Delivery) the same job ids, and each alias its own', async () => {
        const body = fixture('release-published');
        const first = await hooksGitHub(delivery({ event: 'release', body, query: '?to=ops,dev' }), context());
        const again = await hooksGitHub(delivery({ event: 'release', body, query: '?to=ops,dev' }), context());
        const other = await hooksGitHub(delivery({ event: 'release', body, query: '?to=ops,dev', deliveryId: 'a1b2c3d4-0000-11e3-81ab-4c9367dc0958' }), context());
        expect(idsOf(first)).toHaveLength(2);
        expect(new Set(idsOf(first)).size).toBe(2);
        expect(idsOf(again)).toEqual(idsOf(first));
        expect(idsOf(other).some((id) => idsOf(first).includes(id))).toBe(false);
    });

    it('answers ping with 200 and enqueues nothing', async () => {
        const response = await hooksGitHub(delivery({ event: 'ping', body: fixture('ping') }), context());
        expect(response).toEqual({ status: 200, jsonBody: { ok: true, event: 'ping' } });
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it('answers other events 202 {"ignored": event} and enqueues nothing', async () => {
        const response = await hooksGitHub(delivery({ event: 'push', body: fixture('push') }), context());
        expect(response).toEqual({ status: 202, jsonBody: { ignored: 'push' } });
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it.each([
        ['no signature', null],
        ['a signature made with another secret', signGitHubBody(Buffer.from('{}'), 'another secret')],
        ['a malformed signature', 'sha256=not-hex'],
        ['the SHA-1 signature alone', 'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59'],
    ])('refuses a delivery with %s: 401, nothing enqueued', async (_what, signature) => {
        const response = await hooksGitHub(delivery({ event: 'release', body: fixture('release-published'), signature }), context());
        expect(response.status).toBe(401);
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it('checks the signature before parsing: a bad body with a bad signature is 401, with a good one 400', async () => {
        const body = Buffer.from('{"not json');
        expect((await hooksGitHub(delivery({ event: 'release', body, signature: 'sha256=' + '0'.repeat(64) }), context())).status).toBe(401);
        expect(await hooksGitHub(delivery({ event: 'release', body }), context())).toMatchObject({ status: 400, jsonBody: { error: 'bad_json' } });
    });

    it('refuses every delivery while no secret is configured (fail closed)', async () => {
        delete process.env.GITHUB_WEBHOOK_SECRET;
        resetConfig();
        try {
            const response = await hooksGitHub(delivery({ event: 'ping', body: fixture('ping') }), context());
            expect(response.status).toBe(401);
            expect(JSON.stringify(response.jsonBody)).not.toContain(SECRET);
        } finally {
            process.env.GITHUB_WEBHOOK_SECRET = SECRET;
            resetConfig();
        }
    });

    it('answers 400 naming what is wrong with a signed body that is not a GitHub payload', async () => {
        const body = Buffer.from(JSON.stringify({ action: 'completed', workflow_run: { id: 'x' } }));
        const response = await hooksGitHub(delivery({ event: 'workflow_run', body }), context());
        expect(response.status).toBe(400);
        expect(response.jsonBody).toMatchObject({ error: 'invalid_payload' });
        const problems = (response.jsonBody as { problems: string[] }).problems.join('\n');
        expect(problems).toContain('workflow_run.id: must be a whole number');
        expect(problems).toContain('repository: must be an object');
    });

    it('answers 400 naming an unknown alias', async () => {
        const response = await hooksGitHub(delivery({ event: 'release', body: fixture('release-published'), query: '?to=nope' }), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_target' } });
        expect(JSON.stringify(response.jsonBody)).toContain('unknown alias \\"nope\\"');
    });

    it('answers 413 to a body over 1 MiB', async () => {
        const body = Buffer.alloc(1024 * 1024 + 1, 0x20);
        expect((await hooksGitHub(delivery({ event: 'release', body }), context())).status).toBe(413);
    });
});
