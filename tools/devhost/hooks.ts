// Runs the app's hooks as the Node worker does: appStart and appTerminate once, pre- and post-invocation around every invocation.
import { ensureErrorType } from '../../shared/platform/index.js';
import type { FunctionHandler, HookRegistration, Registration } from './registry.js';

/** The hooks the local host runs; any other (`log`) is reported at start as not run. */
const RUN_HOOKS = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation'] as const;

/** A name of a hook the local host runs. */
type HookName = (typeof RUN_HOOKS)[number];

/** Whether the local host runs hooks registered under `name`. */
export function isRunHook(name: string): name is HookName {
    return (RUN_HOOKS as readonly string[]).includes(name);
}

/** The hooks of one loaded app and the data they share. */
export interface AppHooks {
    /** Every hook the app registered, in order; read at each run, so a disposed hook no longer runs. */
    readonly registered: readonly HookRegistration[];
    /** `appHookData`: one object for the app's lifetime, shared by every hook. */
    readonly appHookData: Record<string, unknown>;
    /** `hookData` of the app-level hooks: shared by appStart and appTerminate only. */
    readonly appLevelHookData: Record<string, unknown>;
    /** The app folder, `functionAppDirectory` of the app-level hooks. */
    readonly functionAppDirectory: string;
}

/** A plain object whose listed properties throw when assigned, as the worker's hook contexts do. */
function withReadOnly<T extends object>(fixed: Readonly<Record<string, unknown>>, writable: T): T {
    for (const [name, value] of Object.entries(fixed)) {
        Object.defineProperty(writable, name, {
            enumerable: true,
            get: () => value,
            set: () => {
                throw new TypeError(`Cannot assign to read only property '${name}'`);
            },
        });
    }
    return writable;
}

/** Awaits every hook registered under `name`, in registration order; the first that throws stops the run and throws. */
async function runHooks(hooks: AppHooks, name: HookName, context: object): Promise<void> {
    for (const hook of hooks.registered.filter((candidate) => candidate.hookName === name)) {
        await hook.callback(context);
    }
}

/** Runs the appStart or appTerminate hooks with the app-level context (`hookData`, `appHookData`, `functionAppDirectory`). */
export function runAppHooks(hooks: AppHooks, name: 'appStart' | 'appTerminate'): Promise<void> {
    const context = withReadOnly({ hookData: hooks.appLevelHookData, appHookData: hooks.appHookData }, { functionAppDirectory: hooks.functionAppDirectory });
    return runHooks(hooks, name, context);
}

/** What pre-invocation hooks may replace: the handler's inputs and the handler itself. */
interface PreInvocationState {
    inputs: unknown[];
    functionCallback: (...args: unknown[]) => unknown;
}

/** What post-invocation hooks see and may change. */
interface PostInvocationState {
    inputs: unknown[];
    result: unknown;
    error: unknown;
}

/**
 * One invocation as the worker runs it (`InvocationHandler`): the pre-invocation hooks with
 * `invocationContext`, `inputs` and `functionCallback` (which they may replace), then the handler
 * those hold, then the post-invocation hooks with `result` and `error` (which they may change). An
 * `error` other than `null` or `undefined` fails the invocation; otherwise `result` is what it returned.
 * `hookData` is shared by the invocation's own hooks. A hook that throws fails the invocation.
 */
async function invokeWithHooks(hooks: AppHooks, handler: FunctionHandler, inputs: readonly unknown[], invocationContext: unknown): Promise<unknown> {
    const hookData: Record<string, unknown> = {};
    const shared = { hookData, appHookData: hooks.appHookData, invocationContext };
    const pre = withReadOnly<PreInvocationState>(shared, { inputs: [...inputs], functionCallback: handler });
    await runHooks(hooks, 'preInvocation', pre);
    const post = withReadOnly<PostInvocationState>(shared, { inputs: pre.inputs, result: null, error: null });
    try {
        post.result = await pre.functionCallback(...pre.inputs, invocationContext);
    } catch (error) {
        post.error = error;
    }
    await runHooks(hooks, 'postInvocation', post);
    // The worker answers the host with the error's message and stack, made an Error first.
    if (post.error !== null && post.error !== undefined) throw ensureErrorType(post.error);
    return post.result;
}

/** The registration with a handler that runs the app's invocation hooks around the registered one. */
export function withInvocationHooks(registration: Registration, hooks: AppHooks): Registration {
    return {
        metadata: registration.metadata,
        handler: (input, context) => invokeWithHooks(hooks, registration.handler, [input], context),
    };
}
