/** What runs inside the preview page: renders one card with the official Adaptive Cards HTML renderer and reports its problems. */

/** The id of the element the card is rendered into, and screenshot from. */
export const CARD_ELEMENT_ID = 'card';

/** The global the page's Markdown function is installed under (see `teamsMarkdownToHtml`). */
export const MARKDOWN_GLOBAL = 'teamsMarkdownToHtml';

/** What {@link renderCardInPage} receives from Node. */
export interface PageRenderInput {
    readonly card: object;
    readonly hostConfig: object;
    /** The card element's width in CSS pixels, borders included. */
    readonly width: number;
    readonly cardElementId: string;
    readonly markdownGlobal: string;
}

/** What {@link renderCardInPage} answers: every problem the renderer reported, one line each. */
interface PageRenderResult {
    readonly errors: string[];
}

/** A validation event as the renderer logs it. */
interface RendererEvent {
    readonly phase: number;
    readonly event: number;
    readonly message: string;
}

interface RenderedCard {
    hostConfig: unknown;
    parse(json: unknown, context: { readonly eventCount: number; getEventAt(index: number): RendererEvent }): void;
    render(): unknown;
    validateProperties(): { readonly validationEvents: readonly RendererEvent[] };
}

/** The parts of the `adaptivecards` UMD bundle's global the page uses. */
interface AdaptiveCardsGlobal {
    readonly AdaptiveCard: (new () => RenderedCard) & {
        onProcessMarkdown?: (text: string, result: { outputHtml?: unknown; didProcess: boolean }) => void;
    };
    readonly HostConfig: new (json: object) => unknown;
    readonly SerializationContext: new () => { readonly eventCount: number; getEventAt(index: number): RendererEvent };
    readonly ValidationEvent: Readonly<Record<number, string>>;
    readonly ValidationPhase: Readonly<Record<number, string>>;
}

/** The parts of the page's DOM used here (the project's type check has no DOM library). */
interface PageGlobals {
    readonly AdaptiveCards?: AdaptiveCardsGlobal;
    readonly document: {
        getElementById(id: string): { style: { width: string }; replaceChildren(): void; appendChild(node: unknown): unknown } | null;
        readonly fonts: { readonly ready: Promise<unknown> };
    };
}

/**
 * Renders `input.card` into the page's card element (replacing the previous card) and resolves to every parse, validation and
 * render problem. Runs in the page (Playwright sends its source), so it refers to nothing outside
 * its body but the page's globals: `AdaptiveCards` from the bundle and the Markdown function.
 */
export async function renderCardInPage(input: PageRenderInput): Promise<PageRenderResult> {
    const page = globalThis as unknown as PageGlobals & Record<string, unknown>;
    const library = page.AdaptiveCards;
    const target = page.document.getElementById(input.cardElementId);
    if (library === undefined || target === null) {
        return { errors: ['the preview page did not load the adaptivecards bundle'] };
    }
    const markdown = page[input.markdownGlobal];
    if (typeof markdown === 'function') {
        library.AdaptiveCard.onProcessMarkdown = (text, result) => {
            result.outputHtml = (markdown as (text: string) => string)(text);
            result.didProcess = true;
        };
    }
    const errors: string[] = [];
    const describe = (event: RendererEvent): string =>
        `${library.ValidationPhase[event.phase] ?? 'Parse'}: ${library.ValidationEvent[event.event] ?? 'Other'}: ${event.message}`;
    const card = new library.AdaptiveCard();
    card.hostConfig = new library.HostConfig(input.hostConfig);
    const context = new library.SerializationContext();
    card.parse(input.card, context);
    for (let index = 0; index < context.eventCount; index++) {
        errors.push(describe(context.getEventAt(index)));
    }
    for (const event of card.validateProperties().validationEvents) {
        errors.push(describe(event));
    }
    const rendered = card.render();
    target.replaceChildren();
    if (rendered === undefined || rendered === null) {
        errors.push('Render: the renderer produced no element');
    } else {
        target.style.width = `${input.width}px`;
        target.appendChild(rendered);
    }
    await page.document.fonts.ready;
    return { errors: [...new Set(errors)] };
}
