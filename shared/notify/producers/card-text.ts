/** Fitting a producer's text into a card: HTML to plain text, long text and long lists cut with a note, links a card may open. */
import { cardUrlSchema } from '../../cards/index.js';

/**
 * Sizes of a producer's text on a card, in UTF-8 bytes as sent (see {@link clipText}). With the
 * counts each converter caps, they keep a card well under the 24 KB payload limit.
 */
export const CARD_TEXT_LIMITS = {
    titleBytes: 300,
    descriptionBytes: 3_000,
    factNameBytes: 80,
    factValueBytes: 300,
    /** Longer URLs (a log query encoded in a link can be) are left out rather than cut, which would break them. */
    urlChars: 1_500,
} as const;

/** What ends a text that was cut. */
const CUT_TEXT_MARKER = '… (cut)';

/**
 * Whether a URL from a producer may be a card button: what the card templates accept (http or
 * https), and short enough to keep whole.
 */
export function isCardUrl(url: string): boolean {
    return url.length <= CARD_TEXT_LIMITS.urlChars && cardUrlSchema.safeParse(url).success;
}

/** An HTML tag; it ends at the next `<` too, so text full of unclosed tags costs linear time. */
const HTML_TAG = /<\/?[a-z][^<>]*>/gi;

/** Tags that end a line of text. */
const LINE_BREAK_TAG = /<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^<>]*>/gi;

/**
 * `text` with every `<` that could open a tag shown as `‹`: Teams reads `<at>…</at>` in a card as a
 * mention, and a producer's text (or an entity it decoded to `<`) must never become one.
 */
export function withoutTagOpeners(text: string): string {
    return text.replace(/<(?=[A-Za-z/!?])/g, '‹');
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Plain text from HTML a producer sends (Azure Service Health's communications, a pull request
 * body): tags removed (block ends become line breaks), common entities decoded, blank lines
 * collapsed. Cards show Markdown, not HTML, so tags would otherwise be shown as written.
 *
 * @example
 * plainText('<p><strong>Impact</strong>:&nbsp;none</p>'); // 'Impact: none'
 */
export function plainText(html: string): string {
    const text = withoutComments(html)
        .replace(LINE_BREAK_TAG, '\n')
        .replace(HTML_TAG, '')
        .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
            if (!name.startsWith('#')) {
                return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
            }
            const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
            return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
        })
        .replace(/[ \t]+\n/g, '\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
    // `&lt;at&gt;` decodes to a tag: it is shown, never read as one.
    return withoutTagOpeners(text);
}

/** UTF-8 bytes one code point takes inside a JSON string (escapes included). */
function jsonBytes(codePoint: string): number {
    return Buffer.byteLength(JSON.stringify(codePoint), 'utf8') - 2;
}

/** `html` without `<!-- ... -->` comments (pull request templates carry them); an unclosed one runs to the end. Linear time. */
function withoutComments(html: string): string {
    let kept = '';
    let from = 0;
    for (let start = html.indexOf('<!--'); start !== -1; start = html.indexOf('<!--', from)) {
        kept += html.slice(from, start);
        const end = html.indexOf('-->', start + 4);
        from = end === -1 ? html.length : end + 3;
    }
    return kept + html.slice(from);
}

/**
 * `text`, any `<` that could open a tag shown as `‹`, cut so that it takes at most `maxBytes` UTF-8 bytes inside a JSON string (escapes
 * counted, code points never split), ending in {@link CUT_TEXT_MARKER} when cut. Sizes are counted
 * as the payload to Teams counts them, so a cut text keeps the card under its size limit whatever
 * characters it holds.
 *
 * @example
 * clipText('a'.repeat(50), 20); // 'aaaaaaaaaaaaa… (cut)'
 */
export function clipText(raw: string, maxBytes: number): string {
    // Producers' text is shown, never read as markup: an `<at>` in a title must not become a mention.
    const text = withoutTagOpeners(raw);
    if (Buffer.byteLength(JSON.stringify(text), 'utf8') - 2 <= maxBytes) {
        return text;
    }
    const budget = maxBytes - jsonBytes(CUT_TEXT_MARKER);
    let used = 0;
    let kept = '';
    for (const codePoint of text) {
        used += jsonBytes(codePoint);
        if (used > budget) {
            break;
        }
        kept += codePoint;
    }
    return `${kept}${CUT_TEXT_MARKER}`;
}

/**
 * The first `max` items of a list, and a line saying how many were left out (or `undefined`).
 *
 * @example
 * keepFirst(['a', 'b', 'c'], 2, 'resources'); // { kept: ['a', 'b'], leftOut: '1 more resources' }
 */
export function keepFirst<T>(items: readonly T[], max: number, what: string): { kept: T[]; leftOut: string | undefined } {
    return items.length <= max
        ? { kept: [...items], leftOut: undefined }
        : { kept: items.slice(0, max), leftOut: `${items.length - max} more ${what}` };
}
