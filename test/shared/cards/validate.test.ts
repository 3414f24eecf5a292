/** validateCard: each destination's card rules, and that the mention path loads the object model only when a card needs it. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseActivity } from '../../../shared/mention/activity.js';
import { CARD_CATALOG, validateCardData } from '../../../shared/cards/catalog.js';
import { renderCardTemplate } from '../../../shared/cards/render.js';
import { checkCardRules, describeCardProblems, mentionTags, validateCard, type CardDestination } from '../../../shared/cards/validate.js';
import { BUILTIN_COMMANDS, type MentionCommand } from '../../../shared/mention/commands/index.js';
import { answerMention } from '../../../shared/mention/mention.js';
import { MAX_JSON_DEPTH } from '../../../shared/platform/json-depth.js';
import { cardActionTypes } from '../../../shared/mention/reply.js';
import { nestedContainers } from '../../support/deep-cards.js';

const DESTINATIONS: readonly CardDestination[] = ['connector', 'workflows', 'mention-reply'];

/** The compiled app; the global setup builds dist/ before the run. */
const DIST = join(import.meta.dirname, '..', '..', '..', 'dist');

const card = (body: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'AdaptiveCard', version: '1.4', body, ...extra });

const ann = { type: 'mention', text: '<at>Ann</at>', mentioned: { id: '29:ann', name: 'Ann Smith' } };

