// The digest card: one section per notification, rendered cards embedded with their content, links and mentions.
import { describe, expect, it } from 'vitest';
import { renderCardTemplate } from '../../../shared/cards/render.js';
import { catalogEntry, nodesOfType, renderValid, textBlockTexts } from './card-json.js';

/** A pull-request card as the `pull-request` template renders it, to embed. */
async function renderedPullRequest(): Promise<Readonly<Record<string, unknown>>> {
    const entry = catalogEntry('pull-request');
    return renderCardTemplate(entry.template, entry.example);
}

describe('the digest card', () => {
    it("embeds each item card's body elements in a Container, unchanged", async () => {
        const embedded = await renderedPullRequest();
        const card = await renderValid('digest', { title: 'Reviews', items: [{ title: 'PR 415', card: embedded }] });
        const containers = nodesOfType(card, 'Container');
        expect(containers.some((container) => JSON.stringify(container['items']) === JSON.stringify(embedded['body']))).toBe(true);
    });

    it("keeps an item card's actions as OpenUrl actions in an ActionSet", async () => {
        const embedded = await renderedPullRequest();
        const card = await renderValid('digest', { title: 'Reviews', items: [{ title: 'PR 415', card: embedded }] });
        expect(nodesOfType(card, 'ActionSet')).toEqual([{ type: 'ActionSet', actions: embedded['actions'] }]);
    });

    it("keeps an item card's mentions: its entities join the digest's", async () => {
        const embedded = await renderedPullRequest();
        const card = await renderValid('digest', { title: 'Reviews', items: [{ title: 'plain' }, { title: 'PR 415', card: embedded }] });
        expect((card['msteams'] as { entities: unknown }).entities).toEqual((embedded['msteams'] as { entities: unknown }).entities);
    });

    it("keeps an item's link as a Markdown link on its heading", async () => {
        const card = await renderValid('digest', { title: 'ops', items: [{ title: 'api deployed', link: 'https://ci.example.com/run/9' }] });
        expect(textBlockTexts(card)).toContain('[api deployed](https://ci.example.com/run/9)');
    });

    it('makes each item a separated section with its time and text', async () => {
        const card = await renderValid('digest', catalogEntry('digest').example);
        const sections = nodesOfType(card, 'Container').filter((container) => container['separator'] === true);
        expect(sections).toHaveLength(3);
        expect(textBlockTexts(sections[2])).toEqual(['Nightly backup verified', '10:30 UTC', expect.stringContaining('[secondary region](https://') as unknown]);
    });

    it('counts the items when no count is given, in the singular for one', async () => {
        const one = await renderValid('digest', { title: 'ops', items: [{ title: 'a' }] });
        expect(textBlockTexts(one)[1]).toBe('1 notification');
        const stated = await renderValid('digest', { title: 'ops', count: 40, items: [{ title: 'a' }, { title: 'b' }] });
        expect(textBlockTexts(stated)[1]).toBe('40 notifications');
    });
});
