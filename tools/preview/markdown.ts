/** The Markdown subset Teams renders in TextBlocks, as HTML: what the card renderer shows for a TextBlock's text. */

/**
 * Turns a TextBlock's Markdown into HTML the way Teams shows it: `**bold**`, `_italic_` or
 * `*italic*`, `` `code` ``, `[links](https://...)`, `- `/`* ` bullet lists, `1. ` numbered lists,
 * blank lines between paragraphs and a line break for a single newline; a mention `<at>Name</at>`
 * shows as the highlighted name (Teams does so when `msteams.entities` lists it). Everything else
 * is text, HTML-escaped.
 *
 * The function is self-contained (no reference outside its body): the preview page receives its
 * source text, so it runs unchanged in the browser.
 *
 * @example
 * teamsMarkdownToHtml('Deployed **api** v2.3'); // '<p>Deployed <strong>api</strong> v2.3</p>'
 */
export function teamsMarkdownToHtml(markdown: string): string {
    const link = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;
    const bullet = /^\s*[-*+]\s+(.*)$/;
    const numbered = /^\s*\d+[.)]\s+(.*)$/;
    const escapeHtml = (text: string): string =>
        text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const emphasis = (text: string): string =>
        escapeHtml(text)
            .replace(/&lt;at&gt;(.+?)&lt;\/at&gt;/g, '<span class="teams-mention">$1</span>')
            .replace(/`([^`]+)`/g, '<code>$1</code>')
            .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
            .replace(/__([^_]+)__/g, '<strong>$1</strong>')
            .replace(/(^|[^\w*])\*([^*\s](?:[^*]*[^*\s])?)\*(?![\w*])/g, '$1<em>$2</em>')
            .replace(/(^|[^\w])_([^_\s](?:[^_]*[^_\s])?)_(?!\w)/g, '$1<em>$2</em>');
    const inline = (text: string): string => {
        let html = '';
        let last = 0;
        for (const match of text.matchAll(link)) {
            const [whole, label = '', url = ''] = match;
            html += `${emphasis(text.slice(last, match.index))}<a href="${escapeHtml(url)}">${emphasis(label)}</a>`;
            last = match.index + whole.length;
        }
        return html + emphasis(text.slice(last));
    };
    const blocks: string[] = [];
    let paragraph: string[] = [];
    let list: { tag: 'ul' | 'ol'; items: string[] } | undefined;
    const flushParagraph = (): void => {
        if (paragraph.length > 0) {
            blocks.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
            paragraph = [];
        }
    };
    const flushList = (): void => {
        if (list !== undefined) {
            blocks.push(`<${list.tag}>${list.items.map((item) => `<li>${inline(item)}</li>`).join('')}</${list.tag}>`);
            list = undefined;
        }
    };
    for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
        const item = bullet.exec(line) ?? numbered.exec(line);
        if (item !== null) {
            const tag = bullet.test(line) ? 'ul' : 'ol';
            flushParagraph();
            if (list?.tag !== tag) {
                flushList();
                list = { tag, items: [] };
            }
            list.items.push(item[1] ?? '');
        } else if (line.trim() === '') {
            flushParagraph();
            flushList();
        } else {
            flushList();
            paragraph.push(line);
        }
    }
    flushParagraph();
    flushList();
    return blocks.join('');
}
