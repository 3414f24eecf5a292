import { HttpRequest, InvocationContext } from '@azure/functions';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mention } from '../../functions/mention.js';
import { resetConfig } from '../../shared/config/index.js';
import { signTeamsBody } from '../../shared/signature/index.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';

const TOKEN = randomBytes(32);
const savedEnv = { ...process.env };
let azurite: TestAzurite;

beforeAll(async () => {
    azurite = await startAzurite();
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.TEAMS_OUTGOING_WEBHOOK_SECRETS = TOKEN.toString('base64');
    process.env.TEAMS_WEBHOOK_OPS = 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c';
    process.env.NOTIFICATIONS_QUEUE = 'status-test';
    resetConfig();
});

afterAll(async () => {
    process.env = { ...savedEnv };
    resetConfig();
    await azurite.stop();
});

describe('the status mention command', () => {
    it('answers with a card showing each configured webhook, read from storage', async () => {
        const body = Buffer.from(JSON.stringify({ type: 'message', text: '<at>Relay</at> status' }));
        const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/mention', headers: { authorization: signTeamsBody(body, TOKEN) }, body: { bytes: body } });
        const response = await mention(request, new InvocationContext({ logHandler: () => undefined }));
        expect(response.status).toBe(200);
        const json = JSON.stringify(response.jsonBody);
        expect(json).toContain('application/vnd.microsoft.card.adaptive');
        expect(json).toContain('"ops"');
        expect(json).toContain('{"title":"Backlog","value":"0 jobs"}');
        expect(json).not.toContain('contoso.webhook.office.com');
    });
});
