// Custom card templates (CARD_TEMPLATES_DIR): loading at start, every kind of bad file refused naming the file, rendering and checks at enqueue and before sending.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES, CARD_CATALOG, checkCardData, useCustomTemplates, validateCardData } from '../../../shared/cards/catalog.js';
import { installCustomTemplates, loadCustomTemplates } from '../../../shared/cards/custom-templates.js';
import { acceptQueueMessage, checkJob } from '../../../shared/notify/accept.js';
import { buildTeamsPayload } from '../../../shared/notify/payload.js';
import { loadConfig } from '../../../shared/config.js';
import { ConfigurationError } from '../../../shared/platform/errors.js';
import { configurationProblems } from '../../support/configuration-problems.js';
import { createMemoryOutboxStore } from '../../support/memory-outbox.js';

/** The designer template of the fixtures: a release card with `${...}`, `$when` and `$data` loops, its example data and JSON Schema. */
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'templates');
const RELEASE_FILES = ['release.json', 'release.data.json', 'release.schema.json'] as const;

const config = loadConfig({
    TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
    TEAMS_WEBHOOK_FLOW: 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
});

const fixture = async (file: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(FIXTURES, file), 'utf8')) as Record<string, unknown>;

let folder: string;

beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'teams-relay-templates-'));
});

afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
});

afterAll(() => {
    useCustomTemplates([]);
});

/** A folder holding the release fixture, with `files` written over it (a string as is, anything else as JSON). */
async function templatesFolder(files: Readonly<Record<string, unknown>> = {}): Promise<string> {
    const templates = join(folder, 'templates');
    await mkdir(templates, { recursive: true });
    for (const file of RELEASE_FILES) {
        await copyFile(join(FIXTURES, file), join(templates, file));
    }
    for (const [file, content] of Object.entries(files)) {
        await writeFile(join(templates, file), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return templates;
}

/** The problems loading the folder fails with; fails the test when it loads. */
async function loadProblems(): Promise<readonly string[]> {
    return loadCustomTemplates({ setting: undefined, appRoot: folder }).then(() => {
        throw new Error('the folder loaded');
    }, configurationProblems);
}

describe('loading CARD_TEMPLATES_DIR', () => {
    it('turns a designer template with example data and a JSON Schema into a custom catalog entry', async () => {
        await templatesFolder();
        const [release, ...others] = await loadCustomTemplates({ setting: undefined, appRoot: folder });
        expect(others).toEqual([]);
        expect(release).toMatchObject({
            name: 'release',
            summary: 'A product release: version, channel, what changed, download links',
            template: await fixture('release.json'),
            example: await fixture('release.data.json'),
            origin: { kind: 'custom', file: join('templates', 'release.json'), jsonSchema: await fixture('release.schema.json') },
        });
    });

    it('reads a folder the setting names, relative to the app folder or absolute', async () => {
        await templatesFolder();
        expect((await loadCustomTemplates({ setting: 'templates', appRoot: folder })).map((entry) => entry.name)).toEqual(['release']);
        expect((await loadCustomTemplates({ setting: join(folder, 'templates'), appRoot: '/nowhere' })).map((entry) => entry.name)).toEqual(['release']);
    });

    it('finds no custom templates when the default folder is absent', async () => {
        expect(await loadCustomTemplates({ setting: undefined, appRoot: folder })).toEqual([]);
        expect(await loadCustomTemplates({ setting: '  ', appRoot: folder })).toEqual([]);
    });

    it('fails when the folder the setting names does not exist, naming the setting', async () => {
        await expect(loadCustomTemplates({ setting: 'cards', appRoot: folder })).rejects.toThrow(/CARD_TEMPLATES_DIR: the folder cards \(.*cards\) does not exist/);
    });

    it('takes a template without example data or schema, whose data is then any object, and leaves other files alone', async () => {
        const templates = await templatesFolder({ 'handover.json': { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'On call: ${name}', wrap: true }] }, 'notes.txt': 'not a template' });
        await mkdir(join(templates, 'drafts'));
        const loaded = await loadCustomTemplates({ setting: undefined, appRoot: folder });
        expect(loaded.map((entry) => [entry.name, entry.example])).toEqual([
            ['handover', {}],
            ['release', await fixture('release.data.json')],
        ]);
        expect(loaded[0]?.origin).toEqual({ kind: 'custom', file: join('templates', 'handover.json') });
        expect(loaded[0]?.schema.safeParse({ anything: [1, { deep: true }] }).success).toBe(true);
    });
});

