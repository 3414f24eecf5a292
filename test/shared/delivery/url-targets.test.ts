// A {url} job already in the outbox when ALLOW_URL_TARGETS is turned off: dead-lettered at send time, never holding the webhook.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/index.js';
import { resolveSendTarget, URL_TARGETS_OFF } from '../../../shared/delivery/accept.js';
import { drainWebhook } from '../../../shared/delivery/sender.js';
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

describe('a {url} job waiting when ALLOW_URL_TARGETS is off', () => {
    it('is dead-lettered with the reason naming the setting, and the jobs behind it are delivered', async () => {
        const b = await startBench(azurite, { aliases: { ops: 'connector' }, settings: { ALLOW_URL_TARGETS: 'true' } });
        bench = b;
        // The {url} names the same webhook as the alias, so both wait in one outbox, the {url} job first.
        const [key = ''] = await b.enqueue(
            { id: 'by-url', to: { url: b.sim.connectorUrl('ops') }, text: 'accepted while URL targets were on', createdAt: START },
            { id: 'by-alias', to: 'ops', text: 'behind it', createdAt: START + 1 },
        );
        const turnedOff = loadConfig({ ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', TEAMS_WEBHOOK_OPS: b.sim.connectorUrl('ops') });

        const result = await drainWebhook(key, b.deps({ resolveTarget: (job) => resolveSendTarget(job, turnedOff) }));

        expect(result).toMatchObject({ kind: 'idle', sent: 1 });
        const [letter, ...others] = await b.store.listDeadLetters();
        expect(others).toEqual([]);
        expect(letter).toMatchObject({ jobId: 'by-url', source: 'delivery', reason: URL_TARGETS_OFF, attempts: 0 });
        expect(b.sim.received('ops').map((request) => request.outcome)).toEqual(['delivered']);
        expect(JSON.stringify(b.sim.received('ops')[0]?.json)).toContain('behind it');
    });
});
