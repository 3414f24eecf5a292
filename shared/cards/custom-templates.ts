/** Cards people design themselves: the Adaptive Cards Designer's template files of `CARD_TEMPLATES_DIR`, checked and turned into catalog entries at start. */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigurationError, findExcessiveNesting, formatJsonPath, MAX_JSON_DEPTH } from '../platform/index.js';
import { BUILT_IN_TEMPLATES, type CardDataSchema, type CatalogEntry, useCustomTemplates } from './catalog.js';
import { renderCardTemplate, type CardTemplate } from './render.js';
import { formatCardProblem, validateCard } from './validate.js';

/** Where custom templates are looked for when `CARD_TEMPLATES_DIR` is unset: `templates/` in the app's folder. */
export const DEFAULT_CARD_TEMPLATES_DIR = 'templates';

/** The setting that names the folder (README, "Configuration"). */
const CARD_TEMPLATES_SETTING = 'CARD_TEMPLATES_DIR';

/** What a template file's name (before `.json`) may be: what a job writes as `card.template`, like the built-in `pull-request`. */
const TEMPLATE_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Longest template name, in characters. */
const MAX_TEMPLATE_NAME_CHARS = 64;

/**
 * Largest file read from the folder. A card must fit in the 24 KB Teams payload, so a template or
 * its example is far smaller; the limit only stops a stray large file from being read at start.
 */
const MAX_TEMPLATE_FILE_BYTES = 1024 * 1024;

/** The three kinds of file a template may have, by how their names end. */
const TEMPLATE_SUFFIX = '.json';
const EXAMPLE_SUFFIX = '.data.json';
const SCHEMA_SUFFIX = '.schema.json';

/** The JSON Schema dialects a `<name>.schema.json` may declare in `$schema`; without one it is draft-07. */
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/** The card rules a template's example is checked with at start: the widest a webhook takes. Each job is checked again for its own destination. */
const LOAD_DESTINATION = 'connector';

/** Where to look: the setting (absolute, or relative to the app's folder) or the default. */
interface CustomTemplatesSource {
    /** `CARD_TEMPLATES_DIR` as configured; `undefined` when unset. */
    readonly setting: string | undefined;
    /** The app's folder (the Functions app directory; the working directory for the CLI). */
    readonly appRoot: string;
}

/** The files of one template, by kind. */
interface TemplateFiles {
    template?: string;
    example?: string;
    schema?: string;
}

type Problems = string[];

/** A JSON value read from a file, or `undefined` after adding a problem naming the file. */
async function readJson(folder: string, label: string, file: string, problems: Problems): Promise<unknown> {
    const path = join(folder, file);
    const where = join(label, file);
    let text: string;
    try {
        const { size } = await stat(path);
        if (size > MAX_TEMPLATE_FILE_BYTES) {
            problems.push(`${where}: ${size} bytes, over the ${MAX_TEMPLATE_FILE_BYTES} a template file may have`);
            return undefined;
        }
        text = await readFile(path, 'utf8');
    } catch (thrown) {
        problems.push(`${where}: cannot be read (${(thrown as NodeJS.ErrnoException).code ?? String(thrown)})`);
        return undefined;
    }
    let value: unknown;
    try {
        value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    } catch (thrown) {
        problems.push(`${where}: not valid JSON (${(thrown as Error).message})`);
        return undefined;
    }
    const tooDeep = findExcessiveNesting(value, MAX_JSON_DEPTH);
    if (tooDeep !== undefined) {
        problems.push(`${where}: nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (at ${formatJsonPath(tooDeep)})`);
        return undefined;
    }
    return value;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Groups the folder's `.json` files by template name; other files and folders are left alone. */
function groupFiles(entries: readonly Dirent[]): Map<string, TemplateFiles> {
    const byName = new Map<string, TemplateFiles>();
    const files = entries.filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(TEMPLATE_SUFFIX)).map((entry) => entry.name);
    for (const file of files.sort()) {
        const lower = file.toLowerCase();
        const [kind, suffix] = lower.endsWith(EXAMPLE_SUFFIX) ? (['example', EXAMPLE_SUFFIX] as const) : lower.endsWith(SCHEMA_SUFFIX) ? (['schema', SCHEMA_SUFFIX] as const) : (['template', TEMPLATE_SUFFIX] as const);
        const name = file.slice(0, file.length - suffix.length);
        const found = byName.get(name) ?? {};
        found[kind] = file;
        byName.set(name, found);
    }
    return byName;
}

function nameProblem(name: string): string | undefined {
    if (name.length > MAX_TEMPLATE_NAME_CHARS || !TEMPLATE_NAME_PATTERN.test(name)) {
        return `the name "${name}" must be 1-${MAX_TEMPLATE_NAME_CHARS} lower-case letters and digits in words joined by single hyphens (it is what jobs write as card.template)`;
    }
    if (BUILT_IN_TEMPLATES.has(name)) {
        return `the name "${name}" is a built-in template's; choose another name`;
    }
    return undefined;
}

