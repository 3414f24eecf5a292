// The relay flow's workflow definition (infra/app/relay-flow.json), checked offline against the rules of the
// Workflow Definition Language, and the Bicep that deploys it (infra/app/relay-flow.bicep, infra/main.bicep).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELAY_ACTIONS, RELAY_ACTION_SPECS, RELAY_ERROR_CODES, teamsFailureMessage, type RelayAction } from '../../tools/simulator/index.js';
import {
    actionsOf,
    expressionProblem,
    expressionsIn,
    functionsCalled,
    loadRelayFlowDefinition,
    pathsThrough,
    referencesIn,
    visibleActions,
    type WorkflowAction,
} from '../support/logic-apps.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): Promise<string> => readFile(join(ROOT, path), 'utf8');

const definition = loadRelayFlowDefinition();
const everyAction = actionsOf(definition);

/** The action types this definition may use. */
const KNOWN_ACTION_TYPES = ['ApiConnection', 'Response', 'Switch', 'If'];
/** `runAfter` statuses (Workflow Definition Language reference, "runAfter"). */
const RUN_AFTER_STATUSES = ['Succeeded', 'Failed', 'Skipped', 'TimedOut'];
/** The expression functions the definition may call: each a documented WDL function. */
const KNOWN_FUNCTIONS = ['actions', 'body', 'coalesce', 'concat', 'empty', 'encodeURIComponent', 'equals', 'if', 'outputs', 'parameters', 'string', 'triggerBody'];
/** Logic Apps Consumption answers the caller 408 after 120 s; a connector call must give up before. */
const INBOUND_LIMIT_SECONDS = 120;
/** The Teams connector's path for a card action as Flow bot in a channel (exported definitions, docs/teams-facts.md#relay-flow). */
const connectorPath = (segment: string): string => `/v1.0/teams/conversation/${segment}/poster/Flow bot/location/@{encodeURIComponent('Channel')}`;

function connectorActions(): { name: string; action: WorkflowAction }[] {
    return everyAction.filter(({ action }) => action.type === 'ApiConnection');
}

/** The Switch on relay.action and its case holding `action`. */
function caseOf(action: RelayAction): Readonly<Record<string, WorkflowAction>> {
    const { Route_by_relay_action: route } = definition.actions;
    const branch = Object.values(route?.cases ?? {}).find((candidate) => candidate.case === action);
    if (branch?.actions === undefined) throw new Error(`no case ${action}`);
    return branch.actions;
}

/** Every action of a scope and of the scopes inside it. */
function flatten(actions: Readonly<Record<string, WorkflowAction>>): [string, WorkflowAction][] {
    return Object.entries(actions).flatMap(([name, action]) => [
        [name, action] as [string, WorkflowAction],
        ...flatten(action.actions ?? {}),
        ...flatten(action.else?.actions ?? {}),
        ...Object.values(action.cases ?? {}).flatMap((branch) => flatten(branch.actions ?? {})),
        ...flatten(action.default?.actions ?? {}),
    ]);
}

function responseInputs(action: WorkflowAction | undefined): { statusCode: unknown; body: Record<string, unknown>; headers: Record<string, string> } {
    return action?.inputs as { statusCode: unknown; body: Record<string, unknown>; headers: Record<string, string> };
}

