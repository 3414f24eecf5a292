import type { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { hooksAzureMonitor } from '../../functions/hooks-azure-monitor.js';
import { AZURE_MONITOR_SAMPLES, fixtureBytes } from '../support/fixtures.js';
import { useHookQueue } from '../support/hook-queue.js';
import { CONNECTOR_WEBHOOK_URL, idsOf, jsonPost, quietContext, WORKFLOWS_WEBHOOK_URL } from '../support/http-requests.js';

const hooks = useHookQueue('hooks-azure-monitor-test', {
    TEAMS_WEBHOOK_OPS: CONNECTOR_WEBHOOK_URL,
    TEAMS_WEBHOOK_DBA: WORKFLOWS_WEBHOOK_URL,
});
const queue = (): QueueClient => hooks.queue();

/** A POST as an action group sends it: JSON, the function key and the aliases in the URL. */
const post = (body: Buffer | string, query = '?code=function-key&to=ops') =>
    jsonPost('hooks/azure-monitor', body, { query, headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'IcMBroadcaster/1.0' } });
const context = () => quietContext('hooks-azure-monitor');
const fixture = (name: string): Buffer => fixtureBytes(`producers/azure-monitor/${name}.json`);

describe('POST /api/hooks/azure-monitor', () => {
    it.each(AZURE_MONITOR_SAMPLES)('enqueues the %s alert as an alert card keyed to the alert, and answers 202 with its id', async (name) => {
        const response = await hooksAzureMonitor(post(fixture(name)), context());
        expect(response.status).toBe(202);
        const [id] = idsOf(response);
        expect(id).toMatch(/^azure-monitor\.ops\.[0-9a-f]{40}$/);
        const jobs = await hooks.queuedJobs();
        expect(jobs).toHaveLength(1);
        expect(jobs[0]).toMatchObject({ id, to: 'ops', card: { template: 'alert' } });
        expect(typeof jobs[0]?.updateKey).toBe('string');
    });

    it("gives Azure's retry of one alert the same ids, each alias its own, and the resolution other ids with the same update key", async () => {
        const fired = fixture('metric-static');
        const resolved = JSON.parse(fired.toString('utf8')) as { data: { essentials: { monitorCondition: string } } };
        resolved.data.essentials.monitorCondition = 'Resolved';
        const first = await hooksAzureMonitor(post(fired, '?to=ops,dba'), context());
        const retry = await hooksAzureMonitor(post(fired, '?to=ops,dba'), context());
        const resolution = await hooksAzureMonitor(post(JSON.stringify(resolved), '?to=ops,dba'), context());
        expect(idsOf(first)).toHaveLength(2);
        expect(new Set(idsOf(first)).size).toBe(2);
        expect(idsOf(retry)).toEqual(idsOf(first));
        expect(idsOf(resolution).some((id) => idsOf(first).includes(id))).toBe(false);
        const jobs = await hooks.queuedJobs();
        expect(new Set(jobs.map((job) => job.updateKey)).size).toBe(1);
    });

    it('answers 400 naming the schema when the common alert schema is off, and enqueues nothing', async () => {
        const response = await hooksAzureMonitor(post(JSON.stringify({ schemaId: 'AzureMonitorMetricAlert', data: { status: 'Activated', context: {} } })), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'invalid_payload' } });
        expect(JSON.stringify(response.jsonBody)).toContain('Enable the common alert schema');
        expect((await queue().peekMessages()).peekedMessageItems).toHaveLength(0);
    });

    it('answers 400 when no alias is named (Azure Monitor alerts are not routed by labels)', async () => {
        const response = await hooksAzureMonitor(post(fixture('metric-static'), '?code=function-key'), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_target' } });
    });

    it('answers 400 to a body that is not JSON, and 413 to one over 1 MiB', async () => {
        expect(await hooksAzureMonitor(post('{"schemaId":'), context())).toMatchObject({ status: 400, jsonBody: { error: 'bad_json' } });
        expect((await hooksAzureMonitor(post(Buffer.alloc(1024 * 1024 + 1, 0x20)), context())).status).toBe(413);
    });
});
