import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../shared/platform/errors.js';
import { type NotificationJob, notificationJobSchema, validateJob, type ValidJob } from '../../../shared/notify/jobs.js';
import { MAX_JSON_DEPTH } from '../../../shared/platform/json-depth.js';
import { buildTeamsPayload, messageCardToAdaptiveCard, SAFE_PAYLOAD_BYTES } from '../../../shared/notify/payload.js';
import { nestedContainersJob } from '../../support/deep-cards.js';

function valid(job: NotificationJob): ValidJob {
    const result = validateJob(job);
    if (!result.ok) {
        throw new Error(result.problems.join('; '));
    }
    return result.job;
}

const parse = async (job: NotificationJob, dialect: 'connector' | 'workflows') => JSON.parse((await buildTeamsPayload(valid(job), dialect)).body) as Record<string, unknown>;

const messageCard = {
    '@type': 'MessageCard' as const,
    '@context': 'https://schema.org/extensions',
    summary: 'Build failed',
    title: 'Build 42 failed',
    sections: [{ activityTitle: 'api', facts: [{ name: 'Branch', value: 'main' }] }],
    potentialAction: [{ '@type': 'OpenUri', name: 'Open build', targets: [{ os: 'default', uri: 'https://ci.test/42' }] }],
};

describe('buildTeamsPayload', () => {
    it('sends text to a connector as {text}', async () => {
        expect(await parse({ to: 'ops', text: 'Deployed **api**' }, 'connector')).toEqual({ text: 'Deployed **api**' });
    });

    it('sends text to Workflows as a one-TextBlock card in the envelope with contentUrl null', async () => {
        expect(await parse({ to: 'ops', text: 'hi' }, 'workflows')).toEqual({
            type: 'message',
            attachments: [
                {
                    contentType: 'application/vnd.microsoft.card.adaptive',
                    contentUrl: null,
                    content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'hi', wrap: true }] },
                },
            ],
        });
    });

    it('lowers a card version above 1.4 for Workflows but keeps it for connectors', async () => {
        const job = { to: 'ops', adaptiveCard: { type: 'AdaptiveCard' as const, version: '1.6', body: [] } };
        expect(await parse(job, 'workflows')).toMatchObject({ attachments: [{ content: { version: '1.4' } }] });
        expect(await parse(job, 'connector')).toMatchObject({ attachments: [{ contentUrl: null, content: { version: '1.6' } }] });
    });

    it('refuses to lower a card for Workflows when something in it needs a higher version', async () => {
        const job = { to: 'ops', adaptiveCard: { type: 'AdaptiveCard' as const, version: '1.6', body: [{ type: 'Table', columns: [{ width: 1 }], rows: [] }] } };
        const failure = buildTeamsPayload(valid(job), 'workflows');
        await expect(failure).rejects.toMatchObject({ name: 'PermanentError', code: 'invalid_card' });
        await expect(failure).rejects.toThrow('The card breaks Workflows rules: body[0]: Table needs card version 1.5; Workflows cards render at most 1.4');
        expect(await parse(job, 'connector')).toMatchObject({ attachments: [{ content: { version: '1.6' } }] });
    });

    it('gives a Workflows card without a version version 1.4', async () => {
        const job = { to: 'ops', adaptiveCard: { type: 'AdaptiveCard' as const, body: [{ type: 'TextBlock', text: 'hi' }] } };
        expect(await parse(job, 'workflows')).toMatchObject({ attachments: [{ content: { version: '1.4' } }] });
    });

    it('refuses a card that breaks the destination rules as a permanent failure naming every problem', async () => {
        const job = {
            to: 'ops',
            adaptiveCard: { type: 'AdaptiveCard' as const, version: '1.4', body: [{ type: 'TextBlock', text: 'x', size: 'Hugee' }], actions: [{ type: 'Action.Submit', title: 'Ack' }] },
        };
        for (const [dialect, label] of [['connector', 'connector'], ['workflows', 'Workflows']] as const) {
            const failure = buildTeamsPayload(valid(job), dialect);
            await expect(failure).rejects.toMatchObject({ code: 'invalid_card' });
            await expect(failure).rejects.toThrow(
                `The card breaks ${label} rules: actions[0]: Action.Submit is not supported by incoming webhooks; body[0].size: Invalid value "Hugee" for TextBlock.size`,
            );
        }
    });

    it('checks the card a text becomes for Workflows, but not the text a connector gets', async () => {
        const job = { to: 'ops', text: 'Paging <at>Ann</at>' };
        await expect(buildTeamsPayload(valid(job), 'workflows')).rejects.toThrow('body[0].text: <at>Ann</at> has no mention entity');
        expect(await parse(job, 'connector')).toEqual({ text: 'Paging <at>Ann</at>' });
    });

    it('keeps a card version of 1.2 for Workflows', async () => {
        const job = { to: 'ops', adaptiveCard: { type: 'AdaptiveCard' as const, version: '1.2', body: [] } };
        expect(await parse(job, 'workflows')).toMatchObject({ attachments: [{ content: { version: '1.2' } }] });
    });

    it('sends a MessageCard to a connector as is and converts it for Workflows', async () => {
        expect(await parse({ to: 'ops', messageCard }, 'connector')).toEqual(messageCard);
        const converted = await parse({ to: 'ops', messageCard }, 'workflows');
        expect(JSON.stringify(converted)).toContain('Build 42 failed');
        expect(converted).toMatchObject({ attachments: [{ content: { actions: [{ type: 'Action.OpenUrl', url: 'https://ci.test/42' }] } }] });
    });

    it('renders a card template with its data', async () => {
        const payload = await parse({ to: 'ops', card: { template: 'message', data: { title: 'Deploy', text: 'v2.3', facts: [{ name: 'env', value: 'prod' }] } } }, 'connector');
        const json = JSON.stringify(payload);
        expect(json).toContain('Deploy');
        expect(json).toContain('prod');
        expect(json).not.toContain('${');
    });

    it('renders the links of a card template as OpenUrl actions', async () => {
        const payload = await parse({ to: 'ops', card: { template: 'message', data: { title: 'PR', links: [{ title: 'Review', url: 'https://git.test/pr/1' }] } } }, 'connector');
        expect(payload).toMatchObject({ attachments: [{ content: { actions: [{ type: 'Action.OpenUrl', title: 'Review', url: 'https://git.test/pr/1' }] } }] });
    });

    it('refuses a payload over the safe size as a permanent failure naming the size', async () => {
        const text = 'é'.repeat(SAFE_PAYLOAD_BYTES);
        const bytes = Buffer.byteLength(JSON.stringify({ text }));
        const failure = buildTeamsPayload(valid({ to: 'ops', text }), 'connector');
        await expect(failure).rejects.toBeInstanceOf(PermanentError);
        await expect(failure).rejects.toThrow(`The payload is ${bytes} bytes, over the ${SAFE_PAYLOAD_BYTES}-byte safe limit`);
    });
});

