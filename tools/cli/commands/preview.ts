/** `teams-relay preview`: renders a card template or an Adaptive Card file to a PNG as Teams' light theme shows it. */
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { SAMPLE_BUDGET_REPORT, STATUS_CARD_NAME } from '../../preview/gallery.js';
import { CARD_CATALOG, renderCardTemplate, validateCardData } from '../../../shared/cards/index.js';
import { statusCard } from '../../../shared/mention/index.js';
import { ClientError } from '../../../shared/platform/index.js';
import { defineCliCommand, EXIT, parseFlagJson, PROGRAM, readFlagFile, type CliIo } from '../command.js';
import { useCliCardTemplates } from '../settings.js';

const OPTIONS = {
    data: { type: 'string' },
    out: { type: 'string' },
    width: { type: 'string' },
} as const;

/** An operand ending in this is a card file; anything else names a template. */
const CARD_FILE_EXTENSION = '.json';

/** `--data @file` reads a file, as `send` and curl do; a bare path works too. */
const FILE_PREFIX = '@';

/** `--data` given inline rather than as a file. */
const INLINE_JSON = /^\s*[{[]/;

/** What `--width` may be, in pixels. */
const WIDTH_PATTERN = /^[1-9]\d{0,3}$/;

const BYTES_PER_KB = 1024;

const USAGE = `Usage: ${PROGRAM} preview <template|card.json> [--data <file.json|json>] --out <card.png> [--width <px>]

Renders a card to a PNG the way Teams' light theme shows it: the official Adaptive Cards HTML
renderer with Teams' host config, in headless Chromium (Debian's chromium package, or the
executable CHROMIUM_PATH names). Prints the picture's size, and every problem the renderer
reported (then exits 1).

  <template>          a card template (${PROGRAM} templates lists them, your own from
                      CARD_TEMPLATES_DIR too), filled with --data or, without it, with the
                      template's example data (<name>.data.json for your own)
  status              the status mention command's card, for a sample report
  <card.json>         an Adaptive Card, or a message whose first attachment is one
  --data <file.json>  the template's data: a JSON file (@file.json works too) or inline JSON
  --out <card.png>    where to write the picture
  --width <px>        the card's width in pixels (default: 500, a Teams channel's column)
  -h, --help          show this help

Examples:
  ${PROGRAM} preview alert --out alert.png
  ${PROGRAM} preview deployment --data deploy.json --out deploy.png
  ${PROGRAM} preview card.json --out card.png`;

async function jsonFile(io: CliIo, flag: string, path: string): Promise<unknown> {
    const bytes = await readFlagFile(io, flag, path);
    return parseFlagJson(`${flag} ${path}`, bytes.toString('utf8'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The Adaptive Card in a file: the card itself, or a message (`{"type":"message","attachments":[...]}`)
 * whose first attachment holds one.
 *
 * @throws {ClientError} `not_a_card` when the file holds neither.
 */
function cardInFile(path: string, json: unknown): object {
    if (isRecord(json) && json['type'] === 'AdaptiveCard') {
        return json;
    }
    const attachments = isRecord(json) && Array.isArray(json['attachments']) ? (json['attachments'] as unknown[]) : [];
    const [first] = attachments;
    if (isRecord(first) && isRecord(first['content']) && first['content']['type'] === 'AdaptiveCard') {
        return first['content'];
    }
    throw new ClientError('not_a_card', `${path} holds neither an Adaptive Card ("type": "AdaptiveCard") nor a message with one as its first attachment`);
}

/**
 * A template filled with its data: `--data`, or the template's example data. The data is
 * validated and defaulted by the template's schema, as delivery does. `status` is the status
 * card for {@link SAMPLE_BUDGET_REPORT}.
 *
 * @throws {ClientError} `unknown_template` or `invalid_data` naming every problem.
 */
async function templateCard(io: CliIo, name: string, data: string | undefined): Promise<object> {
    const entry = CARD_CATALOG.get(name);
    if (entry === undefined && name === STATUS_CARD_NAME) {
        if (data !== undefined) {
            throw new ClientError('usage', `--data goes with a template name only; ${STATUS_CARD_NAME} shows a sample report`);
        }
        return statusCard(SAMPLE_BUDGET_REPORT);
    }
    if (entry === undefined) {
        throw new ClientError(
            'unknown_template',
            `unknown template "${name}" (known: ${[...CARD_CATALOG.keys(), STATUS_CARD_NAME].join(', ')}); a card file must end in ${CARD_FILE_EXTENSION}`,
        );
    }
    let given: unknown = entry.example;
    if (data !== undefined) {
        given = INLINE_JSON.test(data) ? parseFlagJson('--data', data) : await jsonFile(io, '--data', data.startsWith(FILE_PREFIX) ? data.slice(FILE_PREFIX.length) : data);
    }
    if (!isRecord(given)) {
        throw new ClientError('invalid_data', '--data must be a JSON object');
    }
    const validation = validateCardData(name, given);
    if (!validation.ok) {
        throw new ClientError('invalid_data', `--data does not fit the "${name}" template:\n  ${validation.problems.join('\n  ')}`);
    }
    return renderCardTemplate(entry.template, validation.data);
}

function widthFlag(width: string | undefined): number | undefined {
    if (width === undefined) {
        return undefined;
    }
    if (!WIDTH_PATTERN.test(width)) {
        throw new ClientError('usage', `--width must be a whole number of pixels from 1 to 9999, got "${width}"`);
    }
    return Number(width);
}

/** `teams-relay preview`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'preview', summary: "render a card template or an Adaptive Card file to a PNG as Teams' light theme shows it", usage: USAGE, options: OPTIONS, operands: true },
    async ({ values, positionals }, context) => {
        const { io } = context;
        const [source, ...extra] = positionals;
        if (source === undefined || extra.length > 0) {
            throw new ClientError('usage', `preview takes one template name or card file, got ${positionals.length === 0 ? 'none' : positionals.join(', ')}`);
        }
        if (values.out === undefined) {
            throw new ClientError('usage', '--out is required: the PNG file to write');
        }
        const width = widthFlag(values.width);
        const isCardFile = extname(source).toLowerCase() === CARD_FILE_EXTENSION;
        if (isCardFile && values.data !== undefined) {
            throw new ClientError('usage', '--data goes with a template name only; a card file is rendered as it is');
        }
        if (!isCardFile) {
            await useCliCardTemplates(context);
        }
        const card = isCardFile ? cardInFile(source, await jsonFile(io, 'card file', source)) : await templateCard(io, source, values.data);
        // Loaded only here: the browser driver is not needed for --help or the other verbs.
        const { closePreviewBrowser, renderCardPng } = await import('../../preview/index.js');
        const preview = await renderCardPng(card, width === undefined ? {} : { width }).finally(closePreviewBrowser);
        const out = resolve(io.cwd, values.out);
        await writeFile(out, preview.png);
        io.stdout(`${out}: ${preview.width}×${preview.height} px, ${(preview.png.length / BYTES_PER_KB).toFixed(1)} KB`);
        for (const error of preview.errors) {
            io.stderr(`renderer: ${error}`);
        }
        return preview.errors.length === 0 ? EXIT.ok : EXIT.failure;
    },
);
