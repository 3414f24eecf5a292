/**
 * A reader for Logic Apps workflow definitions (the Workflow Definition Language) that checks offline
 * what can be checked without Azure: scopes, runAfter, the references inside expressions, and which
 * actions run on each path through Switch, If and the outcome of each connector call.
 * https://learn.microsoft.com/azure/logic-apps/logic-apps-workflow-definition-language
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One action of a definition, with the fields this reader uses. */
export interface WorkflowAction {
    readonly type: string;
    readonly kind?: string;
    readonly runAfter?: Readonly<Record<string, readonly string[]>>;
    readonly inputs?: unknown;
    readonly expression?: unknown;
    readonly limit?: { readonly timeout?: string };
    readonly actions?: Readonly<Record<string, WorkflowAction>>;
    readonly else?: { readonly actions?: Readonly<Record<string, WorkflowAction>> };
    readonly cases?: Readonly<Record<string, { readonly case: unknown; readonly actions?: Readonly<Record<string, WorkflowAction>> }>>;
    readonly default?: { readonly actions?: Readonly<Record<string, WorkflowAction>> };
}

/** A workflow definition, the `definition` property of `Microsoft.Logic/workflows`. */
export interface WorkflowDefinition {
    readonly $schema: string;
    readonly contentVersion: string;
    readonly parameters: Readonly<Record<string, { readonly type: string; readonly defaultValue?: unknown }>>;
    readonly triggers: Readonly<Record<string, { readonly type: string; readonly kind?: string; readonly operationOptions?: string; readonly inputs?: { readonly method?: string; readonly schema?: unknown } }>>;
    readonly actions: Readonly<Record<string, WorkflowAction>>;
}

/** The relay flow's definition as `infra/app/relay-flow.bicep` loads it. */
export function loadRelayFlowDefinition(): WorkflowDefinition {
    return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'infra', 'app', 'relay-flow.json'), 'utf8')) as WorkflowDefinition;
}

/** One `actions` map of a definition: the top level, a Switch case or default, an If branch. */
export interface Scope {
    /** Where it is, e.g. `Route_by_relay_action/cases/Update/Check_message_id/else`. */
    readonly path: string;
    readonly actions: Readonly<Record<string, WorkflowAction>>;
    /** The action holding this scope (undefined at the top level) and its scope. */
    readonly owner?: { readonly name: string; readonly scope: Scope };
}

/** The scopes an action holds, with their path segment. */
function innerScopes(action: WorkflowAction): [string, Readonly<Record<string, WorkflowAction>>][] {
    const scopes: [string, Readonly<Record<string, WorkflowAction>>][] = [];
    if (action.actions !== undefined) scopes.push(['actions', action.actions]);
    if (action.else?.actions !== undefined) scopes.push(['else', action.else.actions]);
    for (const [name, branch] of Object.entries(action.cases ?? {})) scopes.push([`cases/${name}`, branch.actions ?? {}]);
    if (action.default !== undefined) scopes.push(['default', action.default.actions ?? {}]);
    return scopes;
}

/** Every scope of a definition, the top level first. */
export function scopesOf(definition: WorkflowDefinition): Scope[] {
    const root: Scope = { path: '', actions: definition.actions };
    const scopes: Scope[] = [root];
    for (let index = 0; index < scopes.length; index += 1) {
        const scope = scopes[index];
        if (scope === undefined) break;
        for (const [name, action] of Object.entries(scope.actions)) {
            for (const [segment, actions] of innerScopes(action)) {
                scopes.push({ path: `${scope.path === '' ? '' : `${scope.path}/`}${name}/${segment}`, actions, owner: { name, scope } });
            }
        }
    }
    return scopes;
}

/** Every action with its name and scope. */
export function actionsOf(definition: WorkflowDefinition): { name: string; action: WorkflowAction; scope: Scope }[] {
    return scopesOf(definition).flatMap((scope) => Object.entries(scope.actions).map(([name, action]) => ({ name, action, scope })));
}

/** The actions `name` runs after in its scope, directly or through others. */
export function runsAfterTransitively(scope: Scope, name: string): Set<string> {
    const seen = new Set<string>();
    const pending = Object.keys(scope.actions[name]?.runAfter ?? {});
    while (pending.length > 0) {
        const next = pending.pop() ?? '';
        if (seen.has(next)) continue;
        seen.add(next);
        pending.push(...Object.keys(scope.actions[next]?.runAfter ?? {}));
    }
    return seen;
}

/** The names of the actions whose outputs action `name` of `scope` may read: those it runs after, here and in every enclosing scope. */
export function visibleActions(scope: Scope, name: string): Set<string> {
    const visible = runsAfterTransitively(scope, name);
    let owner = scope.owner;
    while (owner !== undefined) {
        for (const earlier of runsAfterTransitively(owner.scope, owner.name)) visible.add(earlier);
        owner = owner.scope.owner;
    }
    return visible;
}

/**
 * Every expression in a JSON value: a string that starts with `@` (not `@@`, the escape) is one
 * expression, and each `@{...}` inside another string is one.
 *
 * @example
 * expressionsIn({ a: "@parameters('x')", b: "id @{body('Y')?['id']}" }); // → ["parameters('x')", "body('Y')?['id']"]
 */
