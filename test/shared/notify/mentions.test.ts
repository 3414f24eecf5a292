// A job's mentions: the `<at>` text and `msteams.entities` added to the card each dialect gets, at acceptance (checkJob) and in digests.
import { describe, expect, it } from 'vitest';
import { checkCardRules } from '../../../shared/cards/validate.js';
import { checkJob } from '../../../shared/notify/accept.js';
import { buildDigest } from '../../../shared/notify/digest.js';
import { MAX_JOB_MENTIONS, type NotificationJob, validateJob, type ValidJob } from '../../../shared/notify/jobs.js';
import { mentionedPeople, withMentions } from '../../../shared/notify/mentions.js';
import type { OutboxJob } from '../../../shared/notify/outbox/index.js';
import { buildTeamsPayload } from '../../../shared/notify/payload.js';
import { loadConfig } from '../../../shared/config.js';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';

const ADA = 'ada@contoso.com';
const BOB_OBJECT_ID = '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10';

const config = loadConfig({
    TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
    TEAMS_WEBHOOK_FLOW: 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
});

function valid(job: NotificationJob): ValidJob {
    const result = validateJob(job);
    if (!result.ok) {
        throw new Error(result.problems.join('; '));
    }
    return result.job;
}

interface Card {
    type: 'AdaptiveCard';
    body: { type: string; text?: string }[];
    msteams?: { entities?: { type: string; text: string; mentioned: { id: string; name: string } }[]; width?: string };
}

/** The card of a payload, and the raw payload. */
async function sent(job: NotificationJob, dialect: 'connector' | 'workflows'): Promise<{ json: Record<string, unknown>; card: Card | undefined }> {
    const json = JSON.parse((await buildTeamsPayload(valid(job), dialect)).body) as { attachments?: { content: Card }[] } & Record<string, unknown>;
    return { json, card: json.attachments?.[0]?.content };
}

const lastText = (card: Card | undefined): string | undefined => card?.body.at(-1)?.text;

describe('mentionedPeople', () => {
    it('names a UPN by its local part and an object id by itself, keeps a given name, and lists each person once', () => {
        expect(mentionedPeople([ADA, BOB_OBJECT_ID, { id: 'ADA@Contoso.com', name: 'Ada L.' }, { id: 'grace@contoso.com', name: 'Grace Hopper' }])).toEqual([
            { id: ADA, name: 'ada' },
            { id: BOB_OBJECT_ID, name: BOB_OBJECT_ID },
            { id: 'grace@contoso.com', name: 'Grace Hopper' },
        ]);
    });

    it('takes < and > and line breaks out of a name, and falls back to the default when nothing is left', () => {
        expect(mentionedPeople([{ id: ADA, name: '<b>Ada</b>\n</at>Evil' }, { id: 'bob@contoso.com', name: '<>' }])).toEqual([
            { id: ADA, name: 'bAda/b /atEvil' },
            { id: 'bob@contoso.com', name: 'bob' },
        ]);
    });
});

describe('withMentions', () => {
    const card = { type: 'AdaptiveCard' as const, version: '1.4', body: [{ type: 'TextBlock', text: 'Deployed' }], msteams: { width: 'Full' } };

    it('appends one cc line and one entity per person, keeping the card and its msteams settings', () => {
        expect(withMentions(card, [ADA, { id: BOB_OBJECT_ID, name: 'Bob' }])).toEqual({
            ...card,
            body: [...card.body, { type: 'TextBlock', text: 'cc <at>ada</at>, <at>Bob</at>', wrap: true }],
            msteams: {
                width: 'Full',
                entities: [
                    { type: 'mention', text: '<at>ada</at>', mentioned: { id: ADA, name: 'ada' } },
                    { type: 'mention', text: '<at>Bob</at>', mentioned: { id: BOB_OBJECT_ID, name: 'Bob' } },
                ],
            },
        });
    });

    it('leaves a card without mentions as it is', () => {
        expect(withMentions(card, undefined)).toBe(card);
        expect(withMentions(card, [])).toBe(card);
    });

    it('adds only the entity for a mention the body already writes, and nothing for a person the card already mentions', () => {
        const written = { ...card, body: [{ type: 'TextBlock', text: 'Paging <at>Ada</at> for <at>Grace</at>' }], msteams: { entities: [{ type: 'mention', text: '<at>Grace</at>', mentioned: { id: 'GRACE@contoso.com', name: 'Grace' } }] } };
        const result = withMentions(written, [{ id: ADA, name: 'Ada' }, 'grace@contoso.com']) as unknown as Card;
        expect(result.body).toEqual(written.body);
        expect(result.msteams?.entities?.map((entity) => entity.text)).toEqual(['<at>Grace</at>', '<at>Ada</at>']);
        expect(checkCardRules(result, { destination: 'workflows' })).toEqual([]);
    });

    it('gives two people shown alike different texts, so each entity is paired with its own', () => {
        const result = withMentions(card, ['ada@contoso.com', 'ada@fabrikam.com', { id: 'ada@example.com', name: 'ada (ada@fabrikam.com)' }]) as unknown as Card;
        expect(result.msteams?.entities?.map((entity) => entity.text)).toEqual(['<at>ada</at>', '<at>ada (ada@fabrikam.com)</at>', '<at>ada (ada@fabrikam.com) (ada@example.com)</at>']);
        expect(checkCardRules(result, { destination: 'connector' })).toEqual([]);
    });

    it('refuses a card whose body or entities are not arrays, naming which', () => {
        expect(() => withMentions({ type: 'AdaptiveCard', body: 'x' }, [ADA])).toThrow("mentions: the card's body is not an array");
        expect(() => withMentions({ type: 'AdaptiveCard', body: [], msteams: { entities: {} } }, [ADA])).toThrow("mentions: the card's msteams.entities is not an array");
    });
});

