// End to end: the in-process local host runs an app's hooks as the worker does, around HTTP, queue and timer invocations, and the app's own invocation hooks.
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { startLocalHost } from '../../../tools/devhost/index.js';
import { useAzurite } from '../../support/azurite.js';
import { eventually, recordingLog } from './fixture-app.js';
import { useStarted } from '../../support/use-started.js';

/** The fixture project whose `functions/hooks.js` registers every kind of hook. */
const HOOKS_APP = join(import.meta.dirname, 'fixtures', 'hooks-app');

/** The app's own invocation hooks, as the test run's global setup built them. */
const APP_INVOCATION_HOOKS = join(import.meta.dirname, '..', '..', '..', 'dist', 'functions', 'invocation-hooks.js');

/** The keys under which the fixture keeps what it saw on globalThis. */
const CALLS = Symbol.for('teams-relay.devhost.fixture.hook-calls');
const QUEUE_INPUTS = Symbol.for('teams-relay.devhost.fixture.hook-queue-inputs');

/** What `functions/hooks.js` records per hook run. */
interface HookCall {
    readonly hook: string;
    readonly functionName?: string;
    readonly inputs?: number;
    readonly appLevelData?: boolean;
    readonly result?: unknown;
    readonly error?: unknown;
    readonly sameInvocation?: boolean;
    readonly startedAt?: string;
}

function global<T>(key: symbol): T[] {
    return (globalThis as unknown as Record<symbol, T[] | undefined>)[key] ?? [];
}

function callsOf(functionName: string): HookCall[] {
    return global<HookCall>(CALLS).filter((call) => call.functionName === functionName);
}

const azurite = useAzurite();

describe('the local host running the hooks an app registers', () => {
    const logged = recordingLog();
    const host = useStarted('the local host', () => {
        Reflect.deleteProperty(globalThis, CALLS);
        Reflect.deleteProperty(globalThis, QUEUE_INPUTS);
        return startLocalHost({ cwd: HOOKS_APP, port: 0, env: { AzureWebJobsStorage: azurite.connectionString, SHOUT_QUEUE: 'shout' }, log: logged.log });
    });

    it('runs appStart before any invocation, and warns about no hook it runs', () => {
        expect(global<HookCall>(CALLS)[0]).toEqual({ hook: 'appStart' });
        expect(logged.lines.filter((line) => line.message.includes('is not run by the local host'))).toEqual([]);
    });

    it('lets a pre-invocation hook wrap the HTTP handler, and shows the post-invocation hook the result', async () => {
        const response = await fetch(`${host.url}/api/wrapped`);
        expect(response.status).toBe(201);
        expect(response.headers.get('x-wrapped')).toBe('by the pre-invocation hook');
        expect(await response.json()).toEqual({ from: 'the handler' });
        expect(callsOf('wrapped')).toEqual([
            { hook: 'preInvocation', functionName: 'wrapped', inputs: 1, appLevelData: false },
            { hook: 'postInvocation', functionName: 'wrapped', result: { status: 201 }, error: null, sameInvocation: true },
        ]);
    });

    it('shows the post-invocation hook the error, and answers with the result it puts in the error\'s place', async () => {
        const response = await fetch(`${host.url}/api/rescued`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('rescued by the post-invocation hook');
        expect(callsOf('rescued').at(-1)).toEqual({ hook: 'postInvocation', functionName: 'rescued', result: null, error: 'handler failure', sameInvocation: true });
        expect(logged.lines.some((line) => line.level === 'error' && line.message.includes('handler failure'))).toBe(false);
    });

    it('fails an invocation whose post-invocation hook sets an error, though the handler succeeded', async () => {
        const response = await fetch(`${host.url}/api/spoiled`);
        expect(response.status).toBe(500);
        expect(callsOf('spoiled').at(-1)).toMatchObject({ result: { status: 200 }, error: null });
        expect(logged.lines.some((line) => line.level === 'error' && line.message.includes('spoiled by the post-invocation hook'))).toBe(true);
    });

    it('runs the hooks around a queue invocation: the handler gets the inputs the pre hook replaced, the post hook its result or error', async () => {
        const queue = new QueueClient(azurite.connectionString, 'shout');
        await queue.sendMessage('hello');
        await queue.sendMessage('fail');
        const posts = await eventually('two queue invocations', () => {
            const done = callsOf('shout').filter((call) => call.hook === 'postInvocation');
            return Promise.resolve(done.length >= 2 ? done : undefined);
        });
        expect(global<string>(QUEUE_INPUTS).sort()).toEqual(['FAIL', 'HELLO']);
        expect(posts.map(({ result, error }) => ({ result, error })).sort((a, b) => String(a.error).localeCompare(String(b.error)))).toEqual([
            { result: 'heard HELLO', error: null },
            { result: null, error: 'queue failure' },
        ]);
        // The failed message went the way of a failed invocation: to the poison queue (maxDequeueCount 1).
        const poison = new QueueClient(azurite.connectionString, 'shout-poison');
        await eventually('the failed message on the poison queue', async () => {
            const peeked = await poison.peekMessages({ numberOfMessages: 8 });
            return peeked.peekedMessageItems.some((item) => item.messageText === 'fail') ? true : undefined;
        });
    });

    it('runs the hooks around a timer invocation', async () => {
        const post = await eventually('the start-up timer run', () => Promise.resolve(callsOf('startupTimer').find((call) => call.hook === 'postInvocation')));
        expect(post).toEqual({ hook: 'postInvocation', functionName: 'startupTimer', result: 'ticked', error: null, sameInvocation: true });
        expect(callsOf('startupTimer')[0]).toMatchObject({ hook: 'preInvocation', inputs: 1 });
    });

    it('runs appTerminate on stop, with the hookData appStart filled', async () => {
        await host.stop();
        expect(global<HookCall>(CALLS).at(-1)).toEqual({ hook: 'appTerminate', startedAt: 'appStart' });
    });
});

describe('the local host running the app\'s own invocation hooks', () => {
    const logged = recordingLog();
    const host = useStarted('the local host', () => startLocalHost({
        cwd: HOOKS_APP,
        port: 0,
        functionFiles: [APP_INVOCATION_HOOKS, 'functions/http.js'],
        env: { AzureWebJobsStorage: azurite.connectionString },
        log: logged.log,
    }));

    it('writes invocation-failed for a function that throws, and the host logs the error without its URL', async () => {
        expect((await fetch(`${host.url}/api/leaky`)).status).toBe(500);
        const failed = logged.lines.filter((line) => line.message.includes('teams-relay.invocation-failed'));
        expect(failed).toHaveLength(1);
        expect(failed[0]?.level).toBe('error');
        expect(failed[0]?.message).toMatch(/^\[leaky\] teams-relay\.invocation-failed \{"event":"invocation-failed","invocationId":"[0-9a-f-]{36}","functionName":"leaky","reason":"POST https:\/\/contoso\.webhook\.office\.com\/… failed","durationMs":\d+\}$/);
        expect(logged.lines.some((line) => line.message.includes('Executed \'Functions.leaky\' (Failed'))).toBe(true);
        expect(logged.lines.map((line) => line.message).join('\n')).not.toContain('Zq9');
    });

    it('writes nothing more for a function that succeeds', async () => {
        const before = logged.lines.length;
        expect((await fetch(`${host.url}/api/wrapped`)).status).toBe(201);
        expect(logged.lines.slice(before).filter((line) => line.message.includes('teams-relay.'))).toEqual([]);
    });
});
