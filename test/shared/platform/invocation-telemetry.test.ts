/** The invocation hooks' telemetry, through the library's own hook contexts and real InvocationContext objects: nothing on success, one `invocation-failed` trace and an error without URLs on failure. */
import { InvocationContext, PostInvocationContext, PreInvocationContext } from '@azure/functions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invocationTelemetryHooks } from '../../../shared/platform/invocation-telemetry.js';

const WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/Zq9path/IncomingWebhook/x?sig=Zq9sig';

interface Line {
    readonly level: string;
    readonly message: string;
}

/** One invocation as the worker runs it: the same `hookData` and context for the pre and the post hook. */
function invocation(functionName = 'deliver') {
    const lines: Line[] = [];
    const context = new InvocationContext({
        functionName,
        invocationId: 'inv-7',
        logHandler: (level, ...args) => lines.push({ level, message: args.map(String).join(' ') }),
    });
    const hookData: Record<string, unknown> = {};
    return {
        lines,
        pre: new PreInvocationContext({ hookData, invocationContext: context, inputs: ['message'] }),
        post: (outcome: { result?: unknown; error?: unknown }) => new PostInvocationContext({ hookData, invocationContext: context, inputs: ['message'], result: null, error: null, ...outcome }),
    };
}

/** A clock that reads `start`, then `start + elapsed`. */
function clock(start: number, elapsed: number): () => number {
    const readings = [start, start + elapsed];
    return () => readings.shift() ?? start + elapsed;
}

describe('invocation telemetry hooks', () => {
    it('writes nothing and changes nothing when the function succeeds', () => {
        const hooks = invocationTelemetryHooks(clock(1_000, 25));
        const run = invocation();
        hooks.preInvocation(run.pre);
        const post = run.post({ result: { status: 202 } });
        hooks.postInvocation(post);
        expect(run.lines).toEqual([]);
        expect(post.result).toEqual({ status: 202 });
        expect(post.error).toBeNull();
    });

    it('writes one invocation-failed error trace with the function, the reason and the time since the pre hook', () => {
        const hooks = invocationTelemetryHooks(clock(1_000, 250));
        const run = invocation('wake');
        hooks.preInvocation(run.pre);
        const thrown = new Error('table unavailable');
        const post = run.post({ error: thrown });
        hooks.postInvocation(post);
        expect(run.lines).toEqual([
            {
                level: 'error',
                message: 'teams-relay.invocation-failed {"event":"invocation-failed","invocationId":"inv-7","functionName":"wake","reason":"table unavailable","durationMs":250}',
            },
        ]);
        // Nothing to redact: the invocation fails with the very error the function threw.
        expect(post.error).toBe(thrown);
    });

    it('cuts webhook URLs out of the error the host records, and the invocation still fails', () => {
        const hooks = invocationTelemetryHooks(clock(0, 1));
        const run = invocation();
        hooks.preInvocation(run.pre);
        const thrown = new TypeError(`POST ${WEBHOOK} failed`);
        const post = run.post({ error: thrown });
        hooks.postInvocation(post);
        const error = post.error as Error;
        expect(error).toBeInstanceOf(Error);
        expect(error.name).toBe('TypeError');
        expect(error.message).toBe('POST https://contoso.webhook.office.com/… failed');
        expect(error.stack).toContain('POST https://contoso.webhook.office.com/… failed');
        expect(`${error.stack ?? ''} ${run.lines.map((line) => line.message).join(' ')}`).not.toMatch(/Zq9|webhookb2/);
    });

    it('turns a thrown value that is not an Error into an Error, as the worker reports it', () => {
        const hooks = invocationTelemetryHooks(clock(0, 1));
        const run = invocation();
        const post = run.post({ error: `gave up on ${WEBHOOK}` });
        hooks.postInvocation(post);
        expect(post.error).toBeInstanceOf(Error);
        expect((post.error as Error).message).toBe('gave up on https://contoso.webhook.office.com/…');
        // Without the pre hook there is no start time, and no duration is made up.
        expect(run.lines[0]?.message).not.toContain('durationMs');
    });

    it('never lets a secret of a URL through, whatever the function throws', () => {
        const secret = fc.stringMatching(/^[A-Za-z0-9]{8,16}$/).map((random) => `Zq9${random}`);
        const thrown = fc.tuple(fc.string(), secret, fc.string(), fc.constantFrom('error', 'type-error', 'string', 'object')).map(([before, value, after, kind]) => {
            const text = `${before} https://prod-1.westus.logic.azure.com/workflows/${value}?sig=${value} ${after}`;
            if (kind === 'error') return { value, thrown: new Error(text) };
            if (kind === 'type-error') return { value, thrown: new TypeError(text) };
            return { value, thrown: kind === 'string' ? text : { detail: text } };
        });
        fc.assert(
            fc.property(thrown, ({ value, thrown: error }) => {
                const hooks = invocationTelemetryHooks(clock(0, 1));
                const run = invocation();
                hooks.preInvocation(run.pre);
                const post = run.post({ error });
                hooks.postInvocation(post);
                const reported = post.error as Error;
                expect(reported).toBeInstanceOf(Error);
                expect(`${reported.message} ${reported.stack ?? ''} ${run.lines.map((line) => line.message).join(' ')}`).not.toContain(value);
                expect(run.lines).toHaveLength(1);
            }),
        );
    });
});
