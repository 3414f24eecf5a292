import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMentionHandler } from '../../functions/mention.js';
import { getConfig, resetConfig } from '../../shared/config.js';
import { acceptQueueMessage } from '../../shared/notify/accept.js';
import { deliveryRuntime } from '../../shared/notify/runtime.js';
import { signTeamsBody } from '../../shared/mention/signature.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';

/** Four outgoing webhooks: one limited to `ops`, one limited to `dev` and an unconfigured alias, one that sees everything, one not set. */
const TOKENS = { ops: randomBytes(32), dev: randomBytes(32), admin: randomBytes(32), fresh: randomBytes(32) } as const;
/** A Workflows URL reached by `{url}` only; its path and signature are secrets that no card may show. */
const URL_TARGET = 'https://prod-07.westeurope.logic.azure.com/workflows/9f3c/triggers/manual/paths/invoke?api-version=1&sig=SECRET-SIGNATURE';
const savedEnv = { ...process.env };
const mention = createMentionHandler();
let azurite: TestAzurite;
let nextId = 1;

beforeAll(async () => {
    azurite = await startAzurite();
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.TEAMS_OUTGOING_WEBHOOK_SECRETS = Object.entries(TOKENS)
        .map(([name, key]) => `${name}:${key.toString('base64')}`)
        .join(',');
    process.env.TEAMS_MENTION_SCOPE_OPS = 'ops';
    process.env.TEAMS_MENTION_SCOPE_DEV = 'dev,staging';
    process.env.TEAMS_MENTION_SCOPE_ADMIN = '*';
    process.env.TEAMS_WEBHOOK_OPS = 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c';
    process.env.TEAMS_WEBHOOK_DEV = 'https://contoso.webhook.office.com/webhookb2/d/IncomingWebhook/e/f';
    process.env.ALLOW_URL_TARGETS = 'true';
    process.env.NOTIFICATIONS_QUEUE = 'status-test';
    resetConfig();
    // A dead letter for dev, and a {url} webhook with state: what only some scopes may see.
    const runtime = await deliveryRuntime(getConfig());
    await acceptQueueMessage({ id: 'url-job', to: { url: URL_TARGET }, text: 'hi' }, { messageId: 'm1', dequeuedAt: Date.now() }, runtime.store, runtime.config);
    await runtime.store.deadLetter({
        source: 'delivery',
        jobId: 'dev-job',
        webhookKey: undefined,
        alias: 'dev',
        job: undefined,
        message: undefined,
        reason: 'Teams answered 400',
        lastStatus: 400,
        lastBody: undefined,
        attempts: 1,
        firstAttemptAt: undefined,
        deadLetteredAt: Date.now(),
    });
});

afterAll(async () => {
    process.env = { ...savedEnv };
    resetConfig();
    await azurite.stop();
});

/** `@Relay status` signed with the token named `token`, as its outgoing webhook would send it. */
async function status(token: keyof typeof TOKENS): Promise<HttpResponseInit> {
    const body = Buffer.from(JSON.stringify({ type: 'message', id: String(nextId++), timestamp: new Date().toISOString(), text: '<at>Relay</at> status' }));
    const request = new HttpRequest({
        method: 'POST',
        url: `http://localhost/api/mention?id=${token}`,
        headers: { authorization: signTeamsBody(body, TOKENS[token]) },
        body: { bytes: body },
    });
    return mention(request, new InvocationContext({ logHandler: () => undefined }));
}

/** An element of the card's body, as far as this test reads it. */
interface CardElement {
    readonly type?: string;
    readonly weight?: string;
    readonly text?: string;
    readonly items?: readonly CardElement[];
}

/** The webhook names the card lists, in order: each webhook's section is a Container headed by its name in bold. */
function listedWebhooks(response: HttpResponseInit): string[] {
    const reply = response.jsonBody as { attachments?: { content: { body: CardElement[] } }[] };
    return (reply.attachments?.[0]?.content.body ?? []).flatMap((element) => {
        const heading = element.items?.[0];
        return element.type === 'Container' && heading?.type === 'TextBlock' && heading.weight === 'Bolder' ? [heading.text ?? ''] : [];
    });
}

describe('the status mention command', () => {
    it('answers with a card showing each webhook of the scope, read from storage, never a URL', async () => {
        const response = await status('ops');
        expect(response.status).toBe(200);
        const json = JSON.stringify(response.jsonBody);
        expect(json).toContain('application/vnd.microsoft.card.adaptive');
        expect(json).toContain('{"title":"Backlog","value":"0 jobs"}');
        expect(json).not.toContain('contoso.webhook.office.com');
    });

    it.each([
        {
            behaviour: 'shows a token limited to some aliases only those, and only their dead letters',
            token: 'ops',
            listed: ['ops'],
            shown: ['Webhooks this channel may see: ops', 'No dead letters.'],
            hidden: ['logic.azure.com'],
        },
        {
            behaviour: 'names the aliases of a scope that are not configured',
            token: 'dev',
            listed: ['dev'],
            shown: ['Not configured: staging (TEAMS_WEBHOOK_STAGING)', '1 dead letter(s)'],
            hidden: [],
        },
        {
            behaviour: 'shows a * token every alias, every dead letter and {url} webhooks by their host only',
            token: 'admin',
            listed: ['ops', 'dev', 'prod-07.westeurope.logic.azure.com ({url} target)'],
            shown: ['1 dead letter(s)'],
            hidden: ['SECRET-SIGNATURE', '/workflows/'],
        },
    ] as const)('$behaviour', async ({ token, listed, shown, hidden }) => {
        const response = await status(token);
        expect(listedWebhooks(response)).toEqual(listed);
        const json = JSON.stringify(response.jsonBody);
        for (const text of shown) expect(json).toContain(text);
        for (const text of hidden) expect(json).not.toContain(text);
    });

    it('tells a token without a scope, among several, which setting to add, and shows nothing', async () => {
        const response = await status('fresh');
        expect(response.status).toBe(200);
        expect(response.jsonBody).toEqual({
            type: 'message',
            text: 'This outgoing webhook (token `fresh`) may not see any webhook yet: several tokens are configured, so each one\'s scope must be set. An operator sets `TEAMS_MENTION_SCOPE_FRESH` to the aliases it may see, comma-separated, or `*` for all of them.',
        });
    });
});