describe('buildTeamsPayload with mentions', () => {
    it('gives Workflows a text job as a card with the text, a cc line and the entities', async () => {
        const { card } = await sent({ to: 'flow', text: 'Deployed **api**', mentions: [ADA, { id: BOB_OBJECT_ID, name: 'Bob' }] }, 'workflows');
        expect(card?.body).toEqual([
            { type: 'TextBlock', text: 'Deployed **api**', wrap: true },
            { type: 'TextBlock', text: 'cc <at>ada</at>, <at>Bob</at>', wrap: true },
        ]);
        expect(card?.msteams?.entities).toEqual([
            { type: 'mention', text: '<at>ada</at>', mentioned: { id: ADA, name: 'ada' } },
            { type: 'mention', text: '<at>Bob</at>', mentioned: { id: BOB_OBJECT_ID, name: 'Bob' } },
        ]);
    });

    it('gives a connector a text job with mentions as an Adaptive Card, since {text} cannot mention, and plain text without', async () => {
        const { json, card } = await sent({ to: 'ops', text: 'Paging <at>Ada</at>', mentions: [{ id: ADA, name: 'Ada' }] }, 'connector');
        expect(json).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
        expect(card?.body).toEqual([{ type: 'TextBlock', text: 'Paging <at>Ada</at>', wrap: true }]);
        expect(card?.msteams?.entities).toEqual([{ type: 'mention', text: '<at>Ada</at>', mentioned: { id: ADA, name: 'Ada' } }]);
        expect((await sent({ to: 'ops', text: 'Paging Ada' }, 'connector')).json).toEqual({ text: 'Paging Ada' });
    });

    it.each(['connector', 'workflows'] as const)('adds the mentions to a template card for %s, beside the reviewers the template mentions', async (dialect) => {
        const data = { repo: 'contoso/api', number: 415, title: 'Cache', reviewers: [{ name: 'Ada Lovelace', id: ADA }] };
        const { card } = await sent({ to: 'ops', card: { template: 'pull-request', data }, mentions: [ADA, 'grace@contoso.com'] }, dialect);
        expect(lastText(card)).toBe('cc <at>grace</at>');
        expect(card?.msteams?.entities?.map((entity) => entity.mentioned.id)).toEqual([ADA, 'grace@contoso.com']);
        expect(card?.msteams?.width).toBe('Full');
    });

    it.each(['connector', 'workflows'] as const)('adds the mentions to an adaptiveCard job for %s', async (dialect) => {
        const { card } = await sent({ to: 'ops', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Backup done' }] }, mentions: [ADA] }, dialect);
        expect(lastText(card)).toBe('cc <at>ada</at>');
        expect(card?.msteams?.entities).toHaveLength(1);
    });

    it('converts a MessageCard with mentions for Workflows and adds them', async () => {
        const { card } = await sent({ to: 'flow', messageCard: { '@type': 'MessageCard', summary: 'Build 42 failed' }, mentions: [ADA] }, 'workflows');
        expect(lastText(card)).toBe('cc <at>ada</at>');
    });

    it('refuses a MessageCard with mentions for a connector, which cannot render them, saying what to send instead', async () => {
        const failure = buildTeamsPayload(valid({ to: 'ops', messageCard: { '@type': 'MessageCard', summary: 'Build 42 failed' }, mentions: [ADA] }), 'connector');
        await expect(failure).rejects.toMatchObject({ name: 'PermanentError', code: 'mentions_unsupported' });
        await expect(failure).rejects.toThrow('mentions: a MessageCard cannot @mention anyone on a connector URL');
    });
});

describe('checkJob with mentions', () => {
    it('accepts a text job with mentions for either dialect', async () => {
        for (const to of ['ops', 'flow']) {
            expect(await checkJob({ to, text: 'Deployed', mentions: [ADA, BOB_OBJECT_ID] }, config)).toMatchObject({ ok: true });
        }
    });

    it('refuses a MessageCard with mentions to a connector alias, naming the problem, and accepts it for Workflows', async () => {
        const job = { messageCard: { '@type': 'MessageCard', summary: 'Build failed' }, mentions: [ADA] };
        const refused = await checkJob({ ...job, to: 'ops' }, config);
        expect(refused.ok ? [] : refused.problems).toEqual([expect.stringMatching(/^messageCard: mentions: a MessageCard cannot @mention anyone on a connector URL/)]);
        expect(await checkJob({ ...job, to: 'flow' }, config)).toMatchObject({ ok: true });
    });

    it('refuses a job whose mentions take the payload over the safe size, with the size', async () => {
        const mentions = Array.from({ length: MAX_JOB_MENTIONS }, (_, index) => ({ id: `p${index}@contoso.com`, name: '漢'.repeat(256) }));
        const result = await checkJob({ to: 'flow', text: 'x', mentions }, config);
        expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/^text: The payload is \d+ bytes, over the 24576-byte safe limit/)]);
    });

    it('still refuses an <at> the mentions do not name', async () => {
        const result = await checkJob({ to: 'flow', text: 'Paging <at>Ann</at>', mentions: [ADA] }, config);
        expect(result.ok ? '' : result.problems.join()).toContain('<at>Ann</at> has no mention entity');
    });
});

