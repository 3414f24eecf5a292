import { describe, expect, it } from 'vitest';
import { type AlertCardData } from '../../../shared/cards/index.js';
import { AZURE_PORTAL_ALERT_URL, convertAzureMonitorAlert } from '../../../shared/notify/producers/azure-monitor.js';
import type { ProducedJob } from '../../../shared/notify/producers/conversion.js';
import { AZURE_MONITOR_SAMPLES } from '../../support/fixtures.js';
import { expectDeliverable as expectDeliverableBy, onlyJob } from '../../support/producer-checks.js';
import { producerFixture } from './producer-jobs.js';

const fixture = (name: string): Record<string, unknown> => producerFixture(`azure-monitor/${name}`);
const expectDeliverable = (job: ProducedJob) => expectDeliverableBy('azure-monitor', job);

function cardOf(name: string): AlertCardData {
    const job = onlyJob(convertAzureMonitorAlert(fixture(name)));
    expect(job.card.template).toBe('alert');
    return job.card.data as AlertCardData;
}

function fact(card: AlertCardData, name: string): string | number | boolean | undefined {
    return card.facts?.find((row) => row.name === name)?.value;
}

/** Expects the card to show each of these facts with this value. */
function expectFacts(card: AlertCardData, facts: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(facts)) {
        expect(fact(card, name), name).toBe(value);
    }
}

