// The Application Insights workbook (infra/app/workbook.json): deployed with the component, and every query reads only what the code emits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '@azure/functions';
import { TELEMETRY_PREFIX, trackEvent } from '../../shared/platform/telemetry.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The module that emits every event. */
const TELEMETRY_MODULE = join(ROOT, 'shared', 'platform', 'telemetry.ts');

/**
 * How every query starts: the app's traces, the event's JSON after the first space of the message
 * (`formatTelemetry`), and the events the query reads. Nothing else may select rows or read properties.
 */
const PREAMBLE = new RegExp(
    [
        '^traces\\n',
        `\\| where message startswith "${TELEMETRY_PREFIX.replace('.', '\\.')}"\\n`,
        '\\| extend e = parse_json\\(substring\\(message, indexof\\(message, " "\\) \\+ 1\\)\\)\\n',
        '\\| extend event = tostring\\(e\\.event\\)\\n',
        '\\| where event in \\(((?:"[a-z-]+"(?:, )?)+)\\)\\n',
    ].join(''),
);

interface WorkbookItem {
    readonly type: number;
    readonly name: string;
    readonly content: { readonly query?: string; readonly visualization?: string; readonly title?: string; readonly version?: string };
}

interface Workbook {
    readonly version: string;
    readonly items: readonly WorkbookItem[];
}

/** The events the deployed code emits, each with the property names it can carry. */
type EmittedEvents = ReadonlyMap<string, ReadonlySet<string>>;

/** String literal values of a type (a literal or a union of literals). */
function literalValues(type: ts.Type): string[] {
    const parts = type.isUnion() ? type.types : [type];
    return parts.filter((part): part is ts.StringLiteralType => part.isStringLiteral()).map((part) => part.value);
}

/** Property names of an object type, of every member of a union. */
function propertyNames(checker: ts.TypeChecker, type: ts.Type): string[] {
    const parts = type.isUnion() ? type.types : [type];
    return parts.flatMap((part) => checker.getPropertiesOfType(part).map((symbol) => symbol.getName()));
}

/** The declaration of the function a call runs, through static and dynamic imports alike. */
function calledFunction(checker: ts.TypeChecker, call: ts.CallExpression): ts.Declaration | undefined {
    return checker.getResolvedSignature(call)?.getDeclaration();
}

/**
 * Reads the events from the code with the TypeScript checker: every `trackEvent(context, name, properties)` and
 * `trackDeliveryEvent(context, event)` call reachable from `functions/`, with the literal types of the event name
 * and the property names of the argument's type. Properties every event carries are added by `common`. Also
 * the sender's events: the `event` values of the type `trackDeliveryEvent` takes.
 */
function readTelemetry(common: readonly string[]): { emitted: EmittedEvents; senderEvents: string[] } {
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
            throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
    });
    if (!config) throw new Error('tsconfig.json could not be read');
    const roots = config.fileNames.filter((file) => file.startsWith(join(ROOT, 'functions') + '/'));
    const program = ts.createProgram(roots, config.options);
    const checker = program.getTypeChecker();
    const events = new Map<string, Set<string>>();
    const add = (names: readonly string[], properties: readonly string[]): void => {
        for (const name of names) {
            const set = events.get(name) ?? new Set(common);
            for (const property of properties) set.add(property);
            events.set(name, set);
        }
    };
    const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
            const declaration = calledFunction(checker, node);
            const name = declaration && ts.isFunctionDeclaration(declaration) ? declaration.name?.text : undefined;
            if (declaration?.getSourceFile().fileName === TELEMETRY_MODULE) {
                const [, first, second] = node.arguments;
                if (name === 'trackEvent' && first) {
                    add(literalValues(checker.getTypeAtLocation(first)), second ? propertyNames(checker, checker.getTypeAtLocation(second)) : []);
                } else if (name === 'trackDeliveryEvent' && first) {
                    const type = checker.getTypeAtLocation(first);
                    const eventProperty = type.getProperty('event');
                    const names = eventProperty ? literalValues(checker.getTypeOfSymbol(eventProperty)) : [];
                    add(names, propertyNames(checker, type));
                }
            }
        }
        ts.forEachChild(node, visit);
    };
    for (const file of program.getSourceFiles()) {
        if (!file.isDeclarationFile && !file.fileName.includes('node_modules')) visit(file);
    }
    // The sender's events: the `event` values of the type `trackDeliveryEvent(context, event)` takes.
    const declaration = program.getSourceFile(TELEMETRY_MODULE)?.statements.find((statement): statement is ts.FunctionDeclaration =>
        ts.isFunctionDeclaration(statement) && statement.name?.text === 'trackDeliveryEvent');
    const parameter = declaration?.parameters[1];
    if (!parameter) throw new Error('trackDeliveryEvent(context, event) not found');
    const eventProperty = checker.getTypeAtLocation(parameter).getProperty('event');
    return { emitted: events, senderEvents: eventProperty ? literalValues(checker.getTypeOfSymbol(eventProperty)) : [] };
}

