/** Checking an Adaptive Card against the rules of the place it is sent to, before it leaves. */
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import { findExcessiveNesting, formatJsonPath, MAX_JSON_DEPTH } from '../platform/index.js';
import { ALLOWED_REPLY_ACTION, cardActionTypes, WORKFLOWS_MAX_CARD_VERSION } from './card.js';

/**
 * Where a card goes: a legacy connector incoming webhook, a Power Automate Workflows webhook, or the
 * reply to an outgoing-webhook mention.
 */
export type CardDestination = 'connector' | 'workflows' | 'mention-reply';

/** The rules {@link validateCard} applies. */
interface CardRules {
    readonly destination: CardDestination;
}

/** One broken rule: where in the card (`body[2].size`, `''` for the card itself) and what is wrong. */
interface CardProblem {
    readonly path: string;
    readonly message: string;
}

export { WORKFLOWS_MAX_CARD_VERSION };

/** Highest card version the `adaptivecards` 3.x object model knows (`Versions.latest`), so the highest we can check. */
const OBJECT_MODEL_MAX_CARD_VERSION = '1.6';

/**
 * Highest card version per destination. Connectors render everything but `Action.Submit` (docs/teams-facts.md#connector-payloads);
 * no limit is documented for mention replies, so both stop where the object model stops.
 */
const MAX_CARD_VERSION: Readonly<Record<CardDestination, string>> = {
    connector: OBJECT_MODEL_MAX_CARD_VERSION,
    workflows: WORKFLOWS_MAX_CARD_VERSION,
    'mention-reply': OBJECT_MODEL_MAX_CARD_VERSION,
};

/** Actions incoming webhooks cannot carry: nobody receives what they post (docs/teams-facts.md#connector-payloads). */
const WEBHOOK_FORBIDDEN_ACTIONS: readonly string[] = ['Action.Submit', 'Action.Execute'];

/** How each destination is named in a reason. */
const DESTINATION_LABEL: Readonly<Record<CardDestination, string>> = {
    connector: 'connector',
    workflows: 'Workflows',
    'mention-reply': 'mention reply',
};

/** The UMD build: the package entry is an ES module build with extensionless imports that Node cannot load (docs/teams-facts.md#libraries-and-tools). */
const OBJECT_MODEL_BUNDLE = 'adaptivecards/dist/adaptivecards.js';

/** What opens a mention in a card text: `<at>Name</at>` (docs/teams-facts.md#connector-payloads). */
export const MENTION_OPEN = '<at>';
/** What closes a mention in a card text. */
export const MENTION_CLOSE = '</at>';

// --- the JSON tree, with a path for every node -------------------------------------------------

interface CardNode {
    readonly path: string;
    readonly value: Readonly<Record<string, unknown>>;
    /** The key the node sits under in its parent (`actions` for `actions[0]`). */
    readonly key: string | undefined;
}

function childPath(path: string, key: string | number): string {
    if (typeof key === 'number') {
        return `${path}[${key}]`;
    }
    return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every object in the card, depth first (document order), with its path. Walks with an explicit
 * stack rather than recursion: the card is untrusted and may nest to any depth.
 */
function cardNodes(card: Readonly<Record<string, unknown>>): CardNode[] {
    const nodes: CardNode[] = [];
    const pending: { readonly value: unknown; readonly path: string; readonly key: string | undefined }[] = [{ value: card, path: '', key: undefined }];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
        const { value, path, key } = next;
        const children: [string | number, unknown][] = Array.isArray(value) ? value.map((item: unknown, index) => [index, item]) : isRecord(value) ? Object.entries(value) : [];
        if (isRecord(value)) {
            nodes.push({ path, value, key });
        }
        // Reversed onto the stack, so the first child comes off first.
        for (let index = children.length - 1; index >= 0; index--) {
            const [childKey, child] = children[index] ?? [0, undefined];
            if (typeof child === 'object' && child !== null) {
                // An array's items sit under the array's own key (`actions` for `actions[0]`).
                pending.push({ value: child, path: childPath(path, childKey), key: typeof childKey === 'number' ? key : childKey });
            }
        }
    }
    return nodes;
}

function describeValue(value: unknown): string {
    return value === undefined ? 'nothing' : JSON.stringify(value);
}

function typeOf(node: Readonly<Record<string, unknown>>): string {
    return typeof node.type === 'string' ? node.type : '(no type)';
}

// --- versions ------------------------------------------------------------------------------------