const validCard = card(
    [
        { type: 'TextBlock', text: 'Deployed **api** 2.3.0, approved by <at>Ann</at>', wrap: true, size: 'Medium', weight: 'Bolder' },
        { type: 'FactSet', facts: [{ title: 'Environment', value: 'prod' }] },
        { type: 'Container', style: 'good', items: [{ type: 'Image', url: 'https://img.test/ok.png', size: 'Small' }], selectAction: { type: 'Action.OpenUrl', url: 'https://ci.test/1' } },
    ],
    { actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://ci.test/1' }], msteams: { width: 'Full', entities: [ann] } },
);

describe('validateCard', () => {
    it.each(DESTINATIONS)('passes a valid card for %s with no problems', async (destination) => {
        expect(await validateCard(validCard, { destination })).toEqual([]);
    });

    it('reports an unknown element type at its position', async () => {
        const problems = await validateCard(card([{ type: 'TextBlock', text: 'a' }, { type: 'Fancy', text: 'b' }]), { destination: 'connector' });
        expect(problems).toEqual([{ path: 'body[1]', message: 'Unknown element type "Fancy"' }]);
    });

    it('reports an unknown action type inside a nested container', async () => {
        const problems = await validateCard(card([{ type: 'Container', items: [{ type: 'ActionSet', actions: [{ type: 'Action.Teleport' }] }] }]), { destination: 'connector' });
        expect(problems).toEqual([{ path: 'body[0].items[0].actions[0]', message: 'Unknown action type "Action.Teleport"' }]);
    });

    it('accepts an unknown element that brings its own fallback, and checks the fallback', async () => {
        expect(await validateCard(card([{ type: 'Fancy', fallback: { type: 'TextBlock', text: 'plain' } }]), { destination: 'connector' })).toEqual([]);
        expect(await validateCard(card([{ type: 'Fancy', fallback: { type: 'Fancier' } }]), { destination: 'connector' })).toEqual([
            { path: 'body[0].fallback', message: 'Unknown element type "Fancier"' },
        ]);
    });

    it('reports an invalid property value with the element type and the property path', async () => {
        const problems = await validateCard(card([{ type: 'TextBlock', text: 'a' }, { type: 'TextBlock', text: 'b' }, { type: 'TextBlock', text: 'c', size: 'Hugee' }]), { destination: 'workflows' });
        expect(problems).toEqual([{ path: 'body[2].size', message: 'Invalid value "Hugee" for TextBlock.size' }]);
    });

    it('refuses version 1.5 for Workflows and allows it for connectors', async () => {
        const table = card([{ type: 'Table', columns: [{ width: 1 }], rows: [] }], { version: '1.5' });
        const workflows = await validateCard(table, { destination: 'workflows' });
        expect(workflows).toContainEqual({ path: 'version', message: expect.stringMatching(/^1\.5 is above 1\.4, the highest Workflows cards render/) as unknown });
        expect(workflows).toContainEqual({ path: 'body[0]', message: 'Table needs card version 1.5; Workflows cards render at most 1.4' });
        expect(await validateCard(table, { destination: 'connector' })).toEqual([]);
    });

    it('reports a property that needs a newer version than Workflows renders', async () => {
        expect(await validateCard(card([{ type: 'TextBlock', text: 'Title', style: 'heading' }]), { destination: 'workflows' })).toEqual([
            { path: 'body[0].style', message: 'TextBlock.style needs card version 1.5; Workflows cards render at most 1.4' },
        ]);
    });

    it('refuses a version above what the object model knows, a missing version and one that is not a version', async () => {
        expect(await validateCard(card([], { version: '1.7' }), { destination: 'connector' })).toEqual([
            { path: 'version', message: '1.7 is above 1.6, the highest connector cards render' },
        ]);
        expect(checkCardRules({ type: 'AdaptiveCard', body: [] }, { destination: 'connector' })).toEqual([
            { path: 'version', message: 'Missing; connector cards need a version of at most 1.6' },
        ]);
        expect(await validateCard(card([], { version: 'latest' }), { destination: 'workflows' })).toEqual([
            { path: 'version', message: '"latest" is not a card version like "1.4"' },
        ]);
    });

    it.each(['connector', 'workflows'] as const)('refuses Action.Submit in an ActionSet and in a selectAction for %s', async (destination) => {
        const problems = await validateCard(
            card([
                { type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', url: 'https://ci.test' }, { type: 'Action.Submit', title: 'Ack' }] },
                { type: 'Container', items: [], selectAction: { type: 'Action.Submit' } },
            ]),
            { destination },
        );
        expect(problems).toEqual([
            { path: 'body[0].actions[1]', message: 'Action.Submit is not supported by incoming webhooks' },
            { path: 'body[1].selectAction', message: 'Action.Submit is not supported by incoming webhooks' },
        ]);
    });

    it('refuses Action.Execute in the card actions of a webhook card', async () => {
        expect(await validateCard(card([], { actions: [{ type: 'Action.Execute', verb: 'ack' }] }), { destination: 'connector' })).toEqual([
            { path: 'actions[0]', message: 'Action.Execute is not supported by incoming webhooks' },
        ]);
    });

    it('allows only Action.OpenUrl in a mention reply, where connectors also take ShowCard and ToggleVisibility', async () => {
        const showCard = { type: 'Action.ShowCard', title: 'More', card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'more' }], actions: [{ type: 'Action.ToggleVisibility', targetElements: ['x'] }] } };
        const reply = card([{ type: 'TextBlock', id: 'x', text: 'a' }], { actions: [{ type: 'Action.OpenUrl', url: 'https://ci.test' }, showCard] });
        expect(await validateCard(reply, { destination: 'connector' })).toEqual([]);
        const problems = await validateCard(reply, { destination: 'mention-reply' });
        expect(problems).toEqual([
            { path: 'actions[1]', message: 'Action.ShowCard is not allowed in a mention reply; outgoing webhooks take only Action.OpenUrl' },
            { path: 'actions[1].card.actions[0]', message: 'Action.ToggleVisibility is not allowed in a mention reply; outgoing webhooks take only Action.OpenUrl' },
        ]);
        expect(cardActionTypes(reply).filter((type) => type !== 'Action.OpenUrl')).toEqual(['Action.ShowCard', 'Action.ToggleVisibility']);
    });

    it('accepts mentions whose texts appear in a TextBlock, a RichTextBlock and a FactSet', async () => {
        const bob = { type: 'mention', text: '<at>Bob</at>', mentioned: { id: '29:bob', name: 'Bob' } };
        const cy = { type: 'mention', text: '<at>Cy</at>', mentioned: { id: '29:cy', name: 'Cy' } };
        const mentioning = card(
            [
                { type: 'TextBlock', text: 'Hi <at>Ann</at>' },
                { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'and <at>Bob</at>' }] },
                { type: 'FactSet', facts: [{ title: 'Owner', value: '<at>Cy</at>' }] },
            ],
            { msteams: { entities: [ann, bob, cy] } },
        );
        expect(await validateCard(mentioning, { destination: 'workflows' })).toEqual([]);
    });

    it('reports a mention entity whose <at> text appears nowhere in the card', () => {
        expect(checkCardRules(card([{ type: 'TextBlock', text: 'Hi Ann' }], { msteams: { entities: [ann] } }), { destination: 'connector' })).toEqual([
            { path: 'msteams.entities[0].text', message: '<at>Ann</at> appears in no TextBlock, RichTextBlock or FactSet text of the card' },
        ]);
    });

    it('reports an <at> in the card text that has no entity', async () => {
        expect(await validateCard(card([{ type: 'TextBlock', text: 'Hi <at>Ann</at>' }]), { destination: 'connector' })).toEqual([
            { path: 'body[0].text', message: '<at>Ann</at> has no mention entity in msteams.entities, so it would not mention anyone' },
        ]);
    });

    it('reports a mention entity without mentioned.id', async () => {
        const noId = { type: 'mention', text: '<at>Ann</at>', mentioned: { name: 'Ann Smith' } };
        expect(await validateCard(card([{ type: 'TextBlock', text: 'Hi <at>Ann</at>' }], { msteams: { entities: [noId] } }), { destination: 'mention-reply' })).toEqual([
            { path: 'msteams.entities[0].mentioned.id', message: 'A mention needs mentioned.id' },
        ]);
    });

    it('refuses anything that is not an object with type AdaptiveCard', async () => {
        expect(await validateCard([], { destination: 'connector' })).toEqual([{ path: '', message: 'The card is an array, not an object with type "AdaptiveCard"' }]);
        expect(await validateCard('card', { destination: 'workflows' })).toEqual([{ path: '', message: 'The card is a string, not an object with type "AdaptiveCard"' }]);
        expect(await validateCard({ type: 'MessageCard', version: '1.4' }, { destination: 'connector' })).toEqual([{ path: 'type', message: 'Expected "AdaptiveCard", found "MessageCard"' }]);
    });

    it('reports a value that only a newer version takes, with the version that takes it', async () => {
        const password = card([{ type: 'Input.Text', id: 'secret', style: 'password' }]);
        expect(await validateCard(password, { destination: 'workflows' })).toEqual([
            { path: 'body[0].style', message: '"password" for Input.Text.style needs card version 1.5; Workflows cards render at most 1.4' },
        ]);
        expect(await validateCard(password, { destination: 'connector' })).toEqual([]);
    });

    it('reports invalid values inside a RichTextBlock, a fallback and on the card itself at their own paths', async () => {
        expect(await validateCard(card([{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'x', size: 'Huge' }] }]), { destination: 'connector' })).toEqual([
            { path: 'body[0].inlines[0].size', message: 'Invalid value "Huge" for TextRun.size' },
        ]);
        expect(await validateCard(card([{ type: 'Fancy', fallback: { type: 'TextBlock', text: 'x', size: 'Hugee' } }]), { destination: 'workflows' })).toEqual([
            { path: 'body[0].fallback.size', message: 'Invalid value "Hugee" for TextBlock.size' },
        ]);
        expect(await validateCard(card([], { verticalContentAlignment: 'Sideways' }), { destination: 'connector' })).toEqual([
            { path: 'verticalContentAlignment', message: 'Invalid value "Sideways" for AdaptiveCard.verticalContentAlignment' },
        ]);
    });

    it('reports every invalid property of one element, and those of objects without a type by the property holding them', async () => {
        expect(await validateCard(card([{ type: 'Image', url: 'https://img.test/a.png', size: 'Tiny', width: 'wide' }]), { destination: 'connector' })).toEqual([
            { path: 'body[0].size', message: 'Invalid value "Tiny" for Image.size' },
            { path: 'body[0].width', message: 'Invalid value "wide" for Image.width' },
        ]);
        const table = card([{ type: 'Table', columns: [{ width: 1, horizontalCellContentAlignment: 'middle' }], rows: [{ type: 'TableRow', style: 'loud', cells: [] }] }], { version: '1.5' });
        expect(await validateCard(table, { destination: 'connector' })).toEqual([
            { path: 'body[0].columns[0].horizontalCellContentAlignment', message: 'Invalid value "middle" for columns.horizontalCellContentAlignment' },
            { path: 'body[0].rows[0].style', message: 'Invalid value "loud" for TableRow.style' },
        ]);
    });

    it('follows fallbacks as the object model does: "drop" drops, a fallback of a fallback is checked, a container falls back for an unknown child', async () => {
        expect(await validateCard(card([{ type: 'Fancy', fallback: 'drop' }]), { destination: 'connector' })).toEqual([]);
        expect(await validateCard(card([{ type: 'ActionSet', actions: [{ type: 'Action.Teleport', fallback: { type: 'Action.Zap' } }] }]), { destination: 'connector' })).toEqual([
            { path: 'body[0].actions[0].fallback', message: 'Unknown action type "Action.Zap"' },
        ]);
        expect(await validateCard(card([{ type: 'Container', items: [{ type: 'Fancy' }], fallback: { type: 'TextBlock', text: 'x', weight: 'Heavy' } }]), { destination: 'connector' })).toEqual([
            { path: 'body[0].items[0]', message: 'Unknown element type "Fancy"' },
            { path: 'body[0].fallback.weight', message: 'Invalid value "Heavy" for TextBlock.weight' },
        ]);
    });

    it('passes every catalog template, rendered from its example, for connectors and Workflows', async () => {
        for (const entry of CARD_CATALOG.values()) {
            const validation = validateCardData(entry.name, entry.example);
            expect(validation.ok, entry.name).toBe(true);
            const rendered = await renderCardTemplate(entry.template, validation.ok ? validation.data : {});
            for (const destination of ['connector', 'workflows'] as const) {
                expect(await validateCard(rendered, { destination }), `${entry.name} for ${destination}`).toEqual([]);
            }
        }
    });
});

