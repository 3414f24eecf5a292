// End to end: an Alertmanager notification through the `npm start` host's /api/hooks/alertmanager to the Teams simulator.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../support/fixtures.js';
import { eventually, uniqueQueueName } from './app-host.js';
import { simulatorSettings, useScenario } from './scenario.js';

/** Generous deadline for two deliveries on a busy machine. */
const DELIVERIES_MS = 20_000;

const scenario = useScenario();

describe('Alertmanager through npm start', () => {
    it('posts a firing group once however often Alertmanager retries it, then its resolution, as alert cards routed by ROUTES_ALERTS', async () => {
        const { sim, hosts } = scenario;
        const name = `alerts-${randomBytes(4).toString('hex')}`;
        const host = await scenario.startHost({ ...simulatorSettings(uniqueQueueName('alerts'), { ops: sim.workflowsUrl(name) }), ROUTES_ALERTS: '*:ops' });
        const post = async (fixture: string) => {
            const response = await fetch(`${host.url}/api/hooks/alertmanager`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: fixtureBytes(`producers/alertmanager/${fixture}.json`),
            });
            return { status: response.status, body: (await response.json()) as { ids?: string[] } };
        };
        const firing = await post('firing');
        expect(firing.status).toBe(202);
        const retry = await post('firing');
        expect(retry).toEqual(firing);
        const resolved = await post('resolved');
        expect(resolved.status).toBe(202);

        const delivered = await eventually(
            'the firing and the resolved card',
            () => {
                const records = sim.received(name).filter((record) => record.outcome !== 'throttled');
                return records.length >= 2 ? records : undefined;
            },
            DELIVERIES_MS,
            () => hosts.outputs(),
        );
        expect(delivered.map((record) => record.outcome)).toEqual(['delivered', 'delivered']);
        const cards = delivered.map((record) => JSON.stringify(record.json));
        expect(cards[0]).toContain('InstanceDown');
        expect(cards[0]).toContain('🔴 CRITICAL');
        expect(cards[0]).toContain('instance=db-1:9100');
        expect(cards[1]).toContain('✅ RESOLVED · CRITICAL');
        // Delivery is in order, so once the resolution has arrived the retry would have come before it.
        expect(sim.received(name)).toHaveLength(2);
    });
});
