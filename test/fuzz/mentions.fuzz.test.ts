/** Properties of mentions with hostile ids and names: a job is accepted with a payload that passes the entity check and the size rule, or refused naming the problem. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCardRules, mentionTags } from '../../shared/cards/validate.js';
import { checkJob } from '../../shared/notify/accept.js';
import { mentionedPeople, withMentions } from '../../shared/notify/mentions.js';
import { buildTeamsPayload, SAFE_PAYLOAD_BYTES } from '../../shared/notify/payload.js';
import { loadConfig } from '../../shared/config.js';

const config = loadConfig({
    TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
    TEAMS_WEBHOOK_FLOW: 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
});

/** Aliases and the dialect each one's URL speaks. */
const DIALECTS = { ops: 'connector', flow: 'workflows' } as const;

/** A problem names a field of the job: `mentions.3.name: ...`, `text: ...`, `job: ...`. */
const NAMES_A_FIELD = /^(?:job|mentions(?:\.\d+(?:\.(?:id|name))?)?|text|card(?:\.data(?:\.[\w.]+)?)?|adaptiveCard|messageCard): /;

/** Pieces hostile names are made of: tags, markup, expressions, control and bidi characters, emoji. */
const NAME_PIECES = ['<at>', '</at>', '<', '>', 'at', '/', '<script>alert(1)</script>', '&lt;at&gt;', '${name}', '**', '[x](https://evil.test)', '\n', '\t', '\u0000', '\u001b[2J', '\u202e', '👩‍💻', '漢', 'Ada', ' '];

const hostileName = fc.oneof(
    fc.array(fc.constantFrom(...NAME_PIECES), { minLength: 1, maxLength: 30 }).map((pieces) => pieces.join('')),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    fc.string({ unit: 'grapheme', minLength: 200, maxLength: 256 }),
    fc.constantFrom('', '   ', '<>', '</at>'),
);

/** A UPN local part as the schema lets it through: anything but white space, `@ < > "`, hostile characters included. */
const upnLocal = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', '_', '-', '+', "'", '&', '*', '{', '}', '|', '$', 'é', '漢', '\u0001', '\u200b', '/'), minLength: 1, maxLength: 64 });
const upn = fc.tuple(upnLocal, fc.constantFrom('contoso.com', 'a.b-c.example', 'X.IO')).map(([local, domain]) => `${local}@${domain}`);
const mentionId = fc.oneof(
    { weight: 4, arbitrary: upn },
    { weight: 2, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);
const mention = fc.oneof(mentionId, fc.record({ id: mentionId, name: hostileName }, { requiredKeys: ['id'] }));

/** Text that may write `<at>` tags of its own, some matching a name a mention may carry. */
const text = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    fc.array(fc.constantFrom(...NAME_PIECES, 'Deployed **api** ', 'Paging <at>Ada</at> '), { minLength: 1, maxLength: 20 }).map((pieces) => pieces.join('')),
);

/** One content field of each kind the mentions go into. */
const content = fc.oneof(
    text.map((value) => ({ text: value })),
    text.map((title) => ({ card: { template: 'message', data: { title } } })),
    text.map((value) => ({ adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: value, wrap: true }] } })),
    fc.constant({ messageCard: { '@type': 'MessageCard', summary: 'Build 42 failed' } }),
);

const job = fc.record({
    to: fc.constantFrom(...(Object.keys(DIALECTS) as (keyof typeof DIALECTS)[])),
    content,
    mentions: fc.array(mention, { maxLength: 24 }),
});

/** Every text Teams reads `<at>` tags in, as far as these cards go: TextBlocks anywhere. */
function blockTexts(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.flatMap(blockTexts);
    }
    if (typeof value !== 'object' || value === null) {
        return [];
    }
    const record = value as Record<string, unknown>;
    const own = record.type === 'TextBlock' && typeof record.text === 'string' ? [record.text] : [];
    return [...own, ...Object.entries(record).flatMap(([key, child]) => (key === 'msteams' ? [] : blockTexts(child)))];
}

describe('mentions with hostile ids and names', () => {
    it('are accepted with a payload that pairs every <at> with an entity and fits the size, or refused naming the field', async () => {
        await fc.assert(
            fc.asyncProperty(job, async ({ to, content: body, mentions }) => {
                const result = await checkJob({ to, ...body, mentions }, config);
                if (!result.ok) {
                    expect(result.problems.length).toBeGreaterThan(0);
                    for (const problem of result.problems) {
                        expect(problem).toMatch(NAMES_A_FIELD);
                    }
                    return;
                }
                const dialect = DIALECTS[to];
                const payload = await buildTeamsPayload(result.job, dialect);
                expect(payload.bytes).toBeLessThanOrEqual(SAFE_PAYLOAD_BYTES);
                const json = JSON.parse(payload.body) as { attachments?: { content: { msteams?: { entities?: { text: string; mentioned: { id: string } }[] } } }[] };
                const card = json.attachments?.[0]?.content;
                const people = mentionedPeople(result.job.mentions);
                if (card === undefined) {
                    // Only a connector's plain {text}, and only without mentions.
                    expect(people).toEqual([]);
                    return;
                }
                expect(checkCardRules(card, { destination: dialect })).toEqual([]);
                const entities = card.msteams?.entities ?? [];
                // Everyone is mentioned, once, and each entity's text is an <at> tag of its own in a TextBlock.
                expect(new Set(entities.map((entity) => entity.mentioned.id.toLowerCase()))).toEqual(new Set(people.map((person) => person.id.toLowerCase())));
                expect(new Set(entities.map((entity) => entity.text)).size).toBe(entities.length);
                const tags = blockTexts(card).flatMap(mentionTags);
                for (const entity of entities) {
                    expect(tags).toContain(entity.text);
                }
            }),
            { numRuns: 300 },
        );
    }, 120_000);

    it('never let a name open or close a tag: one entity text is one <at> tag', () => {
        fc.assert(
            fc.property(fc.array(mention, { maxLength: 20 }), (mentions) => {
                const valid = mentions.filter((entry) => typeof entry === 'string' || (entry.name ?? 'x').trim() !== '');
                const card = withMentions({ type: 'AdaptiveCard', version: '1.4', body: [] }, valid) as { msteams?: { entities?: { text: string }[] } };
                for (const entity of card.msteams?.entities ?? []) {
                    expect(mentionTags(entity.text)).toEqual([entity.text]);
                }
            }),
            { numRuns: 500 },
        );
    });
});
