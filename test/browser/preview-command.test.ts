// `teams-relay preview`: a template or a card file in, a PNG out, renderer errors reported with exit 1.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CARD_CATALOG } from '../../shared/cards/catalog.js';
import { runMain, scratchFolder, type ScratchFolder } from '../tools/cli/run-main.js';
import { decodePng } from './png.js';

let folder: ScratchFolder;

beforeEach(async () => {
    folder = await scratchFolder();
});

afterEach(async () => {
    vi.unstubAllEnvs();
    await folder.remove();
});

async function preview(args: readonly string[]) {
    return runMain(['preview', ...args], { cwd: folder.path });
}

const [firstTemplate = 'message'] = [...CARD_CATALOG.keys()];

describe('teams-relay preview', () => {
    it("renders a template with its example data to a PNG and prints the picture's size", async () => {
        const result = await preview([firstTemplate, '--out', 'card.png']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        const picture = decodePng(await readFile(join(folder.path, 'card.png')));
        expect(picture.width).toBe(500);
        expect(result.stdout.startsWith(`${join(folder.path, 'card.png')}: 500×${picture.height} px, `)).toBe(true);
        expect(result.stdout).toMatch(/ px, \d+\.\d KB$/);
    });

    it('renders a custom template of templates/ with its example data, as the renderer shows it without a problem', async () => {
        await cp(join(import.meta.dirname, '..', 'fixtures', 'templates'), join(folder.path, 'templates'), { recursive: true });
        const result = await preview(['release', '--out', 'release.png']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(decodePng(await readFile(join(folder.path, 'release.png'))).height).toBeGreaterThan(100);
    });

    it('renders a template with --data from a file, and --width', async () => {
        await writeFile(join(folder.path, 'data.json'), JSON.stringify({ title: 'Deployed', text: 'api **v2.3** is live' }));
        const result = await preview(['message', '--data', 'data.json', '--out', 'message.png', '--width', '360']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(decodePng(await readFile(join(folder.path, 'message.png'))).width).toBe(360);
    });

    it('renders the status card for a sample report', async () => {
        expect(await preview(['status', '--out', 'status.png'])).toMatchObject({ code: 0, stderr: '' });
        expect(decodePng(await readFile(join(folder.path, 'status.png'))).height).toBeGreaterThan(0);
    });

    it('renders a card file, and exits 1 listing the renderer errors', async () => {
        const card = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Hi' }, { type: 'Gauge' }] };
        await writeFile(join(folder.path, 'card.json'), JSON.stringify(card));
        const result = await preview(['card.json', '--out', 'card.png']);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^renderer: Parse: UnknownElementType: Unknown element type "Gauge"/);
        expect((await readFile(join(folder.path, 'card.png'))).length).toBeGreaterThan(0);
    });

    it('renders the card of a message envelope', async () => {
        const card = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'From an envelope' }] };
        const message = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
        await writeFile(join(folder.path, 'message.json'), JSON.stringify(message));
        expect(await preview(['message.json', '--out', 'card.png'])).toMatchObject({ code: 0, stderr: '' });
    });

    it('exits 2 naming the problems when --data does not fit the template', async () => {
        const result = await preview(['message', '--data', '{"text":"no title"}', '--out', 'card.png']);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('card.data.title: required by the "message" template');
    });

    it('exits 2 for an unknown template, a missing --out or --data with a card file', async () => {
        expect((await preview(['nope', '--out', 'x.png'])).stderr).toMatch(/unknown template "nope" \(known: /);
        expect(await preview([firstTemplate])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out is required') as unknown });
        expect(await preview(['card.json', '--data', 'd.json', '--out', 'x.png'])).toMatchObject({ code: 2 });
    });

    it('exits 1 saying how to install Chromium when there is none', async () => {
        vi.stubEnv('CHROMIUM_PATH', join(folder.path, 'no-chromium'));
        const result = await preview([firstTemplate, '--out', 'card.png']);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("install Debian's chromium: apt-get install -y chromium");
    });
});
