import type { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { notifications } from '../../functions/notifications.js';
import { resetConfig } from '../../shared/config.js';
import { URL_TARGETS_OFF } from '../../shared/notify/accept.js';
import { nestedContainersJob } from '../support/deep-cards.js';
import { useHookQueue } from '../support/hook-queue.js';
import { CONNECTOR_WEBHOOK_URL, jsonPost, quietContext, WORKFLOWS_WEBHOOK_URL } from '../support/http-requests.js';

const hooks = useHookQueue('notifications-http-test', { TEAMS_WEBHOOK_OPS: CONNECTOR_WEBHOOK_URL, TEAMS_WEBHOOK_FLOW: WORKFLOWS_WEBHOOK_URL });
const queue = (): QueueClient => hooks.queue();
const post = (body: string) => jsonPost('notifications', body);
const context = () => quietContext('notifications');

describe('POST /api/notifications', () => {
    it('enqueues a valid job as plain JSON with an id and createdAt, and answers 202 with the id', async () => {
        const response = await notifications(post(JSON.stringify({ id: 'deploy-4711', to: 'ops', text: 'Deployed **api** v2.3' })), context());
        expect(response).toMatchObject({ status: 202, jsonBody: { id: 'deploy-4711' } });
        const [message] = (await queue().receiveMessages({ numberOfMessages: 32 })).receivedMessageItems;
        const job = JSON.parse(message?.messageText ?? '{}') as Record<string, unknown>;
        expect(job).toMatchObject({ id: 'deploy-4711', to: 'ops', text: 'Deployed **api** v2.3' });
        expect(typeof job.createdAt).toBe('number');
        await queue().deleteMessage(message?.messageId ?? '', message?.popReceipt ?? '');
    });

    it('assigns an id when the job has none', async () => {
        const response = await notifications(post(JSON.stringify({ to: 'OPS', text: 'hi' })), context());
        expect(response.status).toBe(202);
        expect((response.jsonBody as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
        await queue().clearMessages();
    });

    it('answers 400 naming every problem, and enqueues nothing', async () => {
        const response = await notifications(post(JSON.stringify({ to: 'dev', text: 'a', card: { template: 'message', data: {} } })), context());
        expect(response.status).toBe(400);
        const problems = (response.jsonBody as { problems: string[] }).problems.join('\n');
        expect(problems).toContain('exactly one content field');
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it('answers 400 naming an unknown alias', async () => {
        const response = await notifications(post(JSON.stringify({ to: 'dev', text: 'a' })), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'invalid_job' } });
        expect(JSON.stringify(response.jsonBody)).toContain('unknown alias \\"dev\\"');
    });

    it('answers 400 naming ALLOW_URL_TARGETS for a {url} target while it is off, never echoing the URL, and enqueues nothing', async () => {
        const url = 'https://prod-07.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=SECRET';
        const response = await notifications(post(JSON.stringify({ to: { url }, text: 'a' })), context());
        expect(response).toEqual({ status: 400, jsonBody: { error: 'invalid_job', problems: [URL_TARGETS_OFF] } });
        expect(JSON.stringify(response.jsonBody)).not.toContain('SECRET');
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it('enqueues a {url} target once ALLOW_URL_TARGETS is on', async () => {
        process.env.ALLOW_URL_TARGETS = 'true';
        resetConfig();
        try {
            const url = 'https://prod-07.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s';
            const response = await notifications(post(JSON.stringify({ to: { url }, text: 'a' })), context());
            expect(response.status).toBe(202);
            expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(1);
        } finally {
            delete process.env.ALLOW_URL_TARGETS;
            resetConfig();
            await queue().clearMessages();
        }
    });

    it('answers 400 for a body that is not JSON', async () => {
        expect(await notifications(post('{"to":'), context())).toMatchObject({ status: 400, jsonBody: { error: 'bad_json' } });
    });

    it('answers 400 to a card of 1,200 nested Containers, naming the depth, and enqueues nothing', async () => {
        const body = JSON.stringify(nestedContainersJob(1_200));
        const response = await notifications(post(body), context());
        expect(response).toEqual({ status: 400, jsonBody: { error: 'invalid_job', problems: ['adaptiveCard.body[0].items…: nested more than 64 levels deep (objects and arrays)'] } });
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it('answers 400 to 30,000 nested arrays without overflowing the stack', async () => {
        const response = await notifications(post(`{"to":"ops","adaptiveCard":${'['.repeat(30_000)}${']'.repeat(30_000)}}`), context());
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.jsonBody)).toContain('nested more than 64 levels deep');
    });

    it("answers 400 to a card its destination's dialect would refuse at send time", async () => {
        const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Table', columns: [{ width: 1 }], rows: [] }] };
        const refused = await notifications(post(JSON.stringify({ to: 'flow', adaptiveCard: card })), context());
        expect(refused.status).toBe(400);
        expect((refused.jsonBody as { problems: string[] }).problems).toEqual([expect.stringMatching(/^adaptiveCard: The card breaks Workflows rules: body\[0\]: Table needs card version 1.5/)]);
        expect((await notifications(post(JSON.stringify({ to: 'ops', adaptiveCard: card })), context())).status).toBe(202);
        await queue().clearMessages();
    });

    it('answers 400 to a job whose payload would be over the safe size', async () => {
        const response = await notifications(post(JSON.stringify({ to: 'ops', text: 'x'.repeat(30_000) })), context());
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.jsonBody)).toContain('over the 24576-byte safe limit');
    });

    it('answers 413 for a body over 64 KiB', async () => {
        const response = await notifications(post(JSON.stringify({ to: 'ops', text: 'x'.repeat(70_000) })), context());
        expect(response.status).toBe(413);
    });
});
