// The sender delivers jobs with mentions to the simulated webhooks with the <at> text and entities, alone and in a digest.
import { describe, expect, it } from 'vitest';
import { drainWebhook } from '../../../shared/notify/sender.js';
import { START, useBenches } from './harness.js';

const openBench = useBenches();

const ADA = 'ada@contoso.com';
const BOB_OBJECT_ID = '7faf8ab2-1b1c-4bd5-9e8b-2f6bde4c1a10';

interface PostedCard {
    body: { type: string; text?: string }[];
    msteams?: { entities?: { type: string; text: string; mentioned: { id: string; name: string } }[] };
}

/** The cards a simulated webhook took, in order. */
function postedCards(received: readonly { outcome: string; json?: unknown }[]): PostedCard[] {
    return received
        .filter((request) => request.outcome === 'delivered')
        .map((request) => (request.json as { attachments: { content: PostedCard }[] }).attachments[0]?.content as PostedCard);
}

describe('delivering jobs with mentions', () => {
    it.each([
        ['ops', 'connector'],
        ['flow', 'workflows'],
    ] as const)('posts a text job with mentions to the %s (%s) webhook as a card with the cc line and entities', async (alias, dialect) => {
        const b = await openBench();
        const [key = ''] = await b.enqueue({ id: 'deploy-4711', to: alias, text: 'Deployed **api**', mentions: [ADA, { id: BOB_OBJECT_ID, name: 'Bob' }], createdAt: START });
        expect(await drainWebhook(key, b.deps())).toMatchObject({ sent: 1 });
        const [card] = postedCards(b.sim.received(alias));
        expect(card?.body.map((element) => element.text)).toEqual(['Deployed **api**', 'cc <at>ada</at>, <at>Bob</at>']);
        expect(card?.msteams?.entities).toEqual([
            { type: 'mention', text: '<at>ada</at>', mentioned: { id: ADA, name: 'ada' } },
            { type: 'mention', text: '<at>Bob</at>', mentioned: { id: BOB_OBJECT_ID, name: 'Bob' } },
        ]);
        expect(b.sim.received(alias)[0]?.status).toBe(dialect === 'connector' ? 200 : 202);
    });

    it('folds jobs with mentions into a digest that mentions each person once', async () => {
        const b = await openBench({ aliases: { flow: 'workflows' } });
        const jobs = Array.from({ length: 80 }, (_, index) => ({
            id: `job-${index}`,
            to: 'flow',
            text: `message ${index}`,
            createdAt: START + index,
            mentions: index % 2 === 0 ? [ADA] : [{ id: BOB_OBJECT_ID, name: 'Bob' }],
        }));
        const [key = ''] = await b.enqueue(...jobs);
        await drainWebhook(key, b.deps({ settings: { digestAfterMs: 1_000 } }));
        const cards = postedCards(b.sim.received('flow'));
        const digests = cards.filter((card) => card.body.length > 2);
        expect(digests.length).toBeGreaterThan(0);
        for (const digest of digests) {
            expect(digest.body.at(-1)?.text).toBe('cc <at>ada</at>, <at>Bob</at>');
            expect(digest.msteams?.entities?.map((entity) => entity.mentioned.id)).toEqual([ADA, BOB_OBJECT_ID]);
        }
        // Every job went, alone or folded: the text of each is in what was posted.
        const posted = JSON.stringify(cards);
        expect(jobs.every((job) => posted.includes(`${job.text}"`))).toBe(true);
    });
});
