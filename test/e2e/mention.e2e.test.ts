// End to end: POST /api/mention over HTTP against the `npm start` host, and the CLI's `sign --send` against it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTeamsBody } from '../../shared/mention/signature.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';
import { fixtureBytes, MSDOCS_EXAMPLE } from '../support/fixtures.js';
import { type AppHost, AppHosts, eventually, REPO_ROOT, tearDownScenario, uniqueQueueName } from './app-host.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'teams-relay.js');
const SECRETS = `contoso:${MSDOCS_EXAMPLE.token}`;
const KEY = Buffer.from(MSDOCS_EXAMPLE.token, 'base64');
/** One byte more than 1.1 MiB: over the 1 MiB the endpoint reads. */
const OVERSIZED_BYTES = Math.ceil(1.1 * 1024 * 1024);
/** What every refused signature gets, whatever the reason. */
const UNAUTHORIZED = { error: 'unauthorized', message: 'Unauthorized' };

let azurite: TestAzurite | undefined;
let host: AppHost;
const hosts = new AppHosts();

beforeAll(async () => {
    azurite = await startAzurite();
    host = await hosts.start({
        storage: azurite.connectionString,
        settings: { TEAMS_OUTGOING_WEBHOOK_SECRETS: SECRETS, NOTIFICATIONS_QUEUE: uniqueQueueName('mention') },
    });
});

afterAll(() => tearDownScenario(hosts, () => azurite?.stop()));

async function postMention(body: Uint8Array, headers: Record<string, string>, query = ''): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${host.url}/api/mention${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body,
    });
    const text = await response.text();
    let json: unknown;
    try {
        json = JSON.parse(text) as unknown;
    } catch {
        json = text;
    }
    return { status: response.status, json };
}

/** Activity ids: each activity its own, as Teams gives each message its own. */
let nextId = Date.now();

/** A mention as Teams sends it now: a new id, and the current time as its timestamp. */
function mentionActivity(text: string): Buffer {
    return Buffer.from(
        JSON.stringify({
            type: 'message',
            id: String(nextId++),
            timestamp: new Date().toISOString(),
            text: `<at>contoso</at>&nbsp;${text}\n`,
            from: { id: '29:1', name: 'Tester', aadObjectId: 'aad-1' },
            conversation: { id: '19:c@thread.skype', conversationType: 'channel', tenantId: 't-1' },
        }),
        'utf8',
    );
}

describe('POST /api/mention through npm start', () => {
    it("refuses Microsoft's documented example, correctly signed, with the generic 401: its 2017 timestamp is stale", async () => {
        const reply = await postMention(fixtureBytes(MSDOCS_EXAMPLE.path), { authorization: MSDOCS_EXAMPLE.authorization });
        expect(reply).toEqual({ status: 401, json: UNAUTHORIZED });
    });

    it('answers a repeated delivery of one activity with the first reply', async () => {
        const body = mentionActivity('whoami');
        const first = await postMention(body, { authorization: signTeamsBody(body, KEY) });
        const second = await postMention(body, { authorization: signTeamsBody(body, KEY) });
        expect(first.status).toBe(200);
        expect(second).toEqual(first);
        // The host writes its log in batches: wait for the line rather than expect it at once.
        const repeated = await eventually('the repeated mention event in the host log', () => (/teams-relay\.mention [^\n]*"repeated":true/.test(host.output()) ? true : undefined), 10_000, () => host.output());
        expect(repeated).toBe(true);
    });

    it('answers a signed ping with pong', async () => {
        const body = mentionActivity('ping');
        const reply = await postMention(body, { authorization: signTeamsBody(body, KEY) }, '?id=contoso');
        expect(reply.status).toBe(200);
        expect(reply.json).toMatchObject({ type: 'message', text: expect.stringMatching(/^pong\b/) as unknown });
    });

    it('refuses a forged MAC with the generic 401', async () => {
        const body = mentionActivity('ping');
        const forged = signTeamsBody(body, Buffer.alloc(32, 7));
        expect(await postMention(body, { authorization: forged })).toEqual({ status: 401, json: UNAUTHORIZED });
    });

    it('refuses a request without an Authorization header with the same 401', async () => {
        expect(await postMention(mentionActivity('ping'), {})).toEqual({ status: 401, json: UNAUTHORIZED });
    });

    it('refuses a correct MAC under an unknown ?id= with the same 401', async () => {
        const body = mentionActivity('ping');
        expect(await postMention(body, { authorization: signTeamsBody(body, KEY) }, '?id=fabrikam')).toEqual({ status: 401, json: UNAUTHORIZED });
    });

    it('refuses a body over 1 MiB with 413', async () => {
        const body = Buffer.alloc(OVERSIZED_BYTES, 0x20);
        const reply = await postMention(body, { authorization: signTeamsBody(body, KEY) });
        expect(reply.status).toBe(413);
    });

    it('answers a correctly signed body that is not JSON with 400', async () => {
        const body = Buffer.from('this is not json', 'utf8');
        const reply = await postMention(body, { authorization: signTeamsBody(body, KEY) });
        expect(reply.status).toBe(400);
    });
});

describe('teams-relay sign --send against npm start', () => {
    it('signs ping with the configured token, sends it, prints pong and exits 0', async () => {
        const env: NodeJS.ProcessEnv = { ...process.env, TEAMS_OUTGOING_WEBHOOK_SECRETS: SECRETS };
        const { stdout } = await run(process.execPath, [CLI, 'sign', '--text', 'ping', '--send', `${host.url}/api/mention`], {
            cwd: REPO_ROOT,
            env,
            encoding: 'utf8',
        });
        // execFile rejects on a non-zero exit, so reaching here means exit code 0.
        expect(stdout).toMatch(/^HTTP 200\b/m);
        expect(stdout).toMatch(/"text": "pong\b/);
    });
});