function parseVersion(value: unknown): [number, number] | undefined {
    if (typeof value !== 'string') {
        return undefined;
    }
    const match = /^(\d+)\.(\d+)$/.exec(value.trim());
    return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/**
 * True when `version` is a card version above `max` (`"1.6"` > `"1.4"`); false for anything that is
 * not a version string.
 */
export function isVersionAbove(version: unknown, max: string): boolean {
    const parsed = parseVersion(version);
    const limit = parseVersion(max);
    if (parsed === undefined || limit === undefined) {
        return false;
    }
    return parsed[0] > limit[0] || (parsed[0] === limit[0] && parsed[1] > limit[1]);
}

// --- the rules that need no object model ---------------------------------------------------------

function envelopeProblems(card: unknown): CardProblem[] {
    if (!isRecord(card)) {
        return [{ path: '', message: `The card is ${Array.isArray(card) ? 'an array' : typeof card === 'object' ? 'null' : `a ${typeof card}`}, not an object with type "AdaptiveCard"` }];
    }
    if (card.type !== 'AdaptiveCard') {
        return [{ path: 'type', message: `Expected "AdaptiveCard", found ${describeValue(card.type)}` }];
    }
    const problems: CardProblem[] = [];
    for (const key of ['body', 'actions']) {
        if (card[key] !== undefined && !Array.isArray(card[key])) {
            problems.push({ path: key, message: 'Must be an array' });
        }
    }
    return problems;
}

function versionProblems(card: Readonly<Record<string, unknown>>, destination: CardDestination): CardProblem[] {
    const max = MAX_CARD_VERSION[destination];
    const version = card.version;
    if (version === undefined) {
        return [{ path: 'version', message: `Missing; ${DESTINATION_LABEL[destination]} cards need a version of at most ${max}` }];
    }
    if (typeof version !== 'string' || parseVersion(version) === undefined) {
        return [{ path: 'version', message: `${describeValue(version)} is not a card version like "${max}"` }];
    }
    if (isVersionAbove(version, max)) {
        const why = destination === 'workflows' ? ' (1.5 and 1.6 show "this card couldn\'t be displayed")' : '';
        return [{ path: 'version', message: `${version} is above ${max}, the highest ${DESTINATION_LABEL[destination]} cards render${why}` }];
    }
    return [];
}

function actionProblems(card: Readonly<Record<string, unknown>>, nodes: readonly CardNode[], destination: CardDestination): CardProblem[] {
    // cardActionTypes is what toTeamsReply checks; the nodes only add where each action is.
    const isForbidden =
        destination === 'mention-reply'
            ? (type: string): boolean => type !== ALLOWED_REPLY_ACTION
            : (type: string): boolean => WEBHOOK_FORBIDDEN_ACTIONS.includes(type);
    const forbidden = new Set(cardActionTypes(card).filter(isForbidden));
    if (forbidden.size === 0) {
        return [];
    }
    const reason =
        destination === 'mention-reply'
            ? `is not allowed in a mention reply; outgoing webhooks take only ${ALLOWED_REPLY_ACTION}`
            : 'is not supported by incoming webhooks';
    return nodes
        .filter((node) => (node.key === 'actions' || node.key === 'selectAction') && forbidden.has(typeOf(node.value)))
        .map((node) => ({ path: node.path, message: `${typeOf(node.value)} ${reason}` }));
}

interface CardText {
    readonly path: string;
    readonly text: string;
}

/** The texts Teams looks for `<at>` mentions in: TextBlock, RichTextBlock (inlines) and FactSet (titles and values). */
function mentionableTexts(nodes: readonly CardNode[]): CardText[] {
    const texts: CardText[] = [];
    const add = (path: string, value: unknown): void => {
        if (typeof value === 'string') {
            texts.push({ path, text: value });
        }
    };
    for (const { path, value } of nodes) {
        if (value.type === 'TextBlock' || value.type === 'TextRun') {
            add(childPath(path, 'text'), value.text);
        } else if (value.type === 'RichTextBlock' && Array.isArray(value.inlines)) {
            value.inlines.forEach((inline: unknown, index) => {
                add(childPath(childPath(path, 'inlines'), index), inline);
            });
        } else if (value.type === 'FactSet' && Array.isArray(value.facts)) {
            value.facts.forEach((fact: unknown, index) => {
                if (isRecord(fact)) {
                    const factPath = childPath(childPath(path, 'facts'), index);
                    add(childPath(factPath, 'title'), fact.title);
                    add(childPath(factPath, 'value'), fact.value);
                }
            });
        }
    }
    return texts;
}

/**
 * Every `<at>…</at>` in a text, as the regular expression `/<at>.*?<\/at>/gs` finds them (from each
 * `<at>`, the shortest run to the next `</at>`), in linear time: that expression rescans the rest of
 * the text from every `<at>` that has no `</at>` after it, which takes ~0.5 s on 64 KB of `<at>`.
 *
 * @example
 * mentionTags('<at>Ann</at> and <at>Bo</at>'); // ['<at>Ann</at>', '<at>Bo</at>']
 */
export function mentionTags(text: string): string[] {
    const tags: string[] = [];
    let from = 0;
    for (;;) {
        const open = text.indexOf(MENTION_OPEN, from);
        const close = open === -1 ? -1 : text.indexOf(MENTION_CLOSE, open + MENTION_OPEN.length);
        if (close === -1) {
            return tags;
        }
        from = close + MENTION_CLOSE.length;
        tags.push(text.slice(open, from));
    }
}

/** True for a text that is one mention as written in a card: `<at>` … `</at>`. */
function isMentionText(text: string): boolean {
    return text.length >= MENTION_OPEN.length + MENTION_CLOSE.length && text.startsWith(MENTION_OPEN) && text.endsWith(MENTION_CLOSE);
}

function nonEmptyString(value: unknown): boolean {
    return typeof value === 'string' && value.trim() !== '';
}

function mentionProblems(card: Readonly<Record<string, unknown>>, nodes: readonly CardNode[]): CardProblem[] {
    const problems: CardProblem[] = [];
    const texts = mentionableTexts(nodes);
    const entitiesValue = isRecord(card.msteams) ? card.msteams.entities : undefined;
    if (entitiesValue !== undefined && !Array.isArray(entitiesValue)) {
        return [{ path: 'msteams.entities', message: 'Must be an array of mention entities' }];
    }
    const entities: readonly unknown[] = entitiesValue ?? [];
    const mentionTexts = new Set<string>();
    entities.forEach((entity: unknown, index) => {
        const path = childPath('msteams.entities', index);
        if (!isRecord(entity)) {
            problems.push({ path, message: 'Must be an object' });
            return;
        }
        if (entity.type !== 'mention') {
            return;
        }
        const text = entity.text;
        if (typeof text !== 'string' || !isMentionText(text)) {
            problems.push({ path: childPath(path, 'text'), message: `Must be the mention as written in the card, e.g. "<at>Ann</at>"; found ${describeValue(text)}` });
        } else {
            mentionTexts.add(text);
            if (!texts.some((candidate) => candidate.text.includes(text))) {
                problems.push({ path: childPath(path, 'text'), message: `${text} appears in no TextBlock, RichTextBlock or FactSet text of the card` });
            }
        }
        const mentioned = isRecord(entity.mentioned) ? entity.mentioned : {};
        for (const field of ['id', 'name']) {
            if (!nonEmptyString(mentioned[field])) {
                problems.push({ path: childPath(childPath(path, 'mentioned'), field), message: `A mention needs mentioned.${field}` });
            }
        }
    });
    for (const { path, text } of texts) {
        for (const tag of mentionTags(text)) {
            if (!mentionTexts.has(tag)) {
                problems.push({ path, message: `${tag} has no mention entity in msteams.entities, so it would not mention anyone` });
            }
        }
    }
    return problems;
}

/**
 * The rules that need no object model, synchronously: the card is an object with
 * `type: "AdaptiveCard"`; its `version` is present and at most {@link MAX_CARD_VERSION} for the
 * destination; connector and Workflows cards carry no `Action.Submit` or `Action.Execute` anywhere,
 * mention replies only `Action.OpenUrl`; every `msteams.entities` mention has `mentioned.id` and
 * `mentioned.name` and a `text` found in a TextBlock, RichTextBlock or FactSet text, and every
 * `<at>…</at>` there has an entity. A card nested more than {@link MAX_JSON_DEPTH} levels deep gets
 * that one problem and no other check. Size is not checked here: `buildTeamsPayload` measures the
 * whole body.
 *
 * @example
 * checkCardRules({ type: 'AdaptiveCard', version: '1.6', body: [] }, { destination: 'workflows' });
 * // [{ path: 'version', message: '1.6 is above 1.4, the highest Workflows cards render (…)' }]
 */
export function checkCardRules(card: unknown, rules: CardRules): CardProblem[] {
    const envelope = envelopeProblems(card);
    if (envelope.length > 0 || !isRecord(card)) {
        return envelope;
    }
    // First, and alone: every later rule, and the object model, walks the card.
    const tooDeep = findExcessiveNesting(card, MAX_JSON_DEPTH);
    if (tooDeep !== undefined) {
        return [{ path: '', message: `The card nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (at ${formatJsonPath(tooDeep)})` }];
    }
    const nodes = cardNodes(card);
    return [...versionProblems(card, rules.destination), ...actionProblems(card, nodes, rules.destination), ...mentionProblems(card, nodes)];
}

// --- the official object model --------------------------------------------------------------------
//
// Only the public API of `adaptivecards` (its `lib/*.d.ts`): `AdaptiveCard.parse` with a
// `SerializationContext` subclass that overrides the public `parseElement`, `parseAction` and
// `logEvent`, the events' `ValidationEvent` codes, the registries, and the property definitions of
// `getSchema()`. Its English messages are never parsed: they are only quoted, for an event no rule
// here explains. package.json pins the release line this was checked with (3.0.x), and
// test/shared/cards/validate.test.ts checks each event kind used here.

type ObjectModel = typeof AdaptiveCards;
type ModelObject = AdaptiveCards.SerializableObject;
type ModelVersion = AdaptiveCards.Version;

let objectModel: Promise<ObjectModel> | undefined;

/** Loads the bundle once, on first use: it costs ~100 ms, which the mention path must not pay at start-up. */
function loadObjectModel(): Promise<ObjectModel> {
    objectModel ??= Promise.resolve()
        .then(() => createRequire(import.meta.url)(OBJECT_MODEL_BUNDLE) as ObjectModel)
        .catch((thrown: unknown) => {
            objectModel = undefined;
            throw thrown;
        });
    return objectModel;
}

/** An event of the object model's parse, with the JSON object being parsed when it was raised. */
interface LocatedEvent {
    readonly json: object | undefined;
    readonly source: ModelObject | undefined;
    readonly event: AdaptiveCards.ValidationEvent;
    readonly message: string;
}

/**
 * Parses the card as the object model does, recording which JSON object each event belongs to: the
 * model reports unknown types without a source, so the JSON object being parsed is kept on a stack.
 * Fallbacks are followed here, with the model's own rule (an unknown type, or an element whose
 * content asks for it, falls back; `"drop"` drops it), so a fallback's events belong to the fallback.
 */
function parseEvents(model: ObjectModel, card: object, targetVersion: ModelVersion): LocatedEvent[] {
    const events: LocatedEvent[] = [];
    const parsing: object[] = [];
    const refusedTypes = new Set<number>([model.ValidationEvent.ElementTypeNotAllowed, model.ValidationEvent.ActionTypeNotAllowed]);

    class LocatingContext extends model.SerializationContext {
        override parseElement(parent: AdaptiveCards.CardElement | undefined, source: unknown, forbiddenTypes: string[], allowFallback: boolean): AdaptiveCards.CardElement | undefined {
            return this.#parseWithFallback(parent, source, allowFallback, (json, fallbackAllowed) =>
                fallbackAllowed === undefined ? super.parseElement(parent, json, forbiddenTypes, false) : this.parseElement(parent, json, forbiddenTypes, fallbackAllowed),
            );
        }

        override parseAction(parent: AdaptiveCards.CardElement, source: unknown, forbiddenActionTypes: string[], allowFallback: boolean): AdaptiveCards.Action | undefined {
            return this.#parseWithFallback(parent, source, allowFallback, (json, fallbackAllowed) =>
                fallbackAllowed === undefined ? super.parseAction(parent, json, forbiddenActionTypes, false) : this.parseAction(parent, json, forbiddenActionTypes, fallbackAllowed),
            );
        }

        override logEvent(source: ModelObject | undefined, phase: AdaptiveCards.ValidationPhase, event: AdaptiveCards.ValidationEvent, message: string): void {
            events.push({ json: parsing.at(-1), source, event, message });
            super.logEvent(source, phase, event, message);
        }

        /** `parse(json)` parses without fallback; `parse(json, true)` parses a fallback, which may fall back in turn. */
        #parseWithFallback<T extends AdaptiveCards.CardObject>(
            parent: AdaptiveCards.CardElement | undefined,
            source: unknown,
            allowFallback: boolean,
            parse: (json: unknown, fallbackAllowed?: boolean) => T | undefined,
        ): T | undefined {
            if (!isRecord(source)) {
                return parse(source);
            }
            const before = events.length;
            parsing.push(source);
            let result: T | undefined;
            try {
                result = parse(source);
            } finally {
                parsing.pop();
            }
            const refused = events.slice(before).some((logged) => logged.json === source && refusedTypes.has(logged.event));
            if (refused || !model.GlobalSettings.enableFallback || !allowFallback || (result !== undefined && !result.shouldFallback())) {
                return result;
            }
            const fallback = source.fallback;
            if (fallback === undefined || fallback === null || fallback === '') {
                parent?.setShouldFallback(true);
            }
            if (typeof fallback === 'string' && fallback.toLowerCase() === 'drop') {
                return undefined;
            }
            return isRecord(fallback) ? parse(fallback, true) : result;
        }
    }
    new model.AdaptiveCard().parse(card, new LocatingContext(targetVersion));
    return events;
}

