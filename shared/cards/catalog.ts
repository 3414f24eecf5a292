/** The named card templates a notification job may use as `card: { template, data }`, with the schema of each one's data: the built-in ones and those of `CARD_TEMPLATES_DIR`. */
import type { z } from 'zod';
import type { CardTemplate } from './render.js';
import { alertCardDataSchema, alertCardExample, alertCardTemplate } from './templates/alert.js';
import { buildCardDataSchema, buildCardExample, buildCardTemplate } from './templates/build.js';
import { deploymentCardDataSchema, deploymentCardExample, deploymentCardTemplate } from './templates/deployment.js';
import { digestCardDataSchema, digestCardExample, digestCardTemplate } from './templates/digest.js';
import { factsCardDataSchema, factsCardExample, factsCardTemplate } from './templates/facts.js';
import { incidentCardDataSchema, incidentCardExample, incidentCardTemplate } from './templates/incident.js';
import { messageCardDataSchema, messageCardExample, messageCardTemplate } from './templates/message.js';
import { pullRequestCardDataSchema, pullRequestCardExample, pullRequestCardTemplate } from './templates/pull-request.js';

/** A schema for a template's data: parses the data a job carries into what the template renders. */
export type CardDataSchema = z.ZodType<Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>>;

/** Where a template comes from: built into the app, or a designer file of `CARD_TEMPLATES_DIR`. */
type TemplateOrigin =
    | { readonly kind: 'built-in' }
    | {
          readonly kind: 'custom';
          /** The template file, as `CARD_TEMPLATES_DIR` names it (`templates/release.json`). */
          readonly file: string;
          /** The JSON Schema of its data (`<name>.schema.json`), when it has one. */
          readonly jsonSchema?: Readonly<Record<string, unknown>>;
      };

/** A named template, the schema its data must pass, and example data that passes it. */
export interface CatalogEntry {
    /** The name a job gives as `card.template`. */
    readonly name: string;
    /** One line: what the card is for. */
    readonly summary: string;
    /** The Adaptive Card with `${...}` bindings. */
    readonly template: CardTemplate;
    /** Validates `card.data`; its `.describe()` texts document each field. */
    readonly schema: CardDataSchema;
    /** Data that passes {@link schema}, as a producer would write it. */
    readonly example: Readonly<Record<string, unknown>>;
    readonly origin: TemplateOrigin;
}

const BUILT_IN: TemplateOrigin = { kind: 'built-in' };

/** Declares an entry, checking at compile time that its example fits its schema. */
function entry<S extends CardDataSchema>(declared: { name: string; summary: string; template: CardTemplate; schema: S; example: z.input<S> }): CatalogEntry {
    return { ...declared, origin: BUILT_IN };
}

const entries: readonly CatalogEntry[] = [
    entry({
        name: 'alert',
        summary: 'A monitoring alert: severity by colour and icon, description, source, facts, a link to it',
        template: alertCardTemplate,
        schema: alertCardDataSchema,
        example: alertCardExample,
    }),
    entry({
        name: 'deployment',
        summary: 'A deployment started, succeeded or failed: service, version, environment, who, changes',
        template: deploymentCardTemplate,
        schema: deploymentCardDataSchema,
        example: deploymentCardExample,
    }),
    entry({
        name: 'build',
        summary: 'A CI pipeline run: status by colour, branch, commit, duration, failed steps',
        template: buildCardTemplate,
        schema: buildCardDataSchema,
        example: buildCardExample,
    }),
    entry({
        name: 'incident',
        summary: 'An incident update: status by colour, summary, impact, commander, next update',
        template: incidentCardTemplate,
        schema: incidentCardDataSchema,
        example: incidentCardExample,
    }),
    entry({
        name: 'pull-request',
        summary: 'A review request that @mentions the reviewers: repo, number, branches, size',
        template: pullRequestCardTemplate,
        schema: pullRequestCardDataSchema,
        example: pullRequestCardExample,
    }),
    entry({
        name: 'facts',
        summary: 'A title and a list of facts, with optional Markdown text and links',
        template: factsCardTemplate,
        schema: factsCardDataSchema,
        example: factsCardExample,
    }),
    entry({
        name: 'message',
        summary: 'A title, Markdown text, optional facts and links',
        template: messageCardTemplate,
        schema: messageCardDataSchema,
        example: messageCardExample,
    }),
    entry({
        name: 'digest',
        summary: 'Many notifications in one message, each a section; rendered cards embedded with their links',
        template: digestCardTemplate,
        schema: digestCardDataSchema,
        example: digestCardExample,
    }),
];