describe('untrusted depth', () => {
    it.each(DESTINATIONS)('refuses a card of 1,200 nested Containers for %s with one problem, without overflowing the stack', async (destination) => {
        const deep = card([nestedContainers(1_200)]);
        const expected = [{ path: '', message: `The card nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (at body[0].items[0]…)` }];
        expect(checkCardRules(deep, { destination })).toEqual(expected);
        expect(await validateCard(deep, { destination })).toEqual(expected);
    });

    it('passes nesting up to the limit: 30 Containers fit in 64 levels', async () => {
        expect(await validateCard(card([nestedContainers(30)]), { destination: 'workflows' })).toEqual([]);
    });

    it('lists the actions of a card nested 100,000 levels deep, without recursion', () => {
        expect(cardActionTypes(card([nestedContainers(100_000, { type: 'ActionSet', actions: [{ type: 'Action.Submit' }] })]))).toEqual(['Action.Submit']);
    });
});

/** The expression card validation used for `<at>` tags, kept here as the reference for {@link mentionTags}. */
const REFERENCE_MENTION_TAG = /<at>.*?<\/at>/gs;

describe('mentionTags', () => {
    /** Texts built from the pieces that matter to the expression, so tags, stray halves and overlaps are common. */
    const mentionish = fc.array(fc.constantFrom('<at>', '</at>', '<at', 'at>', '</a', '<', '>', '/', 'a', 't', 'Ann', '\n', ' ', '\u{1F680}'), { maxLength: 30 }).map((parts) => parts.join(''));

    it('finds exactly what /<at>.*?<\\/at>/gs finds', () => {
        fc.assert(
            fc.property(fc.oneof(mentionish, fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
                expect(mentionTags(text)).toEqual(text.match(REFERENCE_MENTION_TAG) ?? []);
            }),
            { numRuns: 3_000 },
        );
    });

    it('finds the shortest tag from each opening, across lines', () => {
        expect(mentionTags('<at>Ann</at> and <at>Bo\nb</at></at> <at>open')).toEqual(['<at>Ann</at>', '<at>Bo\nb</at>']);
    });

    it('goes once through 4 MB of openings that never close', () => {
        expect(mentionTags('<at>'.repeat(1_048_576))).toEqual([]);
    });

    it('reports a mention without its entity in a card of 16,384 unclosed openings and one tag', () => {
        const text = `${'<at>'.repeat(16_384)}x</at>`;
        const problems = checkCardRules(card([{ type: 'TextBlock', text }]), { destination: 'connector' });
        expect(problems).toHaveLength(1);
        expect(problems[0]?.message).toMatch(/has no mention entity in msteams.entities/);
    });
});