/** An ajv error's data path (`/items/0/title`) as path segments. */
function pointerSegments(pointer: string): (string | number)[] {
    return pointer === ''
        ? []
        : pointer
              .slice(1)
              .split('/')
              .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
              .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

/** What ajv's validation function looks like, as far as it is used here. */
interface DataValidator {
    (data: unknown): boolean;
    errors?: readonly { readonly instancePath: string; readonly keyword: string; readonly message?: string; readonly params: Readonly<Record<string, unknown>> }[] | null;
}

/**
 * The template's data schema as the catalog takes it: a JSON object that the JSON Schema (when
 * there is one) accepts. Each ajv error becomes an issue at its data path, so problems read like the
 * built-in templates' (`card.data.items.0.title: required by the "release" template`).
 */
function dataSchema(name: string, validate: DataValidator | undefined): CardDataSchema {
    const object = z.record(z.string(), z.unknown());
    if (validate === undefined) {
        return object;
    }
    return object.superRefine((data, context) => {
        if (validate(data)) {
            return;
        }
        for (const error of validate.errors ?? []) {
            const path = pointerSegments(error.instancePath);
            if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') {
                context.addIssue({ code: 'custom', path: [...path, error.params.missingProperty], message: `required by the "${name}" template` });
            } else if (error.keyword === 'additionalProperties' && typeof error.params.additionalProperty === 'string') {
                context.addIssue({ code: 'custom', path: [...path, error.params.additionalProperty], message: `not a field of the "${name}" template` });
            } else if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
                context.addIssue({ code: 'custom', path, message: `must be one of ${error.params.allowedValues.map((value) => JSON.stringify(value)).join('|')}` });
            } else {
                context.addIssue({ code: 'custom', path, message: error.message ?? `fails the schema's "${error.keyword}"` });
            }
        }
    });
}

/**
 * Compiles a `<name>.schema.json` with ajv (strict: an unknown keyword or format is an error, so a
 * typo cannot silently accept everything); ajv is loaded only when a template has a schema.
 */
async function compileSchema(schema: Readonly<Record<string, unknown>>): Promise<DataValidator> {
    const declared = schema.$schema;
    // Unknown keywords and formats are errors; type and tuple hints (logged by default) are left to the schema author.
    const options = { allErrors: true, strict: true, strictTypes: false, strictTuples: false } as const;
    let ajv: import('ajv/dist/core.js').default;
    if (declared === DRAFT_2020_12) {
        const { Ajv2020 } = await import('ajv/dist/2020.js');
        ajv = new Ajv2020(options);
    } else if (declared === undefined || (typeof declared === 'string' && DRAFT_07.test(declared))) {
        const { Ajv } = await import('ajv');
        ajv = new Ajv(options);
    } else {
        throw new Error(`$schema ${JSON.stringify(declared)} is not one this app reads; declare ${DRAFT_2020_12} or draft-07, or leave $schema out (draft-07)`);
    }
    const { default: addFormats } = await import('ajv-formats');
    addFormats.default(ajv);
    return ajv.compile(schema);
}

