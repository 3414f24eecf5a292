// The send log across drains: the rate-limit guard widens every window, the longest one included, when the log is pruned.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drainWebhook } from '../../../shared/delivery/sender.js';
import type { SlidingWindowLimit } from '../../../shared/limiter/index.js';
import { startAzurite, type TestAzurite } from '../../support/azurite.js';
import { startBench, START, type Bench } from './harness.js';

let azurite: TestAzurite;
let bench: Bench | undefined;

beforeAll(async () => {
    azurite = await startAzurite();
});
afterAll(async () => {
    await azurite.stop();
});
afterEach(async () => {
    await bench?.stop();
    bench = undefined;
});

/** One window, the longest the sender knows: two sends per 10 s, widened by a 1 s guard to 11 s. */
const ONE_WINDOW: readonly SlidingWindowLimit[] = [{ windowMs: 10_000, max: 2 }];
const GUARD_MS = 1_000;

describe('the send log and the rate-limit guard', () => {
    it('still counts a send older than the longest window but within its guard', async () => {
        bench = await startBench(azurite);
        const b = bench;
        const [key = ''] = await b.enqueue(
            { id: 'first', to: 'ops', text: 'first', createdAt: START },
            { id: 'second', to: 'ops', text: 'second', createdAt: START + 1 },
        );
        // One earlier send at START. Half a second past its 10 s window, but inside the guard: the
        // next two sends together with it must span at least 11 s.
        const state = await b.store.readState(key);
        await b.store.writeState({ ...state, sends: [START] });
        b.clock.time = START + 10_500;

        const result = await drainWebhook(key, b.deps({ settings: { limits: ONE_WINDOW, guardMs: GUARD_MS } }));

        expect(result).toMatchObject({ kind: 'idle', sent: 2 });
        const posted = b.sim.received('ops').map((request) => request.at - START);
        expect(posted).toEqual([10_500, 11_000]);
    });
});