describe('a bad template file stops the start, naming the file and the problem', () => {
    const at = (file: string) => join('templates', file);

    it('bad JSON', async () => {
        await templatesFolder({ 'release.json': '{ "type": "AdaptiveCard", ' });
        expect(await loadProblems()).toEqual([expect.stringMatching(new RegExp(`^${at('release.json')}: not valid JSON \\(`))]);
    });

    it('not an Adaptive Card', async () => {
        await templatesFolder({ 'release.json': { '@type': 'MessageCard', summary: 'x' } });
        expect(await loadProblems()).toEqual([`${at('release.json')}: not an Adaptive Card template (the top level must be an object with "type": "AdaptiveCard", as the designer saves it)`]);
    });

    it('a card the card rules refuse', async () => {
        const card = await fixture('release.json');
        await templatesFolder({ 'release.json': { ...card, actions: [{ type: 'Action.Submit', title: 'Approve' }], body: [{ type: 'TextBlock', text: '${product}', size: 'Hugee' }] } });
        expect(await loadProblems()).toEqual([
            `${at('release.json')}: the card it renders from release.data.json is not a valid Adaptive Card: actions[0]: Action.Submit is not supported by incoming webhooks; body[0].size: Invalid value "Hugee" for TextBlock.size`,
        ]);
    });

    it('a name a built-in template has', async () => {
        await templatesFolder({ 'alert.json': { type: 'AdaptiveCard', version: '1.4', body: [] } });
        expect(await loadProblems()).toEqual([`${at('alert.json')}: the name "alert" is a built-in template's; choose another name`]);
    });

    it('a name jobs cannot write', async () => {
        await templatesFolder({ 'Release Notes.json': { type: 'AdaptiveCard', version: '1.4', body: [] } });
        expect(await loadProblems()).toEqual([expect.stringMatching(new RegExp(`^${at('Release Notes.json')}: the name "Release Notes" must be 1-64 lower-case letters`))]);
    });

    it('an invalid JSON Schema', async () => {
        await templatesFolder({ 'release.schema.json': { type: 'object', properties: { version: { type: 'strng' } } } });
        expect(await loadProblems()).toEqual([expect.stringMatching(new RegExp(`^${at('release.schema.json')}: not a valid JSON Schema \\(.*type`))]);
    });

    it('a JSON Schema with a misspelt keyword, which would otherwise accept everything', async () => {
        await templatesFolder({ 'release.schema.json': { type: 'object', require: ['product'] } });
        expect(await loadProblems()).toEqual([expect.stringMatching(new RegExp(`^${at('release.schema.json')}: not a valid JSON Schema \\(.*unknown keyword: "require"`))]);
    });

    it('example data the schema refuses', async () => {
        const data = await fixture('release.data.json');
        await templatesFolder({ 'release.data.json': { ...data, channel: 'alpha', changes: [{ kind: 'fix' }] } });
        expect(await loadProblems()).toEqual([
            `${at('release.data.json')}: the example data fails release.schema.json: card.data.channel: must be one of "stable"|"beta"|"nightly"; card.data.changes.0.title: required by the "release" template`,
        ]);
    });

    it('example data the template does not render with', async () => {
        const card = await fixture('release.json');
        await templatesFolder({ 'release.json': { ...card, $when: '${channel == "internal"}' } });
        expect(await loadProblems()).toEqual([`${at('release.data.json')}: the template does not render with the example data (The template did not expand to an Adaptive Card)`]);
    });

    it('example data that is not an object, and a data file without its template', async () => {
        await templatesFolder({ 'release.data.json': ['not', 'an', 'object'], 'orphan.schema.json': { type: 'object' } });
        expect(await loadProblems()).toEqual([
            `${at('orphan.schema.json')}: there is no template orphan.json beside it`,
            `${at('release.data.json')}: the example data must be a JSON object (the designer's sample data)`,
        ]);
    });

    it('every bad file at once', async () => {
        await templatesFolder({ 'alert.json': { type: 'AdaptiveCard' }, 'broken.json': '[', 'release.schema.json': { type: 'strng' } });
        expect((await loadProblems()).map((problem) => problem.split(':')[0])).toEqual([at('alert.json'), at('broken.json'), at('release.schema.json')]);
    });
});

