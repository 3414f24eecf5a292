// POST /api/hooks/alertmanager and /api/hooks/grafana: the exported handlers with real requests, against a real Azurite queue.
import { describe, expect, it } from 'vitest';
import { hooksAlertmanager } from '../../functions/hooks-alertmanager.js';
import { hooksGrafana } from '../../functions/hooks-grafana.js';
import { checkJob } from '../../shared/notify/accept.js';
import { loadConfig } from '../../shared/config.js';
import { fixtureBytes } from '../support/fixtures.js';
import { useHookQueue } from '../support/hook-queue.js';
import { CONNECTOR_WEBHOOK_URL, idsOf, jsonPost, quietContext, WORKFLOWS_WEBHOOK_URL } from '../support/http-requests.js';

const hooks = useHookQueue('hooks-alerts-test', { TEAMS_WEBHOOK_OPS: CONNECTOR_WEBHOOK_URL, TEAMS_WEBHOOK_DBA: WORKFLOWS_WEBHOOK_URL, ROUTES_ALERTS: 'team=db:dba;*:ops' });
const queuedJobs = () => hooks.queuedJobs();
const post = (producer: string, body: Buffer | string, query = '') => jsonPost(`hooks/${producer}`, body, { query });
const context = () => quietContext('hooks');

describe('POST /api/hooks/alertmanager', () => {
    it('enqueues one alert card job per alias and answers 202 with their ids', async () => {
        const response = await hooksAlertmanager(post('alertmanager', fixtureBytes('producers/alertmanager/firing.json'), '?to=ops,dba'), context());
        expect(response.status).toBe(202);
        const ids = idsOf(response);
        expect(ids).toHaveLength(2);
        expect(ids[0]).toMatch(/^alertmanager\.ops\.[0-9a-f]{40}$/);
        const jobs = await queuedJobs();
        expect(jobs.map((job) => job.id).sort()).toEqual([...ids].sort());
        for (const job of jobs) {
            expect(job).toMatchObject({ card: { template: 'alert', data: { title: 'InstanceDown', severity: 'critical', status: 'firing' } } });
            expect(job.updateKey).toContain('InstanceDown');
            // What the queue trigger will do with it: the same check, passed.
            expect((await checkJob(job, loadConfig(process.env))).ok).toBe(true);
        }
    });

    it('answers the same ids when Alertmanager retries the notification', async () => {
        const body = fixtureBytes('producers/alertmanager/mixed-warning.json');
        const first = await hooksAlertmanager(post('alertmanager', body, '?to=ops'), context());
        const retry = await hooksAlertmanager(post('alertmanager', body, '?to=ops'), context());
        expect(retry.jsonBody).toEqual(first.jsonBody);
        const resolved = await hooksAlertmanager(post('alertmanager', fixtureBytes('producers/alertmanager/resolved.json'), '?to=ops'), context());
        expect(resolved.jsonBody).not.toEqual(first.jsonBody);
    });

    it('routes by ROUTES_ALERTS when to is absent: team=db goes to dba, the rest to ops', async () => {
        const db = await hooksAlertmanager(post('alertmanager', fixtureBytes('producers/alertmanager/mixed-warning.json')), context());
        expect(idsOf(db)[0]).toMatch(/^alertmanager\.dba\./);
        const other = await hooksAlertmanager(post('alertmanager', fixtureBytes('producers/alertmanager/firing.json')), context());
        expect(idsOf(other)[0]).toMatch(/^alertmanager\.ops\./);
    });

    it('answers 400 naming the fields of a body in another format, and enqueues nothing', async () => {
        const response = await hooksAlertmanager(post('alertmanager', '{"text":"hello"}', '?to=ops'), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'invalid_payload', message: 'The body is not an Alertmanager webhook notification' } });
        expect((response.jsonBody as { problems: string[] }).problems.join('\n')).toMatch(/groupKey: [\s\S]*alerts: /);
        expect(await queuedJobs()).toEqual([]);
    });

    it('answers 400 naming an unknown alias', async () => {
        const response = await hooksAlertmanager(post('alertmanager', fixtureBytes('producers/alertmanager/firing.json'), '?to=nobody'), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_target' } });
        expect(JSON.stringify(response.jsonBody)).toContain('unknown alias \\"nobody\\"');
    });

    it('answers 413 over 1 MiB', async () => {
        const response = await hooksAlertmanager(post('alertmanager', Buffer.alloc(1024 * 1024 + 1, 32)), context());
        expect(response.status).toBe(413);
    });
});

describe('POST /api/hooks/grafana', () => {
    it('enqueues an alert card with the image and values, and answers 202 with its id', async () => {
        const response = await hooksGrafana(post('grafana', fixtureBytes('producers/grafana/firing-with-image.json'), '?to=ops'), context());
        expect(response.status).toBe(202);
        const [job] = await queuedJobs();
        expect(job?.id).toBe(idsOf(response)[0]);
        expect(job).toMatchObject({ card: { template: 'alert', data: { title: 'High CPU usage', imageUrl: 'https://grafana-images.example.com/alerting/images/a1b2c3d4.png' } } });
    });

    it('answers 400 bad_json for a body that is not JSON', async () => {
        const response = await hooksGrafana(post('grafana', 'status=firing', '?to=ops'), context());
        expect(response).toMatchObject({ status: 400, jsonBody: { error: 'bad_json' } });
    });
});