describe('describeCardProblems', () => {
    it('names the destination and every problem, each as path: message', () => {
        expect(
            describeCardProblems('workflows', [
                { path: 'body[2].size', message: 'Invalid value "Hugee" for TextBlock.size' },
                { path: '', message: 'The card is an array, not an object with type "AdaptiveCard"' },
            ]),
        ).toBe('The card breaks Workflows rules: body[2].size: Invalid value "Hugee" for TextBlock.size; The card is an array, not an object with type "AdaptiveCard"');
    });
});

describe('mention replies', () => {
    const activity = parseActivity({ type: 'message', from: { id: '29:ann', name: 'Ann Smith' }, conversation: { id: '19:chan@thread.skype' } });

    async function answerWith(command: MentionCommand) {
        const logged: string[] = [];
        const reply = await answerMention(
            { command: command.name, args: [], argText: '', text: command.name },
            { activity, commands: [command], caller: { tokenName: 'default', scope: { kind: 'all' } }, budgetMs: 4000, receivedAt: 0, now: () => 0, logError: (message) => logged.push(message) },
        );
        return { reply, logged };
    }

    it('replace a card that breaks the mention-reply rules by the polite failure text and log its problems', async () => {
        const sizing: MentionCommand = { name: 'sizing', summary: 's', run: () => ({ card: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'x', size: 'Hugee' }] } }) };
        const { reply, logged } = await answerWith(sizing);
        expect(reply).toEqual({ type: 'message', text: 'Sorry, `sizing` failed. The error has been logged for the operators.' });
        expect(logged).toEqual(['Command "sizing" failed: InvalidReplyError: The card breaks mention reply rules: body[0].size: Invalid value "Hugee" for TextBlock.size']);
    });

    it('send a valid card reply as it is', async () => {
        const { reply, logged } = await answerWith({ name: 'card', summary: 'c', run: () => ({ card: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'ok' }] } }) });
        expect(reply.attachments?.[0].content).toEqual({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'ok' }] });
        expect(logged).toEqual([]);
    });

    it('accept the built-in help card', async () => {
        const commands = BUILTIN_COMMANDS;
        const help = commands.find((command) => command.name === 'help');
        expect(help).toBeDefined();
        const reply = await help?.run({ activity, args: [], argText: '', caller: { tokenName: 'default', scope: { kind: 'all' } }, receivedAt: 0, now: () => 0, signal: new AbortController().signal, commands });
        expect(reply !== undefined && 'card' in reply ? await validateCard(reply.card, { destination: 'mention-reply' }) : ['no card']).toEqual([]);
    });
});

