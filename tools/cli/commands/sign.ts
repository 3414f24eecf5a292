/** `teams-relay sign`: a signed outgoing-webhook request, printed as `curl` or sent to the mention endpoint. */
import { resolve } from 'node:path';
import { DEFAULT_MENTION_MAX_AGE_SECONDS, parseOutgoingWebhookSecrets } from '../../../shared/mention/index.js';
import { ClientError, SystemError } from '../../../shared/platform/index.js';
import { checkFreshness, signTeamsBody } from '../../../shared/mention/index.js';
import { defineCliCommand, EXIT, exactlyOne, readFlagFile, type VerbValues, type CliContext, type CliIo } from '../command.js';
import { curlCommand } from '../curl.js';
import { buildMentionActivity, DEFAULT_WEBHOOK_NAME } from '../mention-activity.js';

/** Where `npm start` serves the mention endpoint: `http://127.0.0.1:${PORT:-7071}/api/...` (it listens on loopback by default). */
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = '7071';
const MENTION_PATH = '/api/mention';

/** Teams gives up on an outgoing webhook after 5 seconds (docs/teams-facts.md#reply). */
const TEAMS_REPLY_BUDGET_MS = 5_000;

/** How long `--send` waits for an answer before giving up: long enough to see a slow endpoint's reply. */
const SEND_TIMEOUT_MS = 30_000;

/** The content type Teams sends outgoing-webhook requests with. */
const CONTENT_TYPE = 'application/json; charset=utf-8';

/** Spaces per level when printing a JSON reply. */
const JSON_INDENT = 2;

const OPTIONS = {
    token: { type: 'string' },
    id: { type: 'string' },
    text: { type: 'string' },
    file: { type: 'string' },
    name: { type: 'string' },
    send: { type: 'string' },
    curl: { type: 'boolean' },
} as const;

const USAGE = `Usage: teams-relay sign [--token <base64> | --id <name>] (--text <text> | --file <activity.json>)
                         [--name <webhook name>] [--send <url>] [--curl]

Signs an outgoing-webhook request as Teams would (Authorization: HMAC <base64>, an HMAC-SHA256 of
the exact body bytes) and prints a ready-to-paste curl command, or sends it.

  --text <text>      build a realistic mention activity: "@<name> <text>" typed in a channel
  --file <path>      use this file's exact bytes as the body (any activity JSON)
  --name <name>      the outgoing webhook's name in the mention (default: ${DEFAULT_WEBHOOK_NAME}; with --text)
  --token <base64>   the security token Teams showed (44 characters ending in '=')
  --id <name>        the token named <name> in TEAMS_OUTGOING_WEBHOOK_SECRETS; adds ?id=<name> to the URL
                     (default token: the first one configured)
  --send <url>       POST it to <url> and print the status and the reply; exit 0 on 2xx, 1 otherwise
  --curl             print the curl command even with --send, instead of sending
  -h, --help         show this help

The URL defaults to http://${DEFAULT_HOST}:\${PORT:-${DEFAULT_PORT}}${MENTION_PATH}. Settings come from the
environment and local.settings.json "Values" in the current directory (the environment wins).

With --text the activity carries a new id and the current time as its timestamp, as Teams' do: the
app refuses it once it is older than MENTION_MAX_AGE_SECONDS (default ${DEFAULT_MENTION_MAX_AGE_SECONDS} s),
and answers a second send of the same printed request with the first reply. Sign again for a new one.

Examples:
  teams-relay sign --text ping
  teams-relay sign --id contoso --text "status ops" --send http://${DEFAULT_HOST}:7071/api/mention
  teams-relay sign --token "$TOKEN" --file activity.json | sh`;

type SignValues = VerbValues<typeof OPTIONS>;

/** The key to sign with and the name to select it by (`?id=`), if any. */
interface SigningKey {
    readonly key: Buffer;
    readonly selectedName: string | undefined;
}

async function signingKey(values: SignValues, context: CliContext): Promise<SigningKey> {
    if (values.token !== undefined && values.id !== undefined) {
        throw new ClientError('usage', '--token and --id cannot be combined: --id picks a configured token');
    }
    if (values.token !== undefined) {
        const parsed = parseOutgoingWebhookSecrets(values.token);
        const [only] = parsed.keys;
        if (parsed.problems.length > 0 || parsed.keys.length !== 1 || only === undefined) {
            throw new ClientError('usage', "--token must be the security token Teams showed: base64 of 32 bytes (44 characters ending in '=')");
        }
        return { key: only.key, selectedName: undefined };
    }
    const keys = (await context.config()).mention.keys;
    if (values.id === undefined) {
        const [first] = keys;
        if (first === undefined) {
            throw new ClientError('no_token', 'no token to sign with: pass --token, or set TEAMS_OUTGOING_WEBHOOK_SECRETS');
        }
        return { key: first.key, selectedName: undefined };
    }
    const named = keys.find((key) => key.name === values.id);
    if (named === undefined) {
        const known = keys.map((key) => key.name).join(', ') || 'none';
        throw new ClientError('unknown_token', `--id: no token named "${values.id}" in TEAMS_OUTGOING_WEBHOOK_SECRETS (configured: ${known})`);
    }
    return { key: named.key, selectedName: named.name };
}

