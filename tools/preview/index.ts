/** Card previews: renders an Adaptive Card to a PNG as Teams' light theme shows it, with the official HTML renderer in headless Chromium. */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TeamsRelayError } from '../../shared/platform/index.js';
import { TEAMS_LIGHT_HOST_CONFIG, TEAMS_LIGHT_PAGE_CSS } from './host-config.js';
import { teamsMarkdownToHtml } from './markdown.js';
import { CARD_ELEMENT_ID, MARKDOWN_GLOBAL, renderCardInPage, type PageRenderInput } from './page.js';

/** Where Debian's `chromium` package installs the browser. */
const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The environment variable that names another Chromium executable. */
const CHROMIUM_PATH_VARIABLE = 'CHROMIUM_PATH';

/** A Teams channel's message column is about this wide, in CSS pixels. */
export const DEFAULT_PREVIEW_WIDTH = 500;

/**
 * Chromium's flags: no sandbox (containers run as root), no GPU, and nothing that reaches the
 * network on its own (background services, component updates, sync, QUIC). Playwright gives every
 * launch a fresh temporary profile (`--user-data-dir`) and removes it on close.
 */
const CHROMIUM_ARGS: readonly string[] = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
];

/** The viewport's height; a taller card is still captured whole. */
const VIEWPORT_HEIGHT = 1_000;

/** The UMD build of the renderer, which runs in a page as a plain script. */
const RENDERER_BUNDLE = 'adaptivecards/dist/adaptivecards.js';

/** Byte offsets of the width and height in a PNG's IHDR chunk. */
const PNG_WIDTH_OFFSET = 16;
const PNG_HEIGHT_OFFSET = 20;

/** The host configs a preview can use, by theme. */
const HOST_CONFIGS = { light: TEAMS_LIGHT_HOST_CONFIG } as const;

/** A theme of {@link renderCardPng}. */
type PreviewTheme = keyof typeof HOST_CONFIGS;

/** Options of {@link renderCardPng}. */
interface PreviewOptions {
    /** The card's width in CSS pixels (the picture's width, at one pixel per CSS pixel). @default 500 */
    readonly width?: number;
    /** Teams' theme. @default 'light' */
    readonly theme?: PreviewTheme;
}

/** A rendered card. */
export interface CardPreview {
    readonly png: Buffer;
    /** The picture's size in pixels, read from the PNG. */
    readonly width: number;
    readonly height: number;
    /** Every problem the renderer reported while parsing, validating and rendering the card; empty when none. */
    readonly errors: readonly string[];
}

/** No Chromium at the configured path: previews need Debian's `chromium` package (or `CHROMIUM_PATH`). */
class PreviewBrowserMissingError extends TeamsRelayError {
    override readonly name = 'PreviewBrowserMissingError';
    /** The path that was tried. */
    readonly path: string;

    constructor(path: string, options?: ErrorOptions) {
        super(
            'preview_browser_missing',
            `No Chromium at ${path}: install Debian's chromium: apt-get install -y chromium (or set ${CHROMIUM_PATH_VARIABLE} to a Chromium executable)`,
            options,
        );
        this.path = path;
    }
}

/** The process's browser and the one page every card is rendered in, the renderer already loaded. */
interface PreviewPage {
    readonly browser: Browser;
    readonly page: Page;
}

let previewPage: Promise<PreviewPage> | undefined;
/** Renders run one at a time: they share the page. */
let lastRender: Promise<unknown> = Promise.resolve();

/** The Chromium executable: `CHROMIUM_PATH`, else Debian's. */
function chromiumPath(): string {
    const configured = process.env[CHROMIUM_PATH_VARIABLE];
    return configured === undefined || configured === '' ? DEFAULT_CHROMIUM_PATH : configured;
}

