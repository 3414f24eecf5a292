/** Something a test file or describe block starts once and stops at its end: a local host, an emulator, a server. */
import { afterAll, beforeAll } from 'vitest';

/** What {@link useStarted} can stop. */
interface Stoppable {
    stop(): Promise<void>;
}

/**
 * Runs `start()` in `beforeAll` and the started thing's `stop()` in `afterAll` (also when a test
 * failed), for the calling file or describe block. Returns a stand-in declared up front: reading one
 * of its properties, in a test or hook, reads the started thing's; reading it before the start throws.
 *
 * @example
 * const host = useStarted('the local host', () => startLocalHost({ cwd: FIXTURE_APP, port: 0 }));
 * it('serves', async () => { expect((await fetch(`${host.url}/api/health`)).status).toBe(200); });
 */
export function useStarted<T extends Stoppable>(what: string, start: () => Promise<T>): T {
    let started: T | undefined;
    beforeAll(async () => {
        started = await start();
    });
    afterAll(async () => {
        await started?.stop();
    });
    return new Proxy({} as T, {
        get(_target, property) {
            if (started === undefined) {
                throw new Error(`${what} has not started: read it inside a test or hook`);
            }
            return Reflect.get(started, property) as unknown;
        },
    });
}