describe('digests of jobs with mentions', () => {
    /** The jobs as the outbox holds them, in order, through the store contract. */
    async function queued(...jobs: (NotificationJob & { id: string })[]): Promise<OutboxJob[]> {
        const store = createMemoryOutboxStore({ now: () => 0 });
        for (const [order, job] of jobs.entries()) {
            await store.addJob({ webhookKey: 'k', jobId: job.id, order, job: valid(job), alias: 'flow', acceptedAt: 0 });
        }
        return store.headJobs('k', jobs.length);
    }

    async function digestCard(jobs: OutboxJob[]): Promise<{ card: Card; folded: number }> {
        const digest = await buildDigest(jobs, 'workflows', 'flow');
        if (digest === undefined) {
            throw new Error('no digest');
        }
        const json = JSON.parse(digest.payload.body) as { attachments: { content: Card }[] };
        return { card: json.attachments[0]?.content as Card, folded: digest.jobs.length };
    }

    it('mentions everyone its jobs mention, each person once, in one cc line', async () => {
        const { card, folded } = await digestCard(
            await queued(
                { id: 'a', to: 'flow', text: 'one', mentions: [ADA] },
                { id: 'b', to: 'flow', text: 'two' },
                { id: 'c', to: 'flow', text: 'three', mentions: [{ id: 'Ada@contoso.com', name: 'Ada' }, BOB_OBJECT_ID] },
            ),
        );
        expect(folded).toBe(3);
        expect(lastText(card)).toBe(`cc <at>ada</at>, <at>${BOB_OBJECT_ID}</at>`);
        expect(card.msteams?.entities?.map((entity) => entity.mentioned.id)).toEqual([ADA, BOB_OBJECT_ID]);
        expect(checkCardRules(card, { destination: 'workflows' })).toEqual([]);
    });

    it(`stops before a job that would take it past ${MAX_JOB_MENTIONS} people, so no mention is dropped`, async () => {
        const people = (from: number, count: number): string[] => Array.from({ length: count }, (_, index) => `p${from + index}@contoso.com`);
        const { card, folded } = await digestCard(
            await queued(
                { id: 'a', to: 'flow', text: 'one', mentions: people(0, 15) },
                { id: 'b', to: 'flow', text: 'two', mentions: people(10, 10) },
                { id: 'c', to: 'flow', text: 'three', mentions: people(20, 1) },
                { id: 'd', to: 'flow', text: 'four' },
            ),
        );
        expect(folded).toBe(2);
        expect(card.msteams?.entities).toHaveLength(MAX_JOB_MENTIONS);
    });
});