describe('the relay flow definition', () => {
    it('is a 2016-06-01 workflow definition with one HTTP Request trigger that validates the body against its schema', () => {
        expect(definition.$schema).toBe('https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#');
        expect(definition.contentVersion).toBe('1.0.0.0');
        expect(Object.keys(definition.triggers)).toEqual(['manual']);
        expect(definition.triggers['manual']).toMatchObject({ type: 'Request', kind: 'Http', operationOptions: 'EnableSchemaValidation', inputs: { method: 'POST' } });
        expect(definition.triggers['manual']?.inputs?.schema).toMatchObject({ type: 'object', required: ['type', 'attachments', 'relay'] });
    });

    it('uses only known action types, with action names Logic Apps accepts', () => {
        expect(everyAction.length).toBeGreaterThan(10);
        for (const { name, action } of everyAction) {
            expect(KNOWN_ACTION_TYPES, name).toContain(action.type);
            expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
        }
        expect(new Set(everyAction.map(({ name }) => name)).size).toBe(everyAction.length);
    });

    it('names in every runAfter an action of the same scope, with known statuses, and no cycle', () => {
        for (const { name, action, scope } of everyAction) {
            for (const [before, statuses] of Object.entries(action.runAfter ?? {})) {
                expect(Object.keys(scope.actions), `${scope.path}/${name} runs after ${before}`).toContain(before);
                expect(before).not.toBe(name);
                expect(statuses.length).toBeGreaterThan(0);
                for (const status of statuses) expect(RUN_AFTER_STATUSES).toContain(status);
            }
        }
        expect(() => pathsThrough(definition.actions)).not.toThrow();
    });

    it('writes well-formed expressions that call only known functions', () => {
        const expressions = expressionsIn(definition.actions);
        expect(expressions.length).toBeGreaterThan(20);
        for (const expression of expressions) {
            expect(expressionProblem(expression)).toBeUndefined();
            for (const name of functionsCalled(expression)) expect(KNOWN_FUNCTIONS, expression).toContain(name);
        }
    });

    it('reads in expressions only actions that ran before (in its scope or an enclosing one) and declared parameters', () => {
        const used = new Set<string>();
        for (const { name, action, scope } of everyAction) {
            const visible = visibleActions(scope, name);
            const own = { ...action, actions: undefined, else: undefined, cases: undefined, default: undefined };
            for (const expression of expressionsIn(own)) {
                const references = referencesIn(expression);
                for (const referenced of references.actions) expect(visible, `${name}: ${expression}`).toContain(referenced);
                for (const parameter of references.parameters) {
                    expect(Object.keys(definition.parameters), `${name}: ${expression}`).toContain(parameter);
                    used.add(parameter);
                }
            }
        }
        expect([...used].sort()).toEqual(Object.keys(definition.parameters).sort());
    });

    it('turns retries off on every connector call and gives up before the caller\'s 120 s', () => {
        expect(connectorActions().map(({ name }) => name).sort()).toEqual(['Post_card', 'Reply_with_card', 'Update_card']);
        for (const { name, action } of connectorActions()) {
            expect((action.inputs as { retryPolicy?: unknown }).retryPolicy, name).toEqual({ type: 'none' });
            const seconds = Number(/^PT(\d+)S$/.exec(action.limit?.timeout ?? '')?.[1]);
            expect(seconds, name).toBeLessThan(INBOUND_LIMIT_SECONDS);
        }
    });

    it('switches on relay.action over exactly post, reply and update, and answers anything else 400 UnknownRelayAction', () => {
        const route = definition.actions['Route_by_relay_action'];
        expect(route).toMatchObject({ type: 'Switch', expression: "@triggerBody()?['relay']?['action']" });
        expect(Object.values(route?.cases ?? {}).map((branch) => branch.case)).toEqual([...RELAY_ACTIONS]);
        const fallback = Object.entries(route?.default?.actions ?? {});
        expect(fallback).toHaveLength(1);
        expect(fallback[0]?.[1].type).toBe('Response');
        const inputs = responseInputs(fallback[0]?.[1]);
        expect(inputs.statusCode).toBe(400);
        expect(inputs.body).toMatchObject({ error: { code: RELAY_ERROR_CODES.unknownAction } });
    });

    it.each(RELAY_ACTIONS)('calls, for %s, the Teams connector\'s operation as Flow bot into the parameters\' channel with the first attachment\'s card', (action) => {
        const spec = RELAY_ACTION_SPECS[action];
        const calls = flatten(caseOf(action)).filter(([, candidate]) => candidate.type === 'ApiConnection');
        expect(calls).toHaveLength(1);
        const inputs = calls[0]?.[1].inputs as { host: unknown; method: string; path: string; body: Record<string, unknown> };
        expect(inputs.host).toEqual({ connection: { name: "@parameters('$connections')['teams']['connectionId']" } });
        expect(inputs.method).toBe('post');
        expect(inputs.path).toBe(connectorPath(spec.pathSegment));
        expect(inputs.body['recipient']).toEqual({ groupId: "@parameters('teamId')", channelId: "@parameters('channelId')" });
        expect(inputs.body['messageBody']).toBe("@string(triggerBody()?['attachments']?[0]?['content'])");
        const idFields = Object.keys(inputs.body).filter((key) => key !== 'recipient' && key !== 'messageBody');
        expect(idFields).toEqual(spec.idField === undefined ? [] : [spec.idField]);
        if (spec.idField !== undefined) expect(inputs.body[spec.idField]).toBe(`@triggerBody()?['relay']?['${spec.idField}']`);
    });

    it('runs exactly one Response on every path, whatever the case, branch or connector outcome', () => {
        const paths = pathsThrough(definition.actions);
        // post: 3 outcomes; reply and update: the missing-id branch plus 3 outcomes; the default.
        expect(paths).toHaveLength(3 + 4 + 4 + 1);
        for (const path of paths) expect(path.responses, JSON.stringify(path.choices)).toHaveLength(1);
    });

    it('answers 200 {"messageId"} exactly when the connector call succeeded: the new id for post and reply, the id sent for update', () => {
        const idOf: Record<RelayAction, string> = {
            post: "@body('Post_card')?['id']",
            reply: "@body('Reply_with_card')?['id']",
            update: "@triggerBody()?['relay']?['messageId']",
        };
        const responses = Object.fromEntries(flatten(definition.actions).filter(([, action]) => action.type === 'Response'));
        for (const path of pathsThrough(definition.actions)) {
            const name = path.responses[0] ?? '';
            const inputs = responseInputs(responses[name]);
            const connectorOutcome = Object.entries(path.choices).find(([choice]) => connectorActions().some((call) => call.name === choice))?.[1];
            expect(inputs.headers).toEqual({ 'Content-Type': 'application/json' });
            if (connectorOutcome === 'Succeeded') {
                const action = RELAY_ACTIONS.find((candidate) => path.choices['Route_by_relay_action']?.toLowerCase() === candidate) as RelayAction;
                expect(inputs, name).toEqual({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: { messageId: idOf[action] } });
            } else {
                expect(inputs.statusCode, name).not.toBe(200);
            }
        }
    });

    it.each(RELAY_ACTIONS)('passes, for %s, the connector\'s failing status through (404 for an unknown message) with TeamsActionFailed', (action) => {
        const scope = Object.fromEntries(flatten(caseOf(action)));
        const [callName] = Object.entries(scope).find(([, candidate]) => candidate.type === 'ApiConnection') ?? [''];
        const failed = Object.values(scope).filter((candidate) => candidate.type === 'Response' && candidate.runAfter?.[callName] !== undefined && !candidate.runAfter[callName].includes('Succeeded'));
        expect(failed).toHaveLength(1);
        expect(failed[0]?.runAfter?.[callName]).toEqual(['Failed', 'TimedOut']);
        const inputs = responseInputs(failed[0]);
        expect(inputs.statusCode).toBe(`@if(equals(actions('${callName}')?['status'], 'TimedOut'), 504, coalesce(outputs('${callName}')?['statusCode'], 502))`);
        expect(inputs.body).toEqual({
            error: { code: RELAY_ERROR_CODES.teamsActionFailed, message: teamsFailureMessage(action), action, teamsStatus: `@outputs('${callName}')?['statusCode']` },
        });
    });
});