/** One template's catalog entry, or `undefined` after adding a problem for each thing wrong with its files. */
async function loadTemplate(folder: string, label: string, name: string, files: TemplateFiles, problems: Problems): Promise<CatalogEntry | undefined> {
    const problemsBefore = problems.length;
    const templateFile = files.template;
    if (templateFile === undefined) {
        for (const file of [files.example, files.schema]) {
            if (file !== undefined) {
                problems.push(`${join(label, file)}: there is no template ${name}${TEMPLATE_SUFFIX} beside it`);
            }
        }
        return undefined;
    }
    const where = join(label, templateFile);
    const badName = nameProblem(name);
    if (badName !== undefined) {
        problems.push(`${where}: ${badName}`);
        return undefined;
    }
    const template = await readJson(folder, label, templateFile, problems);
    if (template !== undefined && !(isRecord(template) && template.type === 'AdaptiveCard')) {
        problems.push(`${where}: not an Adaptive Card template (the top level must be an object with "type": "AdaptiveCard", as the designer saves it)`);
    }
    const example = files.example === undefined ? {} : await readJson(folder, label, files.example, problems);
    if (files.example !== undefined && example !== undefined && !isRecord(example)) {
        problems.push(`${join(label, files.example)}: the example data must be a JSON object (the designer's sample data)`);
    }
    const schema = files.schema === undefined ? undefined : await readJson(folder, label, files.schema, problems);
    let validate: DataValidator | undefined;
    if (files.schema !== undefined && schema !== undefined) {
        try {
            if (!isRecord(schema)) {
                throw new Error('a JSON Schema for the data must be an object');
            }
            validate = await compileSchema(schema);
        } catch (thrown) {
            problems.push(`${join(label, files.schema)}: not a valid JSON Schema (${(thrown as Error).message})`);
        }
    }
    if (problems.length > problemsBefore || !isRecord(template) || !isRecord(example)) {
        return undefined;
    }
    const card = template as CardTemplate;
    const entry: CatalogEntry = {
        name,
        summary: summaryOf(schema, templateFile),
        template: card,
        schema: dataSchema(name, validate),
        example,
        origin: { kind: 'custom', file: where, ...(isRecord(schema) ? { jsonSchema: schema } : {}) },
    };
    const exampleWhere = files.example === undefined ? `${where} (rendered with no data; give ${name}${EXAMPLE_SUFFIX} if it needs some)` : join(label, files.example);
    const parsed = entry.schema.safeParse(example);
    if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => `${['card.data', ...issue.path.map(String)].join('.')}: ${issue.message}`);
        problems.push(`${exampleWhere}: the example data fails ${files.schema ?? 'the schema'}: ${fields.join('; ')}`);
        return undefined;
    }
    let rendered: unknown;
    try {
        rendered = await renderCardTemplate(card, parsed.data);
    } catch (thrown) {
        problems.push(`${exampleWhere}: the template does not render with the example data (${(thrown as Error).message})`);
        return undefined;
    }
    const cardProblems = await validateCard(rendered, { destination: LOAD_DESTINATION });
    if (cardProblems.length > 0) {
        problems.push(`${where}: the card it renders${files.example === undefined ? ' with no data' : ` from ${files.example}`} is not a valid Adaptive Card: ${cardProblems.map(formatCardProblem).join('; ')}`);
        return undefined;
    }
    return entry;
}

/** One line for `teams-relay templates`: the schema's `description` or `title`, else where the template comes from. */
function summaryOf(schema: unknown, templateFile: string): string {
    const described = isRecord(schema) ? (schema.description ?? schema.title) : undefined;
    return typeof described === 'string' && described.trim() !== '' ? described.trim().split('\n')[0] ?? '' : `A card designed in the Adaptive Cards Designer (${templateFile})`;
}

/**
 * Reads the folder `CARD_TEMPLATES_DIR` names (else `templates/` in the app's folder) once and
 * returns a catalog entry for each `<name>.json` template, with its optional `<name>.data.json`
 * example data and `<name>.schema.json` JSON Schema. The default folder may be absent (no custom
 * templates); a folder the setting names must exist. Each template must be an Adaptive Card with
 * a name jobs can write that no built-in template has; its schema must compile, its example must
 * pass the schema, and the card rendered from the example must pass the card rules.
 *
 * @throws {ConfigurationError} listing every problem, each naming its file.
 * @example
 * const custom = await loadCustomTemplates({ setting: config.cards.templatesDir, appRoot: process.cwd() });
 */
export async function loadCustomTemplates(source: CustomTemplatesSource): Promise<CatalogEntry[]> {
    const configured = source.setting !== undefined && source.setting.trim() !== '' ? source.setting.trim() : undefined;
    const label = configured ?? DEFAULT_CARD_TEMPLATES_DIR;
    const folder = isAbsolute(label) ? label : resolve(source.appRoot, label);
    let entries: Dirent[];
    try {
        entries = await readdir(folder, { withFileTypes: true });
    } catch (thrown) {
        const code = (thrown as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && configured === undefined) {
            return [];
        }
        const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? String(thrown)})`;
        throw new ConfigurationError([`${CARD_TEMPLATES_SETTING}: the folder ${label} (${folder}) ${why}`]);
    }
    const problems: Problems = [];
    const loaded: CatalogEntry[] = [];
    for (const [name, files] of groupFiles(entries)) {
        const entry = await loadTemplate(folder, label, name, files, problems);
        if (entry !== undefined) {
            loaded.push(entry);
        }
    }
    if (problems.length > 0) {
        throw new ConfigurationError(problems);
    }
    return loaded;
}

/**
 * Loads the custom templates ({@link loadCustomTemplates}) and makes them the catalog's, so jobs,
 * their checks at enqueue and the sender find them like built-in templates. Run once at start.
 *
 * @returns the templates installed.
 * @throws {ConfigurationError} listing every bad file; the catalog is then left as it was.
 * @example
 * await installCustomTemplates({ setting: getConfig().cards.templatesDir, appRoot });
 */
export async function installCustomTemplates(source: CustomTemplatesSource): Promise<readonly CatalogEntry[]> {
    const loaded = await loadCustomTemplates(source);
    useCustomTemplates(loaded);
    return loaded;
}
