// The CLI with custom card templates: `templates` lists them marked custom, `preview` and `send` find them, a bad file is refused naming it.
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES, useCustomTemplates } from '../../../shared/cards/catalog.js';
import { runMain, scratchFolder, type ScratchFolder } from './run-main.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'templates');

let folder: ScratchFolder;

beforeEach(async () => {
    folder = await scratchFolder();
    await cp(FIXTURES, join(folder.path, 'templates'), { recursive: true });
});

afterEach(async () => {
    await folder.remove();
});

afterAll(() => {
    useCustomTemplates([]);
});

describe('teams-relay templates with custom templates', () => {
    it('lists them after the built-in ones, marked custom with their file', async () => {
        const result = await runMain(['templates'], { cwd: folder.path });
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toContain(`release (custom: ${join('templates', 'release.json')}): A product release: version, channel, what changed, download links`);
        expect(result.stdout).not.toMatch(/^alert \(custom/m);
        expect(result.stdout.indexOf('release (custom')).toBeGreaterThan(result.stdout.indexOf('digest:'));
    });

    it("prints one with --json: its own JSON Schema, its fields from that schema and its example data", async () => {
        const result = await runMain(['templates', 'release', '--json'], { cwd: folder.path });
        expect(result).toMatchObject({ code: 0, stderr: '' });
        const listed = JSON.parse(result.stdout) as { origin: string; file: string; schema: unknown; example: unknown; fields: { path: string; type: string; required: boolean }[] };
        expect(listed.origin).toBe('custom');
        expect(listed.schema).toMatchObject({ title: 'A product release: version, channel, what changed, download links' });
        expect(listed.fields).toContainEqual({ path: 'channel', type: 'stable|beta|nightly', required: true, description: 'Release channel' });
        expect(listed.fields).toContainEqual({ path: 'changes[].kind', type: 'feature|fix|security', required: true });
        expect(listed.example).toMatchObject({ product: 'Contoso CLI', version: '4.2.0' });
        const builtIn = JSON.parse((await runMain(['templates', 'alert', '--json'], { cwd: folder.path })).stdout) as { origin: string };
        expect(builtIn.origin).toBe('built-in');
        expect(BUILT_IN_TEMPLATES.has('release')).toBe(false);
    });

    it('refuses to list anything when a template file is bad, naming the file (exit 2)', async () => {
        await writeFile(join(folder.path, 'templates', 'release.schema.json'), '{"type": "strng"}');
        const result = await runMain(['templates'], { cwd: folder.path });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(new RegExp(`^teams-relay templates: Invalid configuration:\\n {2}- ${join('templates', 'release.schema.json')}: not a valid JSON Schema`));
    });

    it('reads the folder CARD_TEMPLATES_DIR names', async () => {
        await cp(join(folder.path, 'templates'), join(folder.path, 'cards'), { recursive: true });
        await writeFile(join(folder.path, 'templates', 'release.json'), 'not JSON');
        const result = await runMain(['templates', 'release'], { cwd: folder.path, env: { CARD_TEMPLATES_DIR: 'cards' } });
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ channel: 'stable' });
    });
});

describe('teams-relay preview and send with custom templates', () => {
    it('preview knows them: bad --data is refused naming the field before anything is rendered', async () => {
        const result = await runMain(['preview', 'release', '--data', '{"product": "CLI"}', '--out', 'release.png'], { cwd: folder.path });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('--data does not fit the "release" template:\n  card.data.version: required by the "release" template');
        const unknown = await runMain(['preview', 'nope', '--out', 'x.png'], { cwd: folder.path });
        expect(unknown.stderr).toMatch(/unknown template "nope" \(known: alert, .*, digest, release, status\)/);
    });

    it('send checks a custom template job before it reaches the queue', async () => {
        const result = await runMain(['send', '--to', 'ops', '--card', 'release', '--data', '{"product": "CLI", "channel": "alpha"}'], { cwd: folder.path });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('card.data.channel: must be one of "stable"|"beta"|"nightly"');
        expect(result.stderr).not.toContain('unknown template');
    });
});
