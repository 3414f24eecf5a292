/** `teams-relay templates`: the card templates a job may name, their data fields (from each zod schema) and example data. */
import { z } from 'zod';
import { CARD_CATALOG, type CatalogEntry } from '../../../shared/cards/index.js';
import { ClientError } from '../../../shared/platform/index.js';
import { defineCliCommand, EXIT, PROGRAM } from '../command.js';
import { useCliCardTemplates } from '../settings.js';

const OPTIONS = {
    json: { type: 'boolean' },
} as const;

/** Spaces of indentation in printed JSON. */
const JSON_INDENT = 2;

const USAGE = `Usage: ${PROGRAM} templates [<name>] [--json]

Lists the card templates a notification job may name as card.template, each with its data fields
(name, required or optional, type, description). Your own templates (CARD_TEMPLATES_DIR, default
templates/ in the current directory) come after the built-in ones, marked "custom" with their file.

  <name>      one template: its fields on standard error and its example data as JSON on standard
              output, ready for: ${PROGRAM} templates alert > alert.json
                                 ${PROGRAM} send --to ops --card alert --data @alert.json
  --json      print JSON instead: every template (or the one named) with its fields, its data's
              JSON Schema and example data
  -h, --help  show this help`;

/** One data field of a template, flattened: `facts[].name` is the `name` of each `facts` entry. */
interface TemplateField {
    readonly path: string;
    /** The JSON type, e.g. `string`, `integer`, `url`, `string[]`, or the allowed values `a|b`. */
    readonly type: string;
    /** Whether the data (or, inside a list, each entry) must have it. */
    readonly required: boolean;
    readonly description?: string;
    /** The value used when the field is missing. */
    readonly default?: unknown;
}

/** A JSON Schema as `z.toJSONSchema` writes it. */
type SchemaNode = z.core.JSONSchema.JSONSchema;

/** A subschema as an object; `true`/`false` schemas and tuple `items` say nothing worth listing. */
function subschema(value: z.core.JSONSchema._JSONSchema | readonly z.core.JSONSchema._JSONSchema[] | undefined): SchemaNode | undefined {
    return typeof value === 'object' && !Array.isArray(value) ? (value as SchemaNode) : undefined;
}

/** A schema for a custom template without `<name>.schema.json`: any JSON object. */
const ANY_OBJECT: SchemaNode = { type: 'object' };

/**
 * The JSON Schema of a template's data as producers write it (defaults make fields optional): a
 * built-in template's from its zod schema, a custom one's own `<name>.schema.json`.
 */
function dataJsonSchema(entry: CatalogEntry): SchemaNode {
    if (entry.origin.kind === 'custom') {
        return (entry.origin.jsonSchema as SchemaNode | undefined) ?? ANY_OBJECT;
    }
    return z.toJSONSchema(entry.schema, { io: 'input' });
}

/** How a listing marks a custom template: ` (custom: templates/release.json)`; nothing for a built-in one. */
function originNote(entry: CatalogEntry): string {
    return entry.origin.kind === 'custom' ? ` (custom: ${entry.origin.file})` : '';
}

function typeName(node: SchemaNode | undefined): string {
    if (node === undefined) {
        return 'unknown';
    }
    if (node.enum !== undefined) {
        return node.enum.map(String).join('|');
    }
    if (node.const !== undefined) {
        return JSON.stringify(node.const);
    }
    if (node.anyOf !== undefined) {
        return node.anyOf.map((option) => typeName(subschema(option))).join('|');
    }
    if (node.type === 'array') {
        const item = typeName(subschema(node.items));
        return item.includes('|') ? `(${item})[]` : `${item}[]`;
    }
    if (node.type === 'string' && node.format === 'uri') {
        return 'url';
    }
    if (Array.isArray(node.type)) {
        return node.type.join('|');
    }
    return node.type ?? 'unknown';
}

/** An object whose own fields are worth listing: a closed object, not embedded free-form JSON (a card). */
function listsOwnFields(node: SchemaNode): boolean {
    return node.properties !== undefined && (node.additionalProperties === undefined || node.additionalProperties === false);
}