describe('the object model', () => {
    /** Imports the compiled modules in a fresh Node and lists the loaded CommonJS files from adaptivecards' UMD bundle. */
    function loadedBundles(modules: readonly string[], thenValidate: boolean): string[] {
        const script = `
            import { createRequire } from 'node:module';
            const require = createRequire(import.meta.url);
            for (const module of ${JSON.stringify(modules.map((module) => pathToFileURL(join(DIST, module)).href))}) await import(module);
            if (${String(thenValidate)}) {
                const { validateCard } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'shared/cards/validate.js')).href)});
                await validateCard({ type: 'AdaptiveCard', version: '1.4', body: [] }, { destination: 'mention-reply' });
            }
            console.log(JSON.stringify(Object.keys(require.cache).filter((file) => /[\\\\/]adaptivecards[\\\\/]/.test(file))));
        `;
        const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const lastLine = output.trim().split('\n').at(-1) ?? '[]';
        return JSON.parse(lastLine) as string[];
    }

    it('is not loaded by importing the mention path', () => {
        expect(loadedBundles(['shared/mention/mention.js', 'functions/mention.js'], false)).toEqual([]);
    });

    it('is loaded, as the UMD bundle, on the first validation', () => {
        expect(loadedBundles(['shared/mention/mention.js'], true)).toEqual([expect.stringMatching(/adaptivecards[\\/]dist[\\/]adaptivecards\.js$/)]);
    });
});