/** The property names every event carries: what `trackEvent` writes for an event without properties. */
function commonProperties(): string[] {
    const messages: string[] = [];
    const context = new InvocationContext({ invocationId: 'workbook-test', logHandler: (_level, ...args) => messages.push(args.join(' ')) });
    trackEvent(context, 'sweep');
    const [message = ''] = messages;
    expect(message.startsWith(`${TELEMETRY_PREFIX}sweep `)).toBe(true);
    // The same reading as the queries': the JSON after the first space.
    return Object.keys(JSON.parse(message.slice(message.indexOf(' ') + 1)) as Record<string, unknown>);
}

const workbook = JSON.parse(read('infra/app/workbook.json')) as Workbook;
const queries = workbook.items.filter((item) => item.type === 3);

let emitted: EmittedEvents;
let senderEvents: string[];
let common: string[];

beforeAll(() => {
    common = commonProperties();
    ({ emitted, senderEvents } = readTelemetry(common));
}, 60_000);

describe('the workbook', () => {
    it('is a workbook document with queries on Application Insights, each with a title and a chart or table', () => {
        expect(workbook.version).toBe('Notebook/1.0');
        expect(queries.length).toBeGreaterThan(0);
        for (const item of queries) {
            expect(item.content.version, item.name).toBe('KqlItem/1.0');
            expect(item.content.title, item.name).toBeTruthy();
            expect(['timechart', 'table', 'barchart'], item.name).toContain(item.content.visualization);
        }
        expect(new Set(workbook.items.map((item) => item.name)).size).toBe(workbook.items.length);
    });

    it('finds the events in the code, with their properties', () => {
        // The derivation itself must see the events and properties the sender and the mention handler write.
        expect(common).toEqual(['event', 'invocationId']);
        expect([...(emitted.get('delivered') ?? [])]).toEqual(expect.arrayContaining(['alias', 'digestId', 'waitMs', 'reason']));
        expect([...(emitted.get('mention') ?? [])]).toEqual(expect.arrayContaining(['command', 'durationMs']));
        expect(emitted.has('sweep')).toBe(true);
        expect(senderEvents).toEqual(expect.arrayContaining(['delivered', 'throttled', 'dead-lettered', 'deferred']));
    });

    it.each(queries.map((item) => [item.name, item.content.query ?? ''] as const))(
        '%s reads only events the code emits and properties those events carry',
        (_name, query) => {
            const preamble = PREAMBLE.exec(query);
            expect(preamble, 'the query starts with the shared preamble').not.toBeNull();
            const selected = [...(preamble?.[1] ?? '').matchAll(/"([a-z-]+)"/g)].map((match) => match[1] ?? '');
            for (const name of selected) expect([...emitted.keys()], `event "${name}"`).toContain(name);

            const rest = query.slice(preamble?.[0].length ?? 0);
            // No other way to pick rows or properties than `e.<property>` and the `event` column.
            expect(rest).not.toMatch(/\be\s*\[|\bmessage\b|customDimensions|\btraces\b/);
            const carried = new Set(selected.flatMap((name) => [...(emitted.get(name) ?? [])]));
            for (const [, property] of rest.matchAll(/\be\.(\w+)/g)) {
                expect([...carried], `property "${String(property)}" of ${selected.join(', ')}`).toContain(property);
            }
            for (const [, literal] of rest.matchAll(/\bevent\s*(?:==|!=)\s*"([^"]*)"/g)) {
                expect(selected, `event "${String(literal)}"`).toContain(literal);
            }
        },
    );

    it('charts every decision of the sender', () => {
        const charted = new Set(queries.flatMap((item) => [...(PREAMBLE.exec(item.content.query ?? '')?.[1] ?? '').matchAll(/"([a-z-]+)"/g)].map((match) => match[1])));
        expect(senderEvents.length).toBeGreaterThan(0);
        for (const name of senderEvents) expect([...charted], name).toContain(name);
    });

    it('charts deliveries, throttles, dead letters, backlog wait, digests and mention latency p50/p95', () => {
        const text = queries.map((item) => item.content.query ?? '').join('\n');
        for (const needle of ['"delivered"', '"throttled"', '"dead-lettered"', '"deferred"', 'e.waitMs', 'e.digestId', 'e.reason', 'bin(timestamp, 1m), alias']) {
            expect(text).toContain(needle);
        }
        expect(text).toMatch(/percentile\(todouble\(e\.durationMs\), 50\)[^\n]*percentile\(todouble\(e\.durationMs\), 95\)/);
    });
});

describe('the workbook resource', () => {
    it('is deployed with the rest, linked to the Application Insights component, with workbook.json as its content', () => {
        const main = read('infra/main.bicep');
        expect(main).toMatch(/module workbook '\.\/app\/workbook\.bicep' = \{[^}]*applicationInsightsName: monitoring\.outputs\.applicationInsightsName/);
        const module = read('infra/app/workbook.bicep');
        expect(module).toMatch(/resource \w+ 'Microsoft\.Insights\/workbooks@[\d-]+' = \{/);
        expect(module).toMatch(/kind: 'shared'/);
        expect(module).toMatch(/category: 'workbook'/);
        expect(module).toMatch(/sourceId: applicationInsights\.id/);
        expect(module).toMatch(/loadTextContent\('workbook\.json'\)/);
        expect(module).toMatch(/resource applicationInsights 'Microsoft\.Insights\/components@[\d-]+' existing = \{\s*name: applicationInsightsName/);
    });
});