/** Events that do not stop a card from rendering as meant. */
function harmlessEvents(model: ObjectModel): ReadonlySet<AdaptiveCards.ValidationEvent> {
    const { Hint, Deprecated, RequiredInputsShouldHaveLabel, RequiredInputsShouldHaveErrorMessage } = model.ValidationEvent;
    return new Set([Hint, Deprecated, RequiredInputsShouldHaveLabel, RequiredInputsShouldHaveErrorMessage]);
}

function hasFallback(node: Readonly<Record<string, unknown>>): boolean {
    return isRecord(node.fallback) || node.fallback === 'drop';
}

/** Whether parsing `property` of `sender` from `json` at `version` raises `event` for `sender` itself. */
function propertyRaises(model: ObjectModel, sender: ModelObject, property: AdaptiveCards.PropertyDefinition, json: object, version: ModelVersion, event: AdaptiveCards.ValidationEvent): boolean {
    const probe = new model.SerializationContext(version);
    property.parse(sender, json, probe);
    for (let index = 0; index < probe.eventCount; index++) {
        const raised = probe.getEventAt(index);
        if (raised.source === sender && raised.event === event) {
            return true;
        }
    }
    return false;
}

/** What a property event is about: the JSON object, the property, and the lowest version that would take its value (undefined: none would). */
interface PropertyFinding {
    readonly node: CardNode;
    readonly property: string;
    readonly needsVersion: string | undefined;
}