describe('the Bicep that deploys the relay flow', () => {
    it('is optional: deployRelayFlow defaults to false and gates the module, whose team and channel come from parameters', async () => {
        const main = await read('infra/main.bicep');
        expect(main).toContain('param deployRelayFlow bool = false');
        expect(main).toMatch(/param relayFlowTeamId string = ''/);
        expect(main).toMatch(/param relayFlowChannelId string = ''/);
        expect(main).toMatch(/module relayFlow '\.\/app\/relay-flow\.bicep' = if \(deployRelayFlow\) \{[\s\S]*?teamId: relayFlowTeamId\s+channelId: relayFlowChannelId/);
    });

    it('loads this definition and supplies every parameter it declares without a default', async () => {
        const module = await read('infra/app/relay-flow.bicep');
        expect(module).toContain("var definition = loadJsonContent('./relay-flow.json')");
        expect(module).toMatch(/resource workflow 'Microsoft\.Logic\/workflows@2019-05-01' = \{[\s\S]*definition: definition/);
        const supplied = /parameters: \{([\s\S]*?)\n {4}\}/.exec(module)?.[1] ?? '';
        for (const [name, parameter] of Object.entries(definition.parameters)) {
            if (parameter.defaultValue === undefined || name === '$connections') expect(supplied, name).toMatch(new RegExp(`\\n {6}'?${name.replace('$', '\\$')}'?: \\{\\n {8}value: `));
        }
        expect(module).toMatch(/teams: \{\s+id: subscriptionResourceId\('Microsoft\.Web\/locations\/managedApis', location, 'teams'\)\s+connectionId: teamsConnection\.id/);
    });

    it('creates the Teams API connection from the managed API "teams", with no credentials of its own (OAuth, authorized by hand)', async () => {
        const module = await read('infra/app/relay-flow.bicep');
        expect(module).toMatch(/resource teamsConnection 'Microsoft\.Web\/connections@2016-06-01' = \{[\s\S]*?api: \{\s+id: subscriptionResourceId\('Microsoft\.Web\/locations\/managedApis', location, 'teams'\)/);
        expect(module).not.toMatch(/parameterValues|identity:/);
    });

    it('writes the callback URL to Key Vault as the relay alias\'s webhook secret, and to no output', async () => {
        const module = await read('infra/app/relay-flow.bicep');
        const main = await read('infra/main.bicep');
        expect(module.match(/listCallbackUrl\(/g)).toHaveLength(1);
        expect(module).toMatch(/resource callbackUrlSecret 'Microsoft\.KeyVault\/vaults\/secrets@[\d-]+' = \{\s+parent: vault\s+name: webhookSecretName\s+properties: \{\s+value: listCallbackUrl\('\$\{workflow\.id\}\/triggers\/\$\{triggerName\}', '2019-05-01'\)\.value/);
        expect(module).toContain(`var triggerName = '${Object.keys(definition.triggers)[0] ?? ''}'`);
        for (const output of [...module.split('\n'), ...main.split('\n')].filter((line) => line.startsWith('output '))) {
            expect(output).not.toMatch(/listCallbackUrl|callbackUrlSecret|relayFlow\.outputs/);
        }
        // The alias joins the webhook aliases, so the app gets TEAMS_WEBHOOK_<ALIAS> pointing at that secret.
        expect(main).toMatch(/var webhookAliasList = union\([^\n]*, deployedRelayFlowAliases\)/);
        expect(main).toMatch(/webhookSecretName: webhookSecretNames\[\?toLower\(relayFlowAlias\)\]/);
        expect(main).toMatch(/module api '\.\/app\/api\.bicep' = \{[\s\S]*?dependsOn: \[[^\]]*relayFlow\s*\]/);
    });
});
