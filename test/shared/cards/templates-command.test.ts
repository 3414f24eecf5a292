// `teams-relay templates`: every template with its data fields, as text or JSON, and one template's example data.
import { describe, expect, it } from 'vitest';
import { CARD_CATALOG, validateCardData } from '../../../shared/cards/catalog.js';
import { runMain } from '../../tools/cli/run-main.js';

/** A template as `templates --json` prints it. */
interface ListedTemplate {
    readonly name: string;
    readonly summary: string;
    readonly fields: readonly { path: string; type: string; required: boolean; description?: string; default?: unknown }[];
    readonly schema: { readonly type: string };
    readonly example: Readonly<Record<string, unknown>>;
}

async function listedTemplates(): Promise<ListedTemplate[]> {
    const result = await runMain(['templates', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as ListedTemplate[];
}

describe('teams-relay templates', () => {
    it('lists every template with --json, with its summary, JSON Schema and example data', async () => {
        const listed = await listedTemplates();
        expect(listed.map((template) => template.name)).toEqual([...CARD_CATALOG.keys()]);
        for (const template of listed) {
            const entry = CARD_CATALOG.get(template.name);
            expect(template).toMatchObject({ summary: entry?.summary, schema: { type: 'object' }, example: entry?.example });
        }
    });

    it("describes each field from the template's schema: type, required or optional, description, default", async () => {
        const alert = (await listedTemplates()).find((template) => template.name === 'alert');
        expect(alert?.fields).toEqual(
            expect.arrayContaining([
                { path: 'title', type: 'string', required: true, description: 'What fired, e.g. "CPU above 90% on api-7"' },
                { path: 'severity', type: 'critical|high|medium|low|info', required: true, description: 'How bad it is; sets the colour and icon' },
                { path: 'status', type: 'firing|resolved', required: false, description: expect.any(String) as unknown, default: 'firing' },
                { path: 'url', type: 'url', required: false, description: expect.any(String) as unknown },
                { path: 'facts[].name', type: 'string', required: true, description: expect.any(String) as unknown },
                { path: 'facts[].value', type: 'string|number|boolean', required: true, description: 'The fact value' },
            ]),
        );
    });

    it('documents every field with a description', async () => {
        const undocumented = (await listedTemplates()).flatMap((template) =>
            template.fields.filter((field) => field.description === undefined).map((field) => `${template.name}.${field.path}`),
        );
        expect(undocumented).toEqual([]);
    });

    it('lists an embedded card as one field rather than its inner JSON', async () => {
        const digest = (await listedTemplates()).find((template) => template.name === 'digest');
        expect(digest?.fields.map((field) => field.path)).toEqual(['title', 'count', 'items', 'items[].title', 'items[].text', 'items[].time', 'items[].link', 'items[].card']);
    });

    it('lists every template and its fields as text', async () => {
        const result = await runMain(['templates']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        for (const name of CARD_CATALOG.keys()) {
            expect(result.stdout).toMatch(new RegExp(`^${name}: `, 'm'));
        }
        expect(result.stdout).toMatch(/^ {2}reviewers\[\]\.id +required +string +Their Microsoft Entra object id/m);
        expect(result.stdout).toContain('teams-relay send --to <alias> --card <name> --data @data.json');
    });

    it('prints one template\'s example data as JSON ready for send --data @file, and its fields on stderr', async () => {
        const result = await runMain(['templates', 'pull-request']);
        expect(result.code).toBe(0);
        const example: unknown = JSON.parse(result.stdout);
        expect(example).toEqual(CARD_CATALOG.get('pull-request')?.example);
        expect(validateCardData('pull-request', example as Record<string, unknown>)).toMatchObject({ ok: true });
        expect(result.stderr).toMatch(/^pull-request: /);
        expect(result.stderr).toMatch(/^ {2}number +required +integer/m);
    });

    it('prints one template as JSON with <name> --json', async () => {
        const result = await runMain(['templates', 'facts', '--json']);
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ name: 'facts', example: CARD_CATALOG.get('facts')?.example });
    });

    it('exits 2 naming an unknown template and the known ones', async () => {
        const result = await runMain(['templates', 'nope']);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('unknown template "nope" (known: alert, deployment, build');
    });

    it('is listed in the CLI overview', async () => {
        const result = await runMain(['--help']);
        expect(result.stdout).toMatch(/^ {2}templates +list the card templates/m);
    });
});