describe('convertAzureMonitorAlert', () => {
    it.each(AZURE_MONITOR_SAMPLES)('turns the %s sample into one alert job that both destinations accept', async (name) => {
        const job = onlyJob(convertAzureMonitorAlert(fixture(name)));
        await expectDeliverable(job);
    });

    it('shows a static metric condition: the value, the operator and threshold, the aggregation and window', () => {
        const card = cardOf('metric-static');
        expect(card).toMatchObject({ title: 'api-vm-cpu-high', severity: 'medium', status: 'firing', source: 'Azure Monitor · Platform · Sev2' });
        expectFacts(card, {
            'Percentage CPU': '93.4172 (alert when > 85; Average over 5 min)',
            Resource: 'vm-api-07',
            'Resource group': 'rg-api-prod',
            Dimensions: 'ResourceId = 0b7d6c2e-91f4-4a35-b8e0-3c2d1f0e9a87',
            Fired: '2026-03-09 08:14:27 UTC',
            team: 'platform',
        });
    });

    it('links to the alert in the Azure portal and to the target resource', () => {
        const body = fixture('metric-static');
        const card = cardOf('metric-static');
        const alertId = ((body.data as Record<string, Record<string, string>>).essentials as Record<string, string>).alertId ?? '';
        expect(card.url).toBe(`${AZURE_PORTAL_ALERT_URL}${encodeURIComponent(alertId)}`);
        expect(card.url).toMatch(/^https:\/\/portal\.azure\.com\/#view\/Microsoft_Azure_Monitoring_Alerts\/AlertDetails\.ReactView\/alertId~\/%2Fsubscriptions%2F/);
        expect(card.links).toContainEqual({
            title: 'Open resource',
            url: 'https://portal.azure.com/#resource/subscriptions/5f2c8e1a-3b4d-4c6e-9f70-81a2b3c4d5e6/resourcegroups/rg-api-prod/providers/microsoft.compute/virtualmachines/vm-api-07',
        });
    });

    it('shows a resolved dynamic-threshold alert in green with its sensitivity and when it resolved', () => {
        const card = cardOf('metric-dynamic');
        expect(card).toMatchObject({ status: 'resolved', severity: 'low' });
        expectFacts(card, { Egress: '2410077 (alert when > or < 1893342; dynamic threshold, Medium sensitivity; Total over 15 min)', Resolved: '2026-03-08 23:06:40 UTC' });
    });

    it('names the availability test and every target resource', () => {
        const card = cardOf('availability-test');
        expect(card.severity).toBe('high');
        expectFacts(card, { 'Failed Location': '4 (alert when > 2; Sum over 5 min; test shop-home-appi-shop-prod)', Resources: 'appi-shop-prod, shop-home-appi-shop-prod' });
    });

    it('shows a v1 log search alert: the query, the result count against the threshold, the window and a link to the results', () => {
        const card = cardOf('log-search-v1');
        expect(fact(card, 'Query')).toContain('Heartbeat | where Computer startswith "vm-batch"');
        expectFacts(card, { 'Results (metric measurement)': '1 (alert when < 1)', Window: '15 min' });
        expect(card.links?.find((link) => link.title === 'Search results')?.url).toMatch(/^https:\/\/portal\.azure\.com#@contoso/);
    });

    it('shows a v2 log search alert: the query, the measured value against the threshold, its dimensions and custom properties', () => {
        const card = cardOf('log-search-v2');
        expect(card.severity).toBe('critical');
        expectFacts(card, { 'Result (Count)': '137 (alert when > 50; over 10 min)', Dimensions: 'cloud_RoleName = shop-api', oncall: 'shop-api' });
        expect(card.links?.map((link) => link.title)).toContain('Search results');
    });

    it('shows an activity log alert: the operation, its status and who called it', () => {
        const card = cardOf('activity-log');
        expect(card.severity).toBe('info');
        expectFacts(card, { Operation: 'Microsoft.Compute/virtualMachines/delete', Status: 'Succeeded', Caller: 'grace.hopper@contoso.com', 'Event time': '2026-03-06 16:01:18 UTC' });
    });

    it.each([
        ['resource health alert: what happened and the health before and now', 'resource-health', 'unexpected failure on the host server', { Health: 'Available → Unavailable', Cause: 'PlatformInitiated' }],
        ['smart detection alert: what was detected against what is normal', 'smart-detector', 'An abnormal rise in failed requests', { Detected: '18.2%', Normal: '0.4% (over the last 7 days)' }],
    ])('shows a %s', (_what, sample, described, facts) => {
        const card = cardOf(sample);
        expect(card.description).toContain(described);
        expectFacts(card, facts);
    });

    it('shows a service health incident by its title, with its communication as plain text', () => {
        const card = cardOf('service-health');
        expect(card.title).toBe('Mitigated: Azure SQL Database – connection failures in West Europe');
        expect(card.description).toContain('Summary of impact: Between 01:10 and 03:40 UTC');
        expect(card.description).not.toMatch(/<\/?(p|strong|a)\b|&nbsp;/);
        expectFacts(card, { 'Tracking ID': '7K2Q-9TZ', Region: 'West Europe', Stage: 'Resolved' });
    });

    it('shows a budget alert, which has no rule, severity or condition, by its budget and spend', () => {
        const job = onlyJob(convertAzureMonitorAlert(fixture('budget')));
        const card = job.card.data as AlertCardData;
        expect(card).toMatchObject({ title: 'Budget platform-monthly', severity: 'info', status: 'firing' });
        expectFacts(card, { Spent: '$8,412.77', 'Alert at': '$8,000.00' });
        expect(card.url).toBeUndefined();
        expect(job.identity).toContain('2026-03-04T06:15:41.207Z');
    });

    it('derives the identity from the alert id and its condition, and the update key from the alert', () => {
        const fired = fixture('metric-static');
        const resolved = structuredClone(fired);
        ((resolved.data as Record<string, Record<string, unknown>>).essentials as Record<string, unknown>).monitorCondition = 'Resolved';
        const [a, again, b] = [fired, structuredClone(fired), resolved].map((body) => onlyJob(convertAzureMonitorAlert(body)));
        expect(again?.identity).toBe(a?.identity);
        expect(b?.identity).not.toBe(a?.identity);
        expect(b?.updateKey).toBe(a?.updateKey);
        expect(a?.updateKey).toBe('/subscriptions/5f2c8e1a-3b4d-4c6e-9f70-81a2b3c4d5e6/providers/Microsoft.AlertsManagement/alerts/8c1f0a52-6d3e-4b7a-9e21-0f4c5d6a7b80');
    });

    it('maps Sev0 to Sev4 onto the card levels, most severe first', () => {
        const levels = ['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'].map((severity) => {
            const body = fixture('metric-static');
            ((body.data as Record<string, Record<string, unknown>>).essentials as Record<string, unknown>).severity = severity;
            return (onlyJob(convertAzureMonitorAlert(body)).card.data as AlertCardData).severity;
        });
        expect(levels).toEqual(['critical', 'high', 'medium', 'low', 'info']);
    });

    it('still shows the essentials of an alert context it does not know', async () => {
        const body = fixture('metric-static');
        const data = body.data as Record<string, unknown>;
        data.alertContext = { somethingNew: { nested: [1, 2, 3] } };
        ((data.essentials as Record<string, unknown>).monitoringService) = 'Some Future Service';
        const job = onlyJob(convertAzureMonitorAlert(body));
        const card = job.card.data as AlertCardData;
        expect(card).toMatchObject({ title: 'api-vm-cpu-high', severity: 'medium', source: 'Azure Monitor · Some Future Service · Sev2' });
        expect(fact(card, 'Resource')).toBe('vm-api-07');
        await expectDeliverable(job);
    });

    it('refuses the older, non-common schemas, saying to turn the common schema on', () => {
        const conversion = convertAzureMonitorAlert({ schemaId: 'AzureMonitorMetricAlert', data: { essentials: { alertId: 'x' } } });
        expect(conversion).toEqual({ kind: 'invalid', problems: [expect.stringMatching(/^schemaId: "AzureMonitorMetricAlert" is not the common alert schema.*Enable the common alert schema/)] });
    });

    it.each([
        ['a non-object body', [], 'body: must be a JSON object'],
        ['no schemaId', { data: {} }, 'schemaId: missing'],
        ['no data', { schemaId: 'azureMonitorCommonAlertSchema' }, 'data: must be an object'],
        ['no alert id', { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: { monitorCondition: 'Fired' } } }, 'data.essentials.alertId: must be a string'],
        ['an unknown severity', { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: { alertId: 'a', severity: 'Sev9' } } }, 'data.essentials.severity: must be one of Sev0'],
        ['an unknown condition', { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: { alertId: 'a', monitorCondition: 'Maybe' } } }, 'data.essentials.monitorCondition: must be "Fired" or "Resolved"'],
    ])('names the problem with %s', (_what, body, problem) => {
        const conversion = convertAzureMonitorAlert(body);
        expect(conversion.kind).toBe('invalid');
        expect(conversion.kind === 'invalid' ? conversion.problems.join('\n') : '').toContain(problem);
    });

    it('fits a huge alert into a deliverable card and says what it left out', async () => {
        const body = fixture('log-search-v2');
        const data = body.data as Record<string, Record<string, unknown>>;
        const essentials = data.essentials as Record<string, unknown>;
        essentials.description = '<b>x</b>'.repeat(100_000);
        essentials.alertTargetIDs = Array.from({ length: 5_000 }, (_, index) => `/subscriptions/s/resourcegroups/rg/providers/p/vm-${index}`);
        essentials.configurationItems = [];
        const condition = (data.alertContext as Record<string, Record<string, unknown[]>>).condition as Record<string, unknown[]>;
        condition.allOf = Array.from({ length: 50 }, () => ({ ...(condition.allOf?.[0] as object), searchQuery: '字'.repeat(50_000) }));
        data.customProperties = Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`key${index}`, 'v'.repeat(1_000)]));
        const job = onlyJob(convertAzureMonitorAlert(body));
        const card = job.card.data as AlertCardData;
        expect(card.description).toMatch(/_Not shown: .+\._$/);
        expect(card.description).toContain('4995 more resources');
        expect(card.description).toContain('47 more conditions');
        expect(card.description).toMatch(/\d+ more facts/);
        expect(fact(card, 'Query')).toMatch(/… \(cut\)$/);
        await expectDeliverable(job);
    });

    it('leaves out links that are not http(s)', () => {
        const body = fixture('log-search-v1');
        (body.data as Record<string, Record<string, unknown>>).alertContext = {
            ...((body.data as Record<string, Record<string, unknown>>).alertContext),
            LinkToFilteredSearchResultsUI: 'javascript:alert(1)',
        };
        const card = onlyJob(convertAzureMonitorAlert(body)).card.data as AlertCardData;
        expect(card.links?.some((link) => link.title === 'Search results')).toBe(false);
    });
});
