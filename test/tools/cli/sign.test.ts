// `teams-relay sign`: the documented vector, curl commands that survive the shell byte for byte, and --send.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingWebhookKey } from '../../../shared/mention/settings.js';
import { FIXTURES_FOLDER, fixtureBytes, MSDOCS_EXAMPLE } from '../../support/fixtures.js';
import { startMentionEndpoint, type MentionEndpoint } from './mention-endpoint.js';
import { expectRefused, runMain, scratchFolder, type ScratchFolder } from './run-main.js';

const run = promisify(execFile);
const FIXTURE_FILE = `${FIXTURES_FOLDER}${MSDOCS_EXAMPLE.path}`;
const contoso: OutgoingWebhookKey = { name: 'contoso', key: Buffer.from(MSDOCS_EXAMPLE.token, 'base64') };
const otherToken = randomBytes(32).toString('base64');
const other: OutgoingWebhookKey = { name: 'other', key: Buffer.from(otherToken, 'base64') };
/** Both tokens, `other` first, as the app reads them. */
const SECRETS = `other:${otherToken},contoso:${MSDOCS_EXAMPLE.token}`;
const TRICKY_TEXT = `status ops — don't "quote" me, it's 100% $HOME \`id\` \\n 日本語 🚀 <b>&amp;`;

/** Runs a printed command through bash, as a user pasting it would. */
async function bash(command: string): Promise<string> {
    const { stdout } = await run('bash', ['-c', command], { encoding: 'utf8' });
    return stdout;
}

let endpoint: MentionEndpoint;
let folder: ScratchFolder | undefined;

beforeAll(async () => {
    endpoint = await startMentionEndpoint([other, contoso]);
});

afterAll(async () => {
    await endpoint.close();
});

afterEach(async () => {
    endpoint.received.length = 0;
    await folder?.remove();
    folder = undefined;
});