/**
 * Finds, among `candidates` (the JSON object being parsed, then the objects inside it), the object
 * and property of `source` that raise `event`: a property newer than the target version
 * (`UnsupportedProperty`), or a value the property refuses at the target version
 * (`InvalidPropertyValue`), found by parsing that one property again on its own.
 */
function findProperty(model: ObjectModel, source: ModelObject, event: AdaptiveCards.ValidationEvent, candidates: readonly CardNode[], target: ModelVersion, taken: ReadonlySet<string>): PropertyFinding | undefined {
    const schema = source.getSchema();
    const later = model.Versions.getAllDeclaredVersions().filter((version) => version.compareTo(target) > 0);
    for (const node of candidates) {
        for (let index = 0; index < schema.getCount(); index++) {
            const property = schema.getItemAt(index);
            if (!Object.hasOwn(node.value, property.name) || taken.has(childPath(node.path, property.name))) {
                continue;
            }
            if (event === model.ValidationEvent.UnsupportedProperty && property.targetVersion.compareTo(target) > 0) {
                return { node, property: property.name, needsVersion: property.targetVersion.toString() };
            }
            if (event === model.ValidationEvent.InvalidPropertyValue && property.targetVersion.compareTo(target) <= 0 && propertyRaises(model, source, property, node.value, target, event)) {
                const takes = later.find((version) => !propertyRaises(model, source, property, node.value, version, event));
                return { node, property: property.name, needsVersion: takes?.toString() };
            }
        }
    }
    return undefined;
}

