/** The simulator's relay mode and the deployed definition (infra/app/relay-flow.json) implement one contract: each case, branch and schema rule of the definition, exercised against the simulator. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELAY_ERROR_CODES, type TeamsSimulator } from '../../../tools/simulator/index.js';
import { loadRelayFlowDefinition, referencesIn, type WorkflowAction } from '../../support/logic-apps.js';
import { ADAPTIVE_CARD, card, envelope, post, useSimulators } from './harness.js';

const definition = loadRelayFlowDefinition();
const route = definition.actions['Route_by_relay_action'] as WorkflowAction;
const triggerSchema = definition.triggers['manual']?.inputs?.schema as JsonSchema;

/** The subset of JSON Schema the trigger's schema uses; any other keyword fails the test, so a schema change is noticed here. */
interface JsonSchema {
    readonly type?: string | readonly string[];
    readonly enum?: readonly unknown[];
    readonly required?: readonly string[];
    readonly properties?: Readonly<Record<string, JsonSchema>>;
    readonly items?: JsonSchema;
    readonly minItems?: number;
}
const SCHEMA_KEYWORDS = new Set(['type', 'enum', 'required', 'properties', 'items', 'minItems']);

function typeOf(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    return typeof value;
}

/** Whether `value` satisfies `schema` (JSON Schema semantics for the keywords above: extra properties are allowed). */
function satisfies(schema: JsonSchema, value: unknown): boolean {
    for (const keyword of Object.keys(schema)) if (!SCHEMA_KEYWORDS.has(keyword)) throw new Error(`unsupported schema keyword ${keyword}`);
    const types = schema.type === undefined ? undefined : [schema.type].flat();
    if (types !== undefined && !types.includes(typeOf(value))) return false;
    if (schema.enum !== undefined && !schema.enum.includes(value)) return false;
    if (typeOf(value) === 'object') {
        const object = value as Record<string, unknown>;
        if (!(schema.required ?? []).every((key) => Object.hasOwn(object, key))) return false;
        for (const [key, inner] of Object.entries(schema.properties ?? {})) {
            if (Object.hasOwn(object, key) && !satisfies(inner, object[key])) return false;
        }
    }
    if (Array.isArray(value)) {
        if (value.length < (schema.minItems ?? 0)) return false;
        if (schema.items !== undefined && !value.every((item) => satisfies(schema.items as JsonSchema, item))) return false;
    }
    return true;
}

/** The Responses of a scope and the scopes inside it. */
function responsesIn(actions: Readonly<Record<string, WorkflowAction>>): WorkflowAction[] {
    return Object.values(actions).flatMap((action) => [
        ...(action.type === 'Response' ? [action] : []),
        ...responsesIn(action.actions ?? {}),
        ...responsesIn(action.else?.actions ?? {}),
    ]);
}

interface ResponseInputs {
    readonly statusCode: unknown;
    readonly body: { readonly messageId?: unknown; readonly error?: Record<string, unknown> };
}

function inputsOf(action: WorkflowAction): ResponseInputs {
    return action.inputs as ResponseInputs;
}

/** What the definition says one case does: the id field it checks, and its 400 / failure Responses. */
function readCase(actions: Readonly<Record<string, WorkflowAction>>): { idField?: string; missing?: ResponseInputs; failed: ResponseInputs } {
    const check = Object.values(actions).find((action) => action.type === 'If');
    const idField = check === undefined ? undefined : /\['relay'\]\?\['([A-Za-z]+)'\]/.exec(JSON.stringify(check.expression))?.[1];
    const missing = check === undefined ? undefined : responsesIn(check.actions ?? {})[0];
    const failed = responsesIn(actions).find((action) => typeof inputsOf(action).statusCode === 'string');
    if (failed === undefined) throw new Error('a case without a failure Response');
    return { ...(idField === undefined ? {} : { idField }), ...(missing === undefined ? {} : { missing: inputsOf(missing) }), failed: inputsOf(failed) };
}

/** The definition's answer body with its expressions replaced by what they evaluate to here. */
function evaluateFailure(body: ResponseInputs['body'], teamsStatus: number): unknown {
    const error = { ...body.error };
    expect(referencesIn(String(error['teamsStatus'])).actions).toHaveLength(1);
    error['teamsStatus'] = teamsStatus;
    return { error };
}

async function answerOf(sim: TeamsSimulator, flow: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const answer = await post(sim.relayFlowUrl(flow), body);
    return { status: answer.status, json: JSON.parse(answer.text) as Record<string, unknown> };
}