describe('teams-relay sign', () => {
    it('reproduces the documented test vector over the exact bytes of the Microsoft example', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--file', FIXTURE_FILE]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`-H 'Authorization: ${MSDOCS_EXAMPLE.authorization}'`);
    });

    it('warns that a file whose activity is stale will be refused, and signs it all the same', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--file', FIXTURE_FILE]);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe(`warning: the activity in ${FIXTURE_FILE} has a timestamp older than 300 s (MENTION_MAX_AGE_SECONDS' default); the mention endpoint will answer 401. Use --text for a fresh one.`);
    });

    it('warns that a file whose activity has no timestamp will be refused', async () => {
        folder = await scratchFolder();
        await writeFile(join(folder.path, 'activity.json'), '{"type":"message","text":"ping"}');
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--file', 'activity.json'], { cwd: folder.path });
        expect(result.stderr).toMatch(/has no ISO 8601 timestamp; the mention endpoint will answer 400/);
    });

    it('does not warn about a --text activity: it is stamped now', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping']);
        expect(result.stderr).toBe('');
    });

    it('prints a curl command that delivers the fixture byte for byte', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--file', FIXTURE_FILE, '--send', endpoint.url, '--curl']);
        const response = await bash(result.stdout);
        expect(response).toMatch(/^HTTP\/1\.1 200/);
        expect(endpoint.received[0]?.body.equals(fixtureBytes(MSDOCS_EXAMPLE.path))).toBe(true);
    });

    it("prints a curl command whose signature the endpoint accepts for text with quotes, shell syntax and multi-byte characters", async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', TRICKY_TEXT, '--send', endpoint.url, '--curl']);
        await bash(result.stdout);
        expect(endpoint.received[0]?.check).toEqual({ ok: true, keyName: 'contoso' });
    });

    it('keeps the typed text intact through the shell', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', TRICKY_TEXT, '--send', endpoint.url, '--curl']);
        await bash(result.stdout);
        const activity = JSON.parse(endpoint.received[0]?.body.toString('utf8') ?? '{}') as { text?: string };
        const escaped = TRICKY_TEXT.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
        expect(activity.text).toBe(`<at>teams-relay</at>&nbsp;${escaped}\n`);
    });

    it('sends with the JSON content type Teams uses', async () => {
        await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping', '--send', endpoint.url]);
        expect(endpoint.received[0]?.contentType).toBe('application/json; charset=utf-8');
    });

    it('prints the curl command for the local mention endpoint when not sending', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping'], { env: { PORT: '7999' } });
        expect(result.stdout).toContain("'http://127.0.0.1:7999/api/mention'");
    });

    it('with --send, prints the status and the reply as pretty JSON and exits 0 on 2xx', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping', '--send', endpoint.url]);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(/^HTTP 200 OK \(\d+ ms\)\n\{\n {2}"type": "message",\n {2}"text": "signed with contoso"\n\}$/);
    });

    it('with --send, exits 1 when the endpoint refuses the request', async () => {
        const wrongToken = randomBytes(32).toString('base64');
        const result = await runMain(['sign', '--token', wrongToken, '--text', 'ping', '--send', endpoint.url]);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^HTTP 401 Unauthorized/);
    });

    it('with --send, exits 1 naming the endpoint when nothing listens there', async () => {
        const result = await runMain(['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping', '--send', 'http://127.0.0.1:9/api/mention']);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('could not POST to http://127.0.0.1:9/api/mention');
    });

    it('signs with the first configured token by default', async () => {
        await runMain(['sign', '--text', 'ping', '--send', endpoint.url], { env: { TEAMS_OUTGOING_WEBHOOK_SECRETS: SECRETS } });
        expect(endpoint.received[0]?.check).toEqual({ ok: true, keyName: 'other' });
    });

    it('signs with the token named by --id and selects it with ?id=', async () => {
        await runMain(['sign', '--id', 'contoso', '--text', 'ping', '--send', endpoint.url], {
            env: { TEAMS_OUTGOING_WEBHOOK_SECRETS: SECRETS },
        });
        expect(endpoint.received[0]).toMatchObject({ selectedName: 'contoso', check: { ok: true, keyName: 'contoso' } });
    });

    it('puts ?id= on the printed curl URL too', async () => {
        const result = await runMain(['sign', '--id', 'contoso', '--text', 'ping'], { env: { TEAMS_OUTGOING_WEBHOOK_SECRETS: SECRETS } });
        expect(result.stdout).toContain("'http://127.0.0.1:7071/api/mention?id=contoso'");
    });

    it('reads the tokens from local.settings.json in the working directory', async () => {
        folder = await scratchFolder({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `contoso:${MSDOCS_EXAMPLE.token}` });
        const result = await runMain(['sign', '--file', FIXTURE_FILE], { cwd: folder.path });
        expect(result.stdout).toContain(MSDOCS_EXAMPLE.authorization);
    });

    it('lets the environment win over local.settings.json', async () => {
        folder = await scratchFolder({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `contoso:${otherToken}` });
        const result = await runMain(['sign', '--file', FIXTURE_FILE], {
            cwd: folder.path,
            env: { TEAMS_OUTGOING_WEBHOOK_SECRETS: `contoso:${MSDOCS_EXAMPLE.token}` },
        });
        expect(result.stdout).toContain(MSDOCS_EXAMPLE.authorization);
    });

    it.each([
        ['naming the key when the configured tokens are invalid', ['sign', '--text', 'ping'], { TEAMS_OUTGOING_WEBHOOK_SECRETS: 'contoso:not-a-token' }, 'TEAMS_OUTGOING_WEBHOOK_SECRETS entry 1'],
        ['when no token is given or configured', ['sign', '--text', 'ping'], {}, 'no token to sign with'],
        ['listing the configured names when --id names none of them', ['sign', '--id', 'fabrikam', '--text', 'ping'], { TEAMS_OUTGOING_WEBHOOK_SECRETS: SECRETS }, 'no token named "fabrikam" in TEAMS_OUTGOING_WEBHOOK_SECRETS (configured: other, contoso)'],
        ['when --token is not a 32-byte base64 token', ['sign', '--token', 'c2VjcmV0', '--text', 'ping'], {}, '--token must be the security token Teams showed'],
        ['when both --text and --file are given', ['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping', '--file', FIXTURE_FILE], {}, '--text and --file cannot be combined'],
        ['when neither --text nor --file is given', ['sign', '--token', MSDOCS_EXAMPLE.token], {}, 'one of --text, --file is required'],
        ['naming the file when --file cannot be read', ['sign', '--token', MSDOCS_EXAMPLE.token, '--file', '/nonexistent/activity.json'], {}, '--file: cannot read /nonexistent/activity.json (ENOENT)'],
        ['when --send is not an http(s) URL', ['sign', '--token', MSDOCS_EXAMPLE.token, '--text', 'ping', '--send', 'ftp://example.com/'], {}, '--send must be an http(s) URL'],
    ])('exits 2 %s', async (_, argv, env, message) => {
        expectRefused(await runMain(argv, { env }), message);
    });
});
