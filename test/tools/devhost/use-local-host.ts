/** One local host for a describe block: started before its tests, stopped after them, read through getters. */
import { afterAll, beforeAll } from 'vitest';
import { startLocalHost, type LocalHost } from '../../../tools/devhost/index.js';

/** What `startLocalHost` takes. */
type LocalHostOptions = NonNullable<Parameters<typeof startLocalHost>[0]>;

/**
 * Starts the local host in `beforeAll` with the options `options()` gives then (so they can use what
 * an earlier `beforeAll` started, such as Azurite), and stops it in `afterAll`, even when a test failed.
 * Its fields can be read in tests and hooks, once it has started.
 *
 * @example
 * const host = useLocalHost(() => ({ cwd: FIXTURE_APP, port: 0, env: { AzureWebJobsStorage: azurite.connectionString } }));
 * it('serves', async () => { expect((await fetch(`${host.url}/api/health`)).status).toBe(200); });
 */
export function useLocalHost(options: () => LocalHostOptions | Promise<LocalHostOptions>): LocalHost {
    let started: LocalHost | undefined;
    const running = (): LocalHost => {
        if (started === undefined) {
            throw new Error('the local host did not start: read it inside a test or hook');
        }
        return started;
    };
    beforeAll(async () => {
        started = await startLocalHost(await options());
    });
    afterAll(async () => {
        await started?.stop();
    });
    return {
        get url() { return running().url; },
        get port() { return running().port; },
        get host() { return running().host; },
        get storage() { return running().storage; },
        get embeddedAzuritePid() { return running().embeddedAzuritePid; },
        get functions() { return running().functions; },
        stop: () => running().stop(),
    };
}