/** Warns when a file's activity would be refused for its timestamp, which --file never changes. */
function warnIfNotFresh(activity: unknown, file: string, io: CliIo): void {
    const timestamp = typeof activity === 'object' && activity !== null && 'timestamp' in activity ? activity.timestamp : undefined;
    const verdict = checkFreshness(typeof timestamp === 'string' ? timestamp : undefined, Date.now(), DEFAULT_MENTION_MAX_AGE_SECONDS * 1_000);
    if (verdict.ok) {
        return;
    }
    const why = {
        no_timestamp: 'has no ISO 8601 timestamp; the mention endpoint will answer 400',
        stale: `has a timestamp older than ${DEFAULT_MENTION_MAX_AGE_SECONDS} s (MENTION_MAX_AGE_SECONDS' default); the mention endpoint will answer 401`,
        future: 'has a timestamp over a minute ahead; the mention endpoint will answer 401',
    }[verdict.reason];
    io.stderr(`warning: the activity in ${file} ${why}. Use --text for a fresh one.`);
}

async function requestBody(values: SignValues, io: CliIo): Promise<Buffer> {
    const content = exactlyOne(values, ['text', 'file']);
    if (content === 'file' && values.name !== undefined) {
        throw new ClientError('usage', '--name applies to --text only: with --file the body is sent as it is');
    }
    if (values.file !== undefined) {
        const bytes = await readFlagFile(io, '--file', values.file);
        let activity: unknown;
        try {
            activity = JSON.parse(bytes.toString('utf8'));
        } catch {
            io.stderr(`warning: ${values.file} is not valid JSON; the mention endpoint will answer 400`);
            return bytes;
        }
        warnIfNotFresh(activity, values.file, io);
        return bytes;
    }
    const activity = buildMentionActivity({ webhookName: values.name ?? DEFAULT_WEBHOOK_NAME, text: values.text ?? '' });
    return Buffer.from(JSON.stringify(activity), 'utf8');
}

function targetUrl(values: SignValues, io: CliIo, selectedName: string | undefined): URL {
    const text = values.send ?? `http://${DEFAULT_HOST}:${io.env['PORT'] ?? DEFAULT_PORT}${MENTION_PATH}`;
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        throw new ClientError('usage', `--send must be an http(s) URL, got "${text}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new ClientError('usage', `--send must be an http(s) URL, got a ${url.protocol} URL`);
    }
    if (selectedName !== undefined) {
        url.searchParams.set('id', selectedName);
    }
    return url;
}

/** A reply body for people: pretty JSON when it is JSON, else the text as it came. */
function formatReply(text: string): string {
    try {
        return JSON.stringify(JSON.parse(text), null, JSON_INDENT);
    } catch {
        return text;
    }
}

async function send(url: URL, headers: Record<string, string>, body: Buffer, io: CliIo): Promise<number> {
    const post = io.fetch ?? fetch;
    const started = performance.now();
    let response: Response;
    let reply: string;
    try {
        response = await post(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
        reply = await response.text();
    } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
        throw new SystemError('send_failed', `could not POST to ${url.origin}${url.pathname}: ${cause}`, { cause: error });
    }
    const elapsed = Math.round(performance.now() - started);
    io.stdout(`HTTP ${response.status} ${response.statusText} (${elapsed} ms)`);
    if (reply !== '') {
        io.stdout(formatReply(reply));
    }
    if (elapsed > TEAMS_REPLY_BUDGET_MS) {
        io.stderr(`warning: the answer took ${elapsed} ms; Teams gives up after ${TEAMS_REPLY_BUDGET_MS} ms`);
    }
    return response.ok ? EXIT.ok : EXIT.failure;
}

/** `teams-relay sign`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'sign', summary: 'sign a test mention as Teams would; print it as curl or --send it', usage: USAGE, options: OPTIONS },
    async ({ values }, context) => {
        const body = await requestBody(values, context.io);
        const { key, selectedName } = await signingKey(values, context);
        const url = targetUrl(values, context.io, selectedName);
        const headers = { 'Content-Type': CONTENT_TYPE, Authorization: signTeamsBody(body, key) };
        if (values.send !== undefined && values.curl !== true) {
            return send(url, headers, body, context.io);
        }
        const bodyFile = values.file === undefined ? {} : { bodyFile: resolve(context.io.cwd, values.file) };
        context.io.stdout(curlCommand({ url: url.href, headers, body, ...bodyFile }));
        return EXIT.ok;
    },
);