describe('buildTeamsPayload on jobs stored before today\'s acceptance checks', () => {
    /** A job as the schema alone lets it into storage: what an older version or a raw writer could have stored. */
    const stored = (job: unknown): ValidJob => notificationJobSchema.parse(job);

    it('refuses a job nested beyond the limit before rendering or checking anything, naming where', async () => {
        const failure = buildTeamsPayload(stored(nestedContainersJob(1_200)), 'workflows');
        await expect(failure).rejects.toMatchObject({ name: 'PermanentError', code: 'too_deep' });
        await expect(failure).rejects.toThrow(`adaptiveCard.body[0].items…: nested more than ${MAX_JSON_DEPTH} levels deep`);
    });

    it('refuses template data its template does not take, naming every problem, instead of rendering it', async () => {
        const failure = buildTeamsPayload(stored({ to: 'ops', card: { template: 'alert', data: { title: 7, facts: 'many' } } }), 'connector');
        await expect(failure).rejects.toMatchObject({ name: 'PermanentError', code: 'invalid_card_data' });
        await expect(failure).rejects.toThrow(/The card data does not fit the "alert" template: card.data.title: .*; .*card.data.severity: required by the "alert" template/);
    });

    it('refuses an unknown template', async () => {
        await expect(buildTeamsPayload(stored({ to: 'ops', card: { template: 'nope', data: {} } }), 'connector')).rejects.toMatchObject({ code: 'unknown_template' });
    });
});

describe('messageCardToAdaptiveCard', () => {
    it('turns sections into headings and fact sets', () => {
        const card = messageCardToAdaptiveCard(messageCard);
        expect(card.body).toContainEqual({ type: 'FactSet', facts: [{ title: 'Branch', value: 'main' }] });
    });
});