describe('custom templates in the catalog', () => {
    beforeEach(async () => {
        await templatesFolder();
        await installCustomTemplates({ setting: undefined, appRoot: folder });
    });

    it('come after the built-in templates, which they never replace', () => {
        expect([...CARD_CATALOG.keys()]).toEqual([...BUILT_IN_TEMPLATES.keys(), 'release']);
        useCustomTemplates([]);
        expect([...CARD_CATALOG.keys()]).toEqual([...BUILT_IN_TEMPLATES.keys()]);
    });

    it("check data against the template's JSON Schema, naming each field as the built-in templates do", () => {
        expect(validateCardData('release', { product: 'CLI', version: '4.2', channel: 'stable', notesUrl: 'https://x.test/n', changes: [{ kind: 'fix', title: 't' }], colour: 'red' })).toEqual({
            ok: false,
            problems: ['card.data.colour: not a field of the "release" template', 'card.data.version: must match pattern "^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$"'],
        });
        expect(checkCardData('release', {})).toEqual(['product', 'version', 'channel', 'notesUrl', 'changes'].map((field) => `card.data.${field}: required by the "release" template`));
    });

    it('are accepted at enqueue like built-in ones, and refused naming the data field', async () => {
        const job = { to: 'flow', card: { template: 'release', data: await fixture('release.data.json') } };
        expect(await checkJob(job, config)).toMatchObject({ ok: true });
        expect(await checkJob({ ...job, card: { template: 'release', data: { ...job.card.data, notesUrl: 'not a url' } } }, config)).toEqual({
            ok: false,
            problems: ['card.data.notesUrl: must match format "uri"'],
        });
    });

    it("are checked at enqueue against the destination's card rules: a Table renders on a connector, not through Workflows", async () => {
        const message = BUILT_IN_TEMPLATES.get('message');
        expect(message).toBeDefined();
        if (message === undefined) return;
        useCustomTemplates([
            ...(await loadCustomTemplates({ setting: undefined, appRoot: folder })),
            {
                ...message,
                name: 'table',
                template: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Table', columns: [{ width: 1 }], rows: [] }] },
                origin: { kind: 'custom', file: 'templates/table.json' },
            },
        ]);
        const job = { card: { template: 'table', data: { title: 'x' } } };
        expect(await checkJob({ ...job, to: 'ops' }, config)).toMatchObject({ ok: true });
        const refused = await checkJob({ ...job, to: 'flow' }, config);
        expect(refused).toEqual({ ok: false, problems: [expect.stringMatching(/^card: The card breaks Workflows rules: body\[0\]: Table needs card version 1\.5/)] });
    });

    it('are rendered before sending, with the data inserted as text', async () => {
        const data = { ...(await fixture('release.data.json')), product: '${notesUrl}', breaking: false };
        const { body } = await buildTeamsPayload({ to: 'flow', card: { template: 'release', data } }, 'workflows');
        const payload = JSON.parse(body) as { attachments: [{ contentUrl: null; content: { version: string; body: { items?: unknown }[] } }] };
        expect(payload.attachments[0].contentUrl).toBeNull();
        expect(payload.attachments[0].content.version).toBe('1.4');
        expect(body).toContain('${notesUrl} 4.2.0 released');
        expect(body).not.toContain('Breaking changes');
        expect(body).toContain('- **security**: Tokens are no longer written to the debug log');
    });

    it('are dead-lettered from the queue, naming the field, when the data does not fit', async () => {
        const store = createMemoryOutboxStore();
        const result = await acceptQueueMessage({ id: 'r1', to: 'ops', card: { template: 'release', data: { product: 'CLI' } } }, { messageId: 'm1', dequeuedAt: 0 }, store, config);
        expect(result).toMatchObject({ kind: 'dead-lettered', reason: expect.stringContaining('card.data.version: required by the "release" template') as unknown });
    });
});