export function expressionsIn(value: unknown): string[] {
    if (typeof value === 'string') {
        if (value.startsWith('@@')) return [];
        if (value.startsWith('@') && !value.startsWith('@{')) return [value.slice(1)];
        return [...value.matchAll(/@\{((?:[^}']|'(?:[^']|'')*')*)\}/g)].map((match) => match[1] ?? '');
    }
    if (Array.isArray(value)) return value.flatMap(expressionsIn);
    if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(expressionsIn);
    return [];
}

/** Why an expression is malformed (unbalanced parentheses or brackets, an open string), or undefined. */
export function expressionProblem(expression: string): string | undefined {
    const closing: Record<string, string> = { '(': ')', '[': ']' };
    const stack: string[] = [];
    for (let i = 0; i < expression.length; i += 1) {
        const char = expression[i] ?? '';
        if (char === "'") {
            i += 1;
            while (i < expression.length && !(expression[i] === "'" && expression[i + 1] !== "'")) i += expression[i] === "'" ? 2 : 1;
            if (i >= expression.length) return `unterminated string in ${expression}`;
        } else if (char in closing) {
            stack.push(closing[char] ?? '');
        } else if (char === ')' || char === ']') {
            if (stack.pop() !== char) return `unbalanced ${char} in ${expression}`;
        }
    }
    return stack.length === 0 ? undefined : `unclosed ${stack.join('')} in ${expression}`;
}

/** The functions an expression calls, by name. */
export function functionsCalled(expression: string): string[] {
    const outsideStrings = expression.replace(/'(?:[^']|'')*'/g, "''");
    return [...outsideStrings.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\(/g)].map((match) => match[1] ?? '');
}

/** The actions (through `body`, `outputs`, `actions`, `result`) and parameters an expression names. */
export function referencesIn(expression: string): { actions: string[]; parameters: string[]; trigger: boolean } {
    const actions = [...expression.matchAll(/\b(?:body|outputs|actions|result)\('((?:[^']|'')*)'\)/g)].map((match) => (match[1] ?? '').replace(/''/g, "'"));
    const parameters = [...expression.matchAll(/\bparameters\('((?:[^']|'')*)'\)/g)].map((match) => (match[1] ?? '').replace(/''/g, "'"));
    return { actions, parameters, trigger: /\btrigger(?:Body|Outputs)?\(\)/.test(expression) };
}

/** An action's outcome, as `runAfter` names them. */
export type ActionStatus = 'Succeeded' | 'Failed' | 'Skipped' | 'TimedOut';

/** One way through a definition: the branch each Switch and If took, the outcome of each connector call, and the Responses that ran. */
export interface WorkflowPath {
    /** `Switch name → case name` (or `default`), `If name → actions|else`, `connector action → status`. */
    readonly choices: Readonly<Record<string, string>>;
    /** The Response actions that ran, by name. */
    readonly responses: readonly string[];
}

/** Outcomes a connector call can have, and its effect on what runs next. */
const CONNECTOR_OUTCOMES: readonly ActionStatus[] = ['Succeeded', 'Failed', 'TimedOut'];

/**
 * Every path through a scope: actions run in `runAfter` order; one whose `runAfter` statuses are not
 * met is `Skipped` (and so are the actions of the branches not taken). Each Switch takes each case
 * and its default, each If both branches, and each ApiConnection each outcome in turn.
 */
export function pathsThrough(actions: Readonly<Record<string, WorkflowAction>>): WorkflowPath[] {
    const names = Object.keys(actions);
    let paths: { statuses: Map<string, ActionStatus>; choices: Record<string, string>; responses: string[] }[] = [{ statuses: new Map(), choices: {}, responses: [] }];
    for (let pass = 0; pass < names.length; pass += 1) {
        const next: typeof paths = [];
        for (const path of paths) {
            const ready = names.find((name) => !path.statuses.has(name) && Object.keys(actions[name]?.runAfter ?? {}).every((before) => path.statuses.has(before)));
            if (ready === undefined) throw new Error(`runAfter cycle or unknown action among ${names.join(', ')}`);
            const action = actions[ready] as WorkflowAction;
            const runs = Object.entries(action.runAfter ?? {}).every(([before, wanted]) => wanted.includes(path.statuses.get(before) ?? 'Skipped'));
            if (!runs) {
                next.push({ ...path, statuses: new Map(path.statuses).set(ready, 'Skipped') });
                continue;
            }
            for (const [choice, status, inner] of branchesOf(action)) {
                const innerPaths = inner === undefined ? [{ choices: {}, responses: [] }] : pathsThrough(inner);
                for (const innerPath of innerPaths) {
                    next.push({
                        statuses: new Map(path.statuses).set(ready, status),
                        choices: { ...path.choices, ...(choice === undefined ? {} : { [ready]: choice }), ...innerPath.choices },
                        responses: [...path.responses, ...(action.type === 'Response' ? [ready] : []), ...innerPath.responses],
                    });
                }
            }
        }
        paths = next;
    }
    return paths.map(({ choices, responses }) => ({ choices, responses }));
}

/** The ways an action can go: the choice it records, its own status, and the scope it then runs. */
function branchesOf(action: WorkflowAction): [string | undefined, ActionStatus, Readonly<Record<string, WorkflowAction>> | undefined][] {
    switch (action.type) {
        case 'Switch':
            return [
                ...Object.entries(action.cases ?? {}).map(([name, branch]): [string, ActionStatus, Readonly<Record<string, WorkflowAction>>] => [name, 'Succeeded', branch.actions ?? {}]),
                ['default', 'Succeeded', action.default?.actions ?? {}],
            ];
        case 'If':
            return [
                ['actions', 'Succeeded', action.actions ?? {}],
                ['else', 'Succeeded', action.else?.actions ?? {}],
            ];
        case 'ApiConnection':
            return CONNECTOR_OUTCOMES.map((status) => [status, status, undefined]);
        default:
            return [[undefined, 'Succeeded', undefined]];
    }
}
