/** Pieces the card templates share: link and fact schemas, the card elements that show them, and expression builders. */
import { z } from 'zod';
import { CARD_VERSION } from '../card.js';
import type { CardTemplate } from '../render.js';

/**
 * The colours a card can show a state with: both a Container `style` and a TextBlock `color` take
 * these names (Adaptive Cards 1.2+, so within the 1.4 that Workflows renders).
 */
type CardColour = 'attention' | 'warning' | 'accent' | 'good';

/** How a state looks on a card: its colour and the emoji before its label. */
export interface StateLook {
    readonly colour: CardColour;
    readonly icon: string;
}

/** The `$schema` the Adaptive Cards designer writes; Teams ignores it, editors use it. */
const ADAPTIVE_CARD_SCHEMA_URL = 'http://adaptivecards.io/schemas/adaptive-card.json';

/**
 * A card template: an Adaptive Card with the `$schema` and version every template declares, and
 * `content` (its body, actions and any other top-level properties).
 * @example
 * export const messageCardTemplate = cardTemplate({ body: [markdownElement('text')], actions: linkActions() });
 */
export function cardTemplate(content: Readonly<Record<string, unknown>>): CardTemplate {
    return { type: 'AdaptiveCard', $schema: ADAPTIVE_CARD_SCHEMA_URL, version: CARD_VERSION, ...content };
}

/**
 * A schema-level error message that leaves a missing value to the caller's error map, so a missing
 * required field reads "required" rather than a type complaint.
 */
export function invalidValue(message: string): (issue: { readonly input?: unknown }) => string | undefined {
    return (issue) => (issue.input === undefined ? undefined : message);
}

/** A URL a card may open: http(s) only, so a card never carries `javascript:` or `file:` links. */
export const cardUrlSchema = z.url({ protocol: /^https?$/, error: invalidValue('must be an http(s) URL') });

/** A button that opens a URL. */
const cardLinkSchema = z.object({
    title: z.string().trim().min(1).describe('The button text'),
    url: cardUrlSchema.describe('The http(s) URL it opens'),
});

/** Buttons under the card, each an `Action.OpenUrl`. */
export const cardLinksSchema = z.array(cardLinkSchema).describe('Buttons under the card, each opening a URL');

/** A fact shown as a name/value row; numbers and booleans are shown as text. */
export const cardFactSchema = z.object({
    name: z.string().trim().min(1).describe('The fact name, e.g. "Region"'),
    value: z.union([z.string(), z.number(), z.boolean()], { error: invalidValue('must be a string, a number or a boolean') }).describe('The fact value'),
});

/** Extra name/value rows. */
export const cardFactsSchema = z.array(cardFactSchema).describe('Extra name/value rows');

/** A duration as shown (`"4m 12s"`) or in whole seconds (shown as `4m 12s`). */
export const cardDurationSchema = z
    .union([z.string().trim().min(1), z.int().nonnegative()], { error: invalidValue('must be a text such as "4m 12s" or whole seconds') })
    .describe('How long it took: a text such as "4m 12s", or whole seconds');

/** Seconds in a minute, for {@link durationExpression}. */
const SECONDS_PER_MINUTE = 60;

/**
 * A `$when` binding that holds when `path` is present and not empty (`""`, `[]`). The templating
 * engine leaves a `${...}` binding in the card when a field is missing, so every optional field is
 * guarded by one of these.
 */
export function whenPresent(path: string): string {
    return `\${not(empty(${path}))}`;
}

/** A `$when` binding that holds when any of `paths` is present and not empty. */
function whenAnyPresent(paths: readonly string[]): string {
    return `\${${paths.map((path) => `not(empty(${path}))`).join(' || ')}}`;
}

/**
 * An expression (without `${}`) choosing a constant by the value of `field`: `choices[field]`, or
 * `fallback` for any other value (and when the field is missing). Choices and fallback are the
 * templates' own constants, never data, so they need no escaping.
 *
 * @example
 * chooseByValue('status', { failed: 'attention' }, 'good'); // "if(status == 'failed', 'attention', 'good')"
 */
export function chooseByValue(field: string, choices: Readonly<Record<string, string>>, fallback: string): string {
    return Object.entries(choices).reduceRight((otherwise, [value, chosen]) => `if(${field} == '${value}', '${chosen}', ${otherwise})`, `'${fallback}'`);
}

/**
 * The expressions that pick a state's colour and icon by the value of `field`, as `looks` maps them
 * (in their order), and `fallback`'s when the value is none of them.
 * @example
 * const { colour, icon } = stateLookExpressions('status', BUILD_STATUS_LOOK, BUILD_STATUS_LOOK.failed);
 */
export function stateLookExpressions(field: string, looks: Readonly<Record<string, StateLook>>, fallback: StateLook): { readonly colour: string; readonly icon: string } {
    const pick = (part: keyof StateLook): string =>
        chooseByValue(field, Object.fromEntries(Object.entries(looks).map(([value, look]) => [value, look[part]])), fallback[part]);
    return { colour: pick('colour'), icon: pick('icon') };
}

/** An expression (without `${}`) showing a {@link cardDurationSchema} value: text as given, seconds as `42s` or `4m 12s`. */
export function durationExpression(field: string): string {
    const minutes = `concat(string(div(${field}, ${SECONDS_PER_MINUTE})), 'm ', string(mod(${field}, ${SECONDS_PER_MINUTE})), 's')`;
    return `if(isString(${field}), ${field}, if(${field} < ${SECONDS_PER_MINUTE}, concat(string(${field}), 's'), ${minutes}))`;
}