describe('hostile input', () => {
    it('any data for a custom template is refused naming card.data, or makes a job that builds for both dialects', async () => {
        await templatesFolder();
        await installCustomTemplates({ setting: undefined, appRoot: folder });
        const base = await fixture('release.data.json');
        const hostileText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('${notesUrl}', '<at>Ann</at>', '</at>', '${', '{{DATE(x)}}', '"}]}', '\u0000', 'x'.repeat(30_000)));
        const hostileValue = fc.oneof(hostileText, fc.integer(), fc.boolean(), fc.constant(null), fc.array(hostileText, { maxLength: 3 }), fc.dictionary(hostileText, hostileText, { maxKeys: 3 }));
        await fc.assert(
            fc.asyncProperty(fc.dictionary(fc.constantFrom(...Object.keys(base), '__proto__', 'constructor', 'extra'), hostileValue, { maxKeys: 6 }), async (changes) => {
                const job = { to: 'flow', card: { template: 'release', data: { ...base, ...changes } } };
                const checked = await checkJob(job, config);
                if (!checked.ok) {
                    expect(checked.problems.every((problem) => /^card(\.data)?[.:]/.test(problem)), checked.problems.join('\n')).toBe(true);
                    return;
                }
                for (const dialect of ['workflows', 'connector'] as const) {
                    await expect(buildTeamsPayload(checked.job, dialect)).resolves.toMatchObject({ bytes: expect.any(Number) as unknown });
                }
            }),
            { numRuns: 150 },
        );
    });

    it('any file in the folder loads, or fails start-up with every problem naming a file of the folder', async () => {
        const jsonish = fc.oneof(
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.json({ maxDepth: 4 }),
            fc.record({ type: fc.constantFrom('AdaptiveCard', 'Card'), version: fc.constantFrom('1.0', '1.4', '1.6', '2.0', 'x'), body: fc.array(fc.record({ type: fc.constantFrom('TextBlock', 'Image', 'Gauge', 'Container'), text: fc.string(), size: fc.constantFrom('Small', 'Hugee') }), { maxLength: 3 }) }).map((card) => JSON.stringify(card)),
        );
        const fileName = fc.tuple(fc.constantFrom('ok', 'release', 'alert', 'Bad Name', 'x-', 'a'.repeat(70), '..', 'ünï'), fc.constantFrom('.json', '.data.json', '.schema.json', '.JSON', '.txt'));
        await fc.assert(
            fc.asyncProperty(fc.array(fc.tuple(fileName, jsonish), { maxLength: 4 }), async (files) => {
                const templates = join(folder, `case-${Math.random().toString(36).slice(2)}`);
                await mkdir(templates);
                for (const [[name, suffix], content] of files) {
                    await writeFile(join(templates, `${name}${suffix}`), content);
                }
                try {
                    const loaded = await loadCustomTemplates({ setting: templates, appRoot: folder });
                    for (const entry of loaded) {
                        expect(BUILT_IN_TEMPLATES.has(entry.name)).toBe(false);
                    }
                } catch (thrown) {
                    expect(thrown).toBeInstanceOf(ConfigurationError);
                    const problems = (thrown as ConfigurationError).problems;
                    expect(problems.length).toBeGreaterThan(0);
                    expect(problems.every((problem) => problem.startsWith(`${templates}/`))).toBe(true);
                } finally {
                    await rm(templates, { recursive: true, force: true });
                }
            }),
            { numRuns: 120 },
        );
    });
});