function flattenFields(node: SchemaNode | undefined, prefix: string): TemplateField[] {
    if (node?.properties === undefined || !listsOwnFields(node)) {
        return [];
    }
    const required = new Set(node.required ?? []);
    return Object.entries(node.properties).flatMap(([name, value]) => {
        const child = subschema(value);
        const path = `${prefix}${name}`;
        const field: TemplateField = {
            path,
            type: typeName(child),
            required: required.has(name),
            ...(child?.description === undefined ? {} : { description: child.description }),
            ...(child?.default === undefined ? {} : { default: child.default }),
        };
        const nested = child?.type === 'array' ? flattenFields(subschema(child.items), `${path}[].`) : flattenFields(child, `${path}.`);
        return [field, ...nested];
    });
}

/**
 * A template's data fields, read from its zod schema through `z.toJSONSchema`: nested objects and
 * list entries are flattened (`facts[].name`); embedded free-form JSON (a card) is one field.
 *
 * @example
 * templateFields(CARD_CATALOG.get('message')); // [{ path: 'title', type: 'string', required: true, ... }, ...]
 */
function templateFields(entry: CatalogEntry): TemplateField[] {
    return flattenFields(dataJsonSchema(entry), '');
}

/** A template as `templates --json` prints it. */
function templateJson(entry: CatalogEntry): object {
    const origin = entry.origin.kind === 'custom' ? { origin: 'custom', file: entry.origin.file } : { origin: 'built-in' };
    return { name: entry.name, summary: entry.summary, ...origin, fields: templateFields(entry), schema: dataJsonSchema(entry), example: entry.example };
}

/** The fields as aligned rows: path, required/optional, type, description (and default). */
function fieldLines(fields: readonly TemplateField[]): string[] {
    const pathWidth = Math.max(...fields.map((field) => field.path.length));
    const typeWidth = Math.max(...fields.map((field) => field.type.length));
    return fields.map((field) => {
        const presence = field.required ? 'required' : 'optional';
        const defaultNote = field.default === undefined ? undefined : `(default: ${JSON.stringify(field.default)})`;
        const note = [field.description, defaultNote].filter((part) => part !== undefined).join(' ');
        return `  ${field.path.padEnd(pathWidth)}  ${presence}  ${field.type.padEnd(typeWidth)}  ${note}`.trimEnd();
    });
}

function describeTemplate(entry: CatalogEntry): string[] {
    const fields = templateFields(entry);
    return [`${entry.name}${originNote(entry)}: ${entry.summary}`, ...(fields.length > 0 ? fieldLines(fields) : [])];
}

function findTemplate(name: string): CatalogEntry {
    const entry = CARD_CATALOG.get(name);
    if (entry === undefined) {
        throw new ClientError('unknown_template', `unknown template "${name}" (known: ${[...CARD_CATALOG.keys()].join(', ')})`);
    }
    return entry;
}

/** `teams-relay templates`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'templates', summary: 'list the card templates, their data fields and example data', usage: USAGE, options: OPTIONS, operands: true },
    async ({ values, positionals }, context) => {
        const [name, ...extra] = positionals;
        if (extra.length > 0) {
            throw new ClientError('usage', `templates takes at most one template name, got ${positionals.join(', ')}`);
        }
        await useCliCardTemplates(context);
        const { io } = context;
        if (name !== undefined) {
            const entry = findTemplate(name);
            if (values.json === true) {
                io.stdout(JSON.stringify(templateJson(entry), null, JSON_INDENT));
            } else {
                io.stderr([...describeTemplate(entry), '', `Example data (for ${PROGRAM} send --card ${entry.name} --data @<file>):`].join('\n'));
                io.stdout(JSON.stringify(entry.example, null, JSON_INDENT));
            }
            return EXIT.ok;
        }
        const entries = [...CARD_CATALOG.values()];
        if (values.json === true) {
            io.stdout(JSON.stringify(entries.map(templateJson), null, JSON_INDENT));
        } else {
            const sections = entries.map((entry) => describeTemplate(entry).join('\n'));
            io.stdout(
                [
                    ...sections.flatMap((section) => [section, '']),
                    `Use one with: ${PROGRAM} send --to <alias> --card <name> --data @data.json`,
                    `Example data for one: ${PROGRAM} templates <name> > data.json`,
                ].join('\n'),
            );
        }
        return EXIT.ok;
    },
);
