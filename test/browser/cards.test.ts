// Every gallery card rendered by the official renderer in headless Chromium: the picture is the card, at the width asked, with no renderer errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { galleryCards, STATUS_CARD_NAME, type GalleryCard } from '../../tools/preview/gallery.js';
import { closePreviewBrowser, DEFAULT_PREVIEW_WIDTH, renderCardPng, type CardPreview } from '../../tools/preview/index.js';
import { decodePng, differingPixels, pixelStatistics, type PixelStatistics } from './png.js';

/** A card is at least a line of text with the card's padding; at most a long digest. */
const MIN_HEIGHT = 60;
const MAX_HEIGHT = 2_000;
/** The card's frame: its 1-px border and the rounded corners beside it, left out of the statistics. */
const FRAME_INSET = 3;
/** Text, anti-aliased, gives dozens of greys; a blank card only white. */
const MIN_DISTINCT_COLOURS = 24;
/** Even a one-line card inks more than this share of its inside. */
const MIN_NON_WHITE_SHARE = 0.01;

/** Pictures that differ in fewer pixels than this (beyond anti-aliasing) show the same; in more, not. */
const FEW_PIXELS = 10;
const MANY_PIXELS = 100;

/** Teams' container backgrounds (tools/preview/host-config.ts), as the bars of the `status` card show them. */
const GOOD_BACKGROUND = '#ccffcc';
const WARNING_BACKGROUND = '#ffe2b2';
const ATTENTION_BACKGROUND = '#ffc5b2';

/** Whether a picture shows something rather than an empty card. */
function looksDrawn(statistics: PixelStatistics): boolean {
    return statistics.distinctColours >= MIN_DISTINCT_COLOURS && statistics.nonWhiteShare >= MIN_NON_WHITE_SHARE;
}

function statisticsOf(preview: CardPreview): PixelStatistics {
    return pixelStatistics(decodePng(preview.png), FRAME_INSET);
}

const cards: GalleryCard[] = await galleryCards();

afterAll(closePreviewBrowser);

describe.each(cards.map((card) => [card.name, card] as const))('the %s card', (_name, { card }) => {
    let preview: CardPreview;

    beforeAll(async () => {
        preview = await renderCardPng(card);
    });

    it('renders without renderer errors', () => {
        expect(preview.errors).toEqual([]);
    });

    it('is as wide as a Teams column and as tall as a card', () => {
        const picture = decodePng(preview.png);
        expect({ width: picture.width, height: picture.height }).toEqual({ width: preview.width, height: preview.height });
        expect(preview.width).toBe(DEFAULT_PREVIEW_WIDTH);
        expect(preview.height).toBeGreaterThanOrEqual(MIN_HEIGHT);
        expect(preview.height).toBeLessThanOrEqual(MAX_HEIGHT);
    });

    it('shows the card, not a blank picture', () => {
        const statistics = statisticsOf(preview);
        expect(statistics.distinctColours).toBeGreaterThanOrEqual(MIN_DISTINCT_COLOURS);
        expect(statistics.nonWhiteShare).toBeGreaterThanOrEqual(MIN_NON_WHITE_SHARE);
    });
});

describe('the status card picture', () => {
    it("draws its bars in Teams' good, warning and attention colours", async () => {
        const status = cards.find((card) => card.name === STATUS_CARD_NAME);
        expect(status).toBeDefined();
        const { colours } = statisticsOf(await renderCardPng(status?.card ?? {}));
        expect([...colours]).toEqual(expect.arrayContaining([GOOD_BACKGROUND, WARNING_BACKGROUND, ATTENTION_BACKGROUND]));
    });
});

describe('renderCardPng', () => {
    it('reports an unknown element as a renderer error', async () => {
        const preview = await renderCardPng({
            type: 'AdaptiveCard',
            version: '1.4',
            body: [{ type: 'TextBlock', text: 'Before' }, { type: 'Gauge', value: 3 }],
        });
        expect(preview.errors).toEqual([expect.stringMatching(/UnknownElementType: Unknown element type "Gauge"/)]);
    });

    it('reports an invalid property value as a renderer error', async () => {
        const preview = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Hi', size: 'Enormous' }] });
        expect(preview.errors).toEqual([expect.stringMatching(/InvalidPropertyValue/)]);
    });

    it('renders at the width asked', async () => {
        const preview = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'A narrow card', wrap: true }] }, { width: 320 });
        expect({ width: preview.width, errors: preview.errors }).toEqual({ width: 320, errors: [] });
        expect(decodePng(preview.png).width).toBe(320);
    });

    it('judges an empty card blank, so the checks above can fail', async () => {
        const preview = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [] });
        expect(looksDrawn(statisticsOf(preview))).toBe(false);
        expect(preview.height).toBeLessThan(MIN_HEIGHT);
    });

    it('shows Markdown bold as bold text, not as asterisks', async () => {
        const markdown = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: '**Deployed api**' }] });
        const bolder = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Deployed api', weight: 'Bolder' }] });
        const regular = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Deployed api' }] });
        const [asMarkdown, asBolder, asRegular] = [decodePng(markdown.png), decodePng(bolder.png), decodePng(regular.png)];
        expect(differingPixels(asMarkdown, asBolder)).toBeLessThan(FEW_PIXELS);
        expect(differingPixels(asMarkdown, asRegular)).toBeGreaterThan(MANY_PIXELS);
    });
});