describe('the simulator\'s relay mode and the relay flow definition', () => {
    const start = useSimulators();

    it.each(Object.entries(route.cases ?? {}))('agree on the case %s: 200 with an id, 400 without the id it checks, 404 with the failure body for an unknown one', async (_name, branch) => {
        const action = String(branch.case);
        const { idField, missing, failed } = readCase(branch.actions ?? {});
        const sim = await start();
        const root = await answerOf(sim, 'ops', { ...envelope(card()), relay: { action: 'post' } });
        const rootId = String(root.json['messageId']);
        const relay = idField === undefined ? { action } : { action, [idField]: rootId };
        const ok = await answerOf(sim, 'ops', { ...envelope(card()), relay });
        expect(ok.status).toBe(200);
        expect(Object.keys(ok.json)).toEqual(Object.keys(responsesIn(branch.actions ?? {}).map(inputsOf).find((inputs) => inputs.statusCode === 200)?.body ?? {}));
        if (idField === undefined || missing === undefined) return;
        const without = await answerOf(sim, 'ops', { ...envelope(card()), relay: { action } });
        expect(without.status).toBe(missing.statusCode);
        expect(without.json).toEqual(missing.body);
        const unknown = await answerOf(sim, 'ops', { ...envelope(card()), relay: { action, [idField]: 'no-such-message' } });
        expect(unknown.status).toBe(404);
        expect(unknown.json).toEqual(evaluateFailure(failed.body, 404));
    });

    it('agree on the default: 400 with the code and the message the definition builds', async () => {
        const fallback = inputsOf(responsesIn(route.default?.actions ?? {})[0] as WorkflowAction);
        const parts = /^@\{concat\('((?:[^']|'')*)', string\(triggerBody\(\)\?\['relay'\]\?\['action'\]\), '((?:[^']|'')*)'\)\}$/.exec(String(fallback.body.error?.['message']));
        expect(parts).not.toBeNull();
        const sim = await start();
        const answer = await answerOf(sim, 'ops', { ...envelope(card()), relay: { action: 'archive' } });
        expect(answer.status).toBe(fallback.statusCode);
        expect(answer.json).toEqual({ error: { code: fallback.body.error?.['code'], message: `${parts?.[1] ?? ''}archive${parts?.[2] ?? ''}` } });
    });

    it('agree on the trigger schema: the simulator answers 400 TriggerInputSchemaMismatch exactly for the bodies the schema refuses', async () => {
        const sim = await start({ connectionLimits: [] });
        const value = fc.jsonValue({ maxDepth: 2 });
        const valid = fc.record({
            type: fc.constant('message'),
            attachments: fc.array(fc.record({ contentType: fc.constant(ADAPTIVE_CARD), contentUrl: fc.oneof(fc.constant(null), fc.webUrl()), content: fc.constant(card()) }), { minLength: 1, maxLength: 2 }),
            relay: fc.record(
                { action: fc.constantFrom('post', 'reply', 'update', 'Post', ''), jobId: fc.string({ maxLength: 8 }), messageId: fc.constantFrom('1', ''), parentMessageId: fc.constantFrom('1', '') },
                { requiredKeys: ['action'] },
            ),
        });
        /** Where a mutation strikes: every property the schema speaks of, and one it does not. */
        const paths: readonly (readonly (string | number)[])[] = [
            ['type'], ['attachments'], ['attachments', 0], ['attachments', 0, 'contentType'], ['attachments', 0, 'contentUrl'], ['attachments', 0, 'content'],
            ['relay'], ['relay', 'action'], ['relay', 'jobId'], ['relay', 'messageId'], ['relay', 'parentMessageId'], ['extra'],
        ];
        const mutation = fc.record({ path: fc.constantFrom(...paths), replacement: fc.option(value, { nil: undefined }) });
        const body = fc.tuple(valid, fc.array(mutation, { maxLength: 2 })).map(([request, mutations]) => {
            const copy = structuredClone(request) as Record<string, unknown>;
            for (const { path, replacement } of mutations) {
                let parent: unknown = copy;
                for (const key of path.slice(0, -1)) parent = typeof parent === 'object' && parent !== null ? (parent as Record<string | number, unknown>)[key] : undefined;
                if (typeof parent !== 'object' || parent === null) continue;
                const target = parent as Record<string | number, unknown>;
                const last = path.at(-1) ?? '';
                if (replacement === undefined) Reflect.deleteProperty(target, last);
                else target[last] = replacement;
            }
            // What goes over the wire: a deleted array item is sent as null.
            return JSON.parse(JSON.stringify(copy)) as unknown;
        });
        let refused = 0;
        let passed = 0;
        await fc.assert(
            fc.asyncProperty(body, async (request) => {
                const answer = await post(sim.relayFlowUrl('ops'), request);
                const code = (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code;
                if (satisfies(triggerSchema, request)) {
                    passed += 1;
                    expect(code).not.toBe(RELAY_ERROR_CODES.schemaMismatch);
                    expect([200, 400, 404]).toContain(answer.status);
                } else {
                    refused += 1;
                    expect([answer.status, code]).toEqual([400, RELAY_ERROR_CODES.schemaMismatch]);
                }
            }),
            { numRuns: 200 },
        );
        expect(refused).toBeGreaterThan(20);
        expect(passed).toBeGreaterThan(20);
        const posted = sim.received('ops').filter((record) => record.status === 200).length;
        expect(sim.relayMessages('ops').reduce((count, message) => count + 1 + message.replies.length, 0)).toBe(
            posted - sim.received('ops').filter((record) => record.status === 200 && record.relay?.action === 'update').length,
        );
    });
});