function objectModelProblems(model: ObjectModel, card: Readonly<Record<string, unknown>>, destination: CardDestination): CardProblem[] {
    const max = MAX_CARD_VERSION[destination];
    const target = model.Versions.getAllDeclaredVersions().find((version) => version.toString() === max);
    if (target === undefined) {
        throw new TypeError(`The object model knows no card version ${max}`);
    }
    // The card's own version is checked by checkCardRules; the model parses at the destination's.
    const parsed = { ...card, version: max };
    const nodes = cardNodes(parsed);
    const root: CardNode = { path: '', value: parsed, key: undefined };
    const byJson = new Map<unknown, CardNode>(nodes.map((node) => [node.value, node]));
    const beyond = `${DESTINATION_LABEL[destination]} cards render at most ${max}`;
    const harmless = harmlessEvents(model);
    const { UnknownElementType, UnknownActionType } = model.ValidationEvent;
    const taken = new Set<string>();
    const problems: CardProblem[] = [];
    for (const { json, source, event, message } of parseEvents(model, parsed, target)) {
        if (harmless.has(event)) {
            continue;
        }
        const node = byJson.get(json) ?? root;
        const type = typeOf(node.value);
        if (event === UnknownElementType || event === UnknownActionType) {
            if (hasFallback(node.value)) {
                continue; // the fallback is parsed and reported on
            }
            const registry = event === UnknownElementType ? model.GlobalRegistry.elements : model.GlobalRegistry.actions;
            const known = registry.findByName(type);
            problems.push({
                path: node.path,
                message:
                    known === undefined
                        ? `Unknown ${event === UnknownElementType ? 'element' : 'action'} type "${type}"`
                        : `${type} needs card version ${known.schemaVersion.toString()}; ${beyond}`,
            });
            continue;
        }
        // The object itself first, then the objects inside it the model parses without a stack entry (facts, table rows, ...).
        const candidates = nodes.filter((candidate) => candidate === node || candidate.path.startsWith(node.path === '' ? '' : `${node.path}.`) || candidate.path.startsWith(`${node.path}[`));
        const found = source === undefined ? undefined : findProperty(model, source, event, [node, ...candidates.filter((candidate) => candidate !== node)], target, taken);
        if (found === undefined) {
            problems.push({ path: node.path, message: `${message.replace(/\.$/, '')} (${node.path === '' ? 'card' : type})` });
            continue;
        }
        const at = childPath(found.node.path, found.property);
        taken.add(at);
        // An object without a type (a table column, a fact) is named by the property that holds it.
        const owner = `${typeof found.node.value.type === 'string' ? found.node.value.type : (found.node.key ?? 'card')}.${found.property}`;
        if (event === model.ValidationEvent.UnsupportedProperty) {
            problems.push({ path: at, message: `${owner} needs card version ${found.needsVersion ?? '(unknown)'}; ${beyond}` });
        } else if (found.needsVersion === undefined) {
            problems.push({ path: at, message: `Invalid value ${describeValue(found.node.value[found.property])} for ${owner}` });
        } else {
            problems.push({ path: at, message: `${describeValue(found.node.value[found.property])} for ${owner} needs card version ${found.needsVersion}; ${beyond}` });
        }
    }
    return problems;
}