/** The templates built into the app, by name; a custom template may not take one of these names. */
export const BUILT_IN_TEMPLATES: ReadonlyMap<string, CatalogEntry> = new Map(entries.map((declared) => [declared.name, declared]));

const catalog = new Map(BUILT_IN_TEMPLATES);

/**
 * Every template a job may name, by name, in the order `teams-relay templates` lists them: the
 * built-in ones, then the custom ones {@link useCustomTemplates} installed when the app started.
 */
export const CARD_CATALOG: ReadonlyMap<string, CatalogEntry> = catalog;

/**
 * Makes `custom` (loaded from `CARD_TEMPLATES_DIR` at start) the custom templates of
 * {@link CARD_CATALOG}, replacing any installed before, so jobs may name them like built-in ones.
 *
 * @throws {TypeError} when one is not marked custom or takes a built-in template's name: the
 * loader refuses both, naming the file.
 * @example
 * useCustomTemplates(await loadCustomTemplates({ setting: config.cards.templatesDir, appRoot }));
 */
export function useCustomTemplates(custom: readonly CatalogEntry[]): void {
    for (const candidate of custom) {
        if (candidate.origin.kind !== 'custom' || BUILT_IN_TEMPLATES.has(candidate.name)) {
            throw new TypeError(`"${candidate.name}" is not a custom template, or shadows a built-in one`);
        }
    }
    for (const name of catalog.keys()) {
        if (!BUILT_IN_TEMPLATES.has(name)) {
            catalog.delete(name);
        }
    }
    for (const candidate of custom) {
        catalog.set(candidate.name, candidate);
    }
}

/** The outcome of {@link validateCardData}: the data parsed (defaults applied), or every problem. */
type CardDataValidation =
    | { readonly ok: true; readonly data: Readonly<Record<string, unknown>> }
    | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates a job's `card` against the catalog: the template exists and its data passes the
 * template's schema. Problems name the field as `card.data.<path>: <message>`; a missing required
 * field reads `card.data.<path>: required by the "<template>" template`.
 *
 * @example
 * const result = validateCardData('alert', { title: 'CPU high', severity: 'high' });
 * if (result.ok) await renderCardTemplate(CARD_CATALOG.get('alert').template, result.data);
 */
export function validateCardData(template: string, data: Readonly<Record<string, unknown>>): CardDataValidation {
    const found = CARD_CATALOG.get(template);
    if (found === undefined) {
        return { ok: false, problems: [`card.template: unknown template "${template}" (known: ${[...CARD_CATALOG.keys()].join(', ')})`] };
    }
    const parsed = found.schema.safeParse(data, {
        error: (issue) => (issue.input === undefined ? `required by the "${template}" template` : undefined),
    });
    if (parsed.success) {
        return { ok: true, data: parsed.data };
    }
    return {
        ok: false,
        problems: parsed.error.issues.map((issue) => {
            const field = ['card.data', ...issue.path.map(String)].join('.');
            return `${field}: ${issue.message}`;
        }),
    };
}

/**
 * Checks a job's `card` against the catalog: the template exists and its data passes the
 * template's schema. Returns the problems, each naming the field (`card.data.<path>: <message>`);
 * empty when the card is fine.
 *
 * @example
 * checkCardData('message', {}); // ['card.data.title: required by the "message" template']
 */
export function checkCardData(template: string, data: Readonly<Record<string, unknown>>): string[] {
    const validation = validateCardData(template, data);
    return validation.ok ? [] : [...validation.problems];
}
