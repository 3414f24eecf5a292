/** What runs around every invocation, as the app's invocation hooks: the run's start time and, when the function throws, an `invocation-failed` event and an error without URLs. */
import type { PostInvocationContext, PreInvocationContext } from '@azure/functions';
import { ensureErrorType } from './errors.js';
import { redactUrls } from './redact.js';
import { trackEvent } from './telemetry.js';

/** The key of the start time in an invocation's `hookData`, which its pre- and post-invocation hooks share. */
const STARTED_AT = 'teams-relay.startedAt';

/** The pair of hooks `functions/invocation-hooks.ts` registers with `app.hook.preInvocation` and `app.hook.postInvocation`. */
interface InvocationTelemetryHooks {
    /** Notes when the invocation started. */
    readonly preInvocation: (context: PreInvocationContext) => void;
    /**
     * When the function threw: writes `invocation-failed` (`functionName`, `reason`, `durationMs`) and
     * replaces the error with one whose message and stack hold no URL (webhook URLs are secrets), so
     * the host records it without them. The invocation still fails; a result is left alone.
     */
    readonly postInvocation: (context: PostInvocationContext) => void;
}

/**
 * Makes the invocation hooks of the app's telemetry.
 *
 * @example
 * const hooks = invocationTelemetryHooks();
 * app.hook.preInvocation(hooks.preInvocation);
 * app.hook.postInvocation(hooks.postInvocation);
 */
export function invocationTelemetryHooks(now: () => number = Date.now): InvocationTelemetryHooks {
    return {
        preInvocation(context) {
            context.hookData[STARTED_AT] = now();
        },
        postInvocation(context) {
            // The worker fails an invocation on any error that is neither null nor undefined.
            if (context.error === null || context.error === undefined) {
                return;
            }
            const error = withoutUrls(context.error);
            const startedAt = context.hookData[STARTED_AT];
            const { invocationContext } = context;
            trackEvent(invocationContext, 'invocation-failed', {
                functionName: invocationContext.functionName,
                reason: error.message,
                durationMs: typeof startedAt === 'number' ? now() - startedAt : undefined,
            });
            context.error = error;
        },
    };
}

/** The error itself when neither its message nor its stack holds a URL; else a copy with the URLs cut out, of the same name. */
function withoutUrls(thrown: unknown): Error {
    const error = ensureErrorType(thrown);
    const message = redactUrls(error.message);
    const stack = error.stack === undefined ? undefined : redactUrls(error.stack);
    if (message === error.message && stack === error.stack) {
        return error;
    }
    const copy = new Error(message);
    copy.name = error.name;
    copy.stack = stack ?? `${error.name}: ${message}`;
    return copy;
}