/** A page with the card element, the page's styles, the renderer and the Markdown function, and no network. */
const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><style>${TEAMS_LIGHT_PAGE_CSS}</style></head><body><div id="${CARD_ELEMENT_ID}"></div></body></html>`;

async function openPreviewPage(): Promise<PreviewPage> {
    const executablePath = chromiumPath();
    try {
        await access(executablePath, constants.X_OK);
    } catch (error) {
        throw new PreviewBrowserMissingError(executablePath, { cause: error });
    }
    const [browser, script] = await Promise.all([
        chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], headless: true }),
        // Read from the installed package and given inline: the page loads nothing from the network.
        readFile(createRequire(import.meta.url).resolve(RENDERER_BUNDLE), 'utf8'),
    ]);
    try {
        const context = await browser.newContext({ viewport: { width: DEFAULT_PREVIEW_WIDTH, height: VIEWPORT_HEIGHT }, deviceScaleFactor: 1 });
        await context.route('**/*', (route) => route.abort());
        const page = await context.newPage();
        await page.setContent(PAGE_HTML);
        await page.addScriptTag({ content: script });
        await page.addScriptTag({ content: `window.${MARKDOWN_GLOBAL} = ${teamsMarkdownToHtml.toString()};` });
        return { browser, page };
    } catch (error) {
        await browser.close();
        throw error;
    }
}

/** The process's preview page, opened on first use. A failed start is not kept, so a later call tries again. */
function preparedPage(): Promise<PreviewPage> {
    previewPage ??= openPreviewPage().catch((error: unknown) => {
        previewPage = undefined;
        throw error;
    });
    return previewPage;
}

async function renderOnPage(page: Page, card: object, width: number, theme: PreviewTheme): Promise<CardPreview> {
    const pageErrors: string[] = [];
    const onPageError = (error: Error): void => {
        pageErrors.push(`Page: ${error.message}`);
    };
    page.on('pageerror', onPageError);
    try {
        await page.setViewportSize({ width, height: VIEWPORT_HEIGHT });
        const input: PageRenderInput = { card, hostConfig: HOST_CONFIGS[theme], width, cardElementId: CARD_ELEMENT_ID, markdownGlobal: MARKDOWN_GLOBAL };
        const { errors } = await page.evaluate(renderCardInPage, input);
        const png = await page.locator(`#${CARD_ELEMENT_ID}`).screenshot({ type: 'png', animations: 'disabled' });
        return { png, width: png.readUInt32BE(PNG_WIDTH_OFFSET), height: png.readUInt32BE(PNG_HEIGHT_OFFSET), errors: [...errors, ...pageErrors] };
    } finally {
        page.off('pageerror', onPageError);
    }
}

/**
 * Renders an Adaptive Card to a PNG the way Teams' light theme shows it: the `adaptivecards` HTML
 * renderer with Teams' host config, in headless Chromium, without network. The picture is the card
 * element only, `width` pixels wide. Renderer problems (unknown elements, invalid values, a card
 * that renders nothing) are returned in `errors`, not thrown. The browser is launched on first use
 * and reused (renders queue for its one page); call {@link closePreviewBrowser} when done.
 *
 * @throws {PreviewBrowserMissingError} when there is no Chromium at `CHROMIUM_PATH` or `/usr/bin/chromium`.
 * @example
 * const { png, errors } = await renderCardPng({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Hi' }] });
 * await closePreviewBrowser();
 */
export async function renderCardPng(card: object, options: PreviewOptions = {}): Promise<CardPreview> {
    const width = options.width ?? DEFAULT_PREVIEW_WIDTH;
    if (!Number.isInteger(width) || width <= 0) {
        throw new RangeError(`width must be a positive whole number of pixels, got ${width}`);
    }
    const { page } = await preparedPage();
    const render = lastRender.catch(() => undefined).then(() => renderOnPage(page, card, width, options.theme ?? 'light'));
    lastRender = render;
    return render;
}

/**
 * Closes the preview browser, if one was launched. Safe to call more than once; a later
 * {@link renderCardPng} launches a new one.
 *
 * @example
 * afterAll(closePreviewBrowser);
 */
export async function closePreviewBrowser(): Promise<void> {
    const opening = previewPage;
    previewPage = undefined;
    lastRender = Promise.resolve();
    if (opening !== undefined) {
        await (await opening.catch(() => undefined))?.browser.close();
    }
}