/** A fact row of a template's own, shown when its field is present. */
interface FixedFact {
    /** The row's name. */
    readonly title: string;
    /** The data field it shows. */
    readonly field: string;
    /** An expression (without `${}`) for the value. @default `string(<field>)` */
    readonly value?: string;
}

/**
 * A FactSet of the template's own rows (each shown when its field is present) followed by the
 * data's `facts`; left out when there is nothing to show.
 */
export function factSetElement(fixed: readonly FixedFact[], factsField = 'facts'): object {
    return {
        type: 'FactSet',
        $when: whenAnyPresent([...fixed.map((fact) => fact.field), factsField]),
        facts: [
            ...fixed.map((fact) => ({ $when: whenPresent(fact.field), title: fact.title, value: `\${${fact.value ?? `string(${fact.field})`}}` })),
            // `$when` on `$root`: a missing array makes the engine keep the row unexpanded in the root's scope.
            { $data: `\${${factsField}}`, $when: whenPresent(`$root.${factsField}`), title: '${name}', value: '${string(value)}' },
        ],
    };
}

/** A Markdown TextBlock showing `field`, left out when the field is missing or empty. */
export function markdownElement(field: string, extra: Readonly<Record<string, unknown>> = {}): object {
    return { type: 'TextBlock', $when: whenPresent(field), text: `\${${field}}`, wrap: true, ...extra };
}

/**
 * A headed bullet list of the strings in `field` (e.g. a deployment's changes), left out when the
 * list is missing or empty.
 */
export function bulletListElement(field: string, heading: string, headingExtra: Readonly<Record<string, unknown>> = {}): object {
    return {
        type: 'Container',
        $when: whenPresent(field),
        items: [
            { type: 'TextBlock', text: heading, weight: 'Bolder', ...headingExtra, wrap: true },
            { type: 'TextBlock', $data: `\${${field}}`, text: '• ${$data}', wrap: true, spacing: 'Small' },
        ],
    };
}

/**
 * The card's actions: a main button opening the data's `url` (when `mainTitle` is given and `url`
 * is present) and one per entry of `links`. Every one is an `Action.OpenUrl`, the only action
 * incoming webhooks and Workflows both take.
 */
export function linkActions(mainTitle?: string): object[] {
    const links = { $data: '${links}', $when: whenPresent('$root.links'), type: 'Action.OpenUrl', title: '${title}', url: '${url}' };
    return mainTitle === undefined ? [links] : [{ type: 'Action.OpenUrl', $when: whenPresent('url'), title: mainTitle, url: '${url}' }, links];
}

/**
 * A coloured header band: a Container in the state's colour holding `items`, reaching the card's
 * edges. `colour` is an expression (without `${}`) giving a {@link CardColour}.
 */
function headerElement(colour: string, items: readonly object[]): object {
    return { type: 'Container', style: `\${${colour}}`, bleed: true, items };
}

/**
 * The fields a state card's data ends with: extra facts, the `url` its main button opens
 * (`urlDescription` says what it is and names the button) and more buttons.
 *
 * @example
 * z.object({ pipeline: z.string(), ...linkedCardFields('The run in the CI system (the "View run" button)') });
 */
export function linkedCardFields(urlDescription: string) {
    return { facts: cardFactsSchema.optional(), url: cardUrlSchema.optional().describe(urlDescription), links: cardLinksSchema.optional() };
}

/** What a state card's header band shows: one large headline, or a small label in the state's colour over the data's `title` (and any lines below it). */
type StateHeader = { readonly headline: string } | { readonly label: string; readonly below?: readonly object[] };

/** A card that reports the state of something (an alert, an incident, a build, a deployment). */
interface StateCard {
    /** The state's colour: an expression (without `${}`) giving a {@link CardColour}. */
    readonly colour: string;
    /** The header band's lines; `headline` and `label` are expressions (without `${}`). */
    readonly header: StateHeader;
    /** What the card shows under its header. */
    readonly body: readonly object[];
    /** The main button's text; it opens the data's `url`. */
    readonly mainLink: string;
}

function headerLines(colour: string, header: StateHeader): object[] {
    if ('headline' in header) {
        return [{ type: 'TextBlock', text: `\${${header.headline}}`, weight: 'Bolder', size: 'Large', wrap: true }];
    }
    return [
        { type: 'TextBlock', text: `\${${header.label}}`, color: `\${${colour}}`, weight: 'Bolder', size: 'Small', wrap: true },
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', size: 'Large', wrap: true, spacing: 'Small' },
        ...(header.below ?? []),
    ];
}

/**
 * A state card's template: a header band in the state's colour, the body under it, the main button
 * and the data's `links`, at the full width of the channel.
 *
 * @example
 * stateCardTemplate({ colour, header: { headline }, body: [markdownElement('summary')], mainLink: 'View run' });
 */
export function stateCardTemplate({ colour, header, body, mainLink }: StateCard): CardTemplate {
    return cardTemplate({
        body: [headerElement(colour, headerLines(colour, header)), ...body],
        actions: linkActions(mainLink),
        msteams: { width: 'Full' },
    });
}