/**
 * Checks a card against the rules of its destination: {@link checkCardRules}, then a parse with the
 * official object model (`adaptivecards`, loaded on first call) at the destination's highest version,
 * which reports unknown element and action types, types and properties that need a higher version
 * (an unknown type with a `fallback` is fine), and invalid property values. A problem the synchronous
 * rules already report at a path is not repeated from the parse.
 *
 * @returns every problem found, empty when the card may be sent.
 * @example
 * await validateCard({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'x', size: 'Hugee' }] }, { destination: 'connector' });
 * // [{ path: 'body[0].size', message: 'Invalid value "Hugee" for TextBlock.size' }]
 */
export async function validateCard(card: unknown, rules: CardRules): Promise<CardProblem[]> {
    const problems = checkCardRules(card, rules);
    if (!isRecord(card) || problems.some((problem) => problem.path === '' || problem.path === 'type')) {
        return problems;
    }
    const model = await loadObjectModel();
    const reported = new Set(problems.map((problem) => problem.path));
    return [...problems, ...objectModelProblems(model, card, rules.destination).filter((problem) => !reported.has(problem.path))];
}

/** A problem as one line: `body[2].size: Invalid value "Hugee" for TextBlock.size`. */
export function formatCardProblem(problem: CardProblem): string {
    return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

/**
 * The reason a card is refused, one sentence naming the destination and every problem.
 *
 * @example
 * describeCardProblems('workflows', problems); // 'The card breaks Workflows rules: version: 1.6 is above 1.4 …; actions[0]: …'
 */
export function describeCardProblems(destination: CardDestination, problems: readonly CardProblem[]): string {
    return `The card breaks ${DESTINATION_LABEL[destination]} rules: ${problems.map(formatCardProblem).join('; ')}`;
}
