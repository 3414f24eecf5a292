// Alertmanager's webhook notifications as alert cards: the fixtures (written from Alertmanager's documented shape), identity, severity, hostile groups.
import { describe, expect, it } from 'vitest';
import { fromAlertmanager, silenceUrl } from '../../../shared/notify/producers/alertmanager.js';
import { plainAlertText, severityOf } from '../../../shared/notify/producers/alert-group.js';
import { SAFE_PAYLOAD_BYTES } from '../../../shared/notify/payload.js';
import { convertedOnce, factRows } from '../../support/producer-checks.js';
import { onlyJob, producerFixture, sendableBytes } from './producer-jobs.js';

const fixture = (name: string) => producerFixture(`alertmanager/${name}`);
const convert = (body: unknown) => onlyJob(fromAlertmanager(body));

describe('fromAlertmanager on a firing group', () => {
    const firing = convertedOnce(() => convert(fixture('firing')));

    it('makes one critical, firing alert card with the common summary and description', () => {
        expect(firing.job.card.template).toBe('alert');
        expect(firing.job.data).toMatchObject({
            title: 'InstanceDown',
            severity: 'critical',
            status: 'firing',
            source: 'Alertmanager · teams-ops',
            description: 'Instances of job node are down\n\nA node exporter has not answered a scrape for more than 5 minutes.',
        });
    });

    it('shows the count, the first start and the common labels as facts', () => {
        expect(firing.data.facts).toEqual(factRows({ Alerts: '2 firing', Since: '2026-11-23 10:02 UTC', job: 'node', team: 'infra' }));
    });

    it('lists every alert by the labels that set it apart, linked to its expression', () => {
        expect(firing.data.alerts).toEqual([
            { title: 'instance=db-1:9100', status: 'firing', text: 'since 2026-11-23 10:02 UTC', url: 'https://prometheus.example.com/graph?g0.expr=up+%3D%3D+0&g0.tab=1' },
            { title: 'instance=db-2:9100', status: 'firing', text: 'since 2026-11-23 10:04 UTC', url: 'https://prometheus.example.com/graph?g0.expr=up+%3D%3D+0&g0.tab=1' },
        ]);
        expect(firing.data.note).toBeUndefined();
    });

    it('links the shared expression, the runbook, a silence of the common labels, and Alertmanager', () => {
        expect(firing.data.url).toBe('https://prometheus.example.com/graph?g0.expr=up+%3D%3D+0&g0.tab=1');
        const links = firing.data.links as { title: string; url: string }[];
        expect(links.map((link) => link.title)).toEqual(['Runbook', 'Silence', 'Alertmanager']);
        expect(links[0]?.url).toBe('https://runbooks.example.com/InstanceDown');
        const silence = new URL(links[1]?.url ?? '');
        expect(silence.origin + silence.pathname).toBe('https://alertmanager.example.com/');
        expect(decodeURIComponent(silence.hash)).toBe('#/silences/new?filter={alertname="InstanceDown", job="node", severity="critical", team="infra"}');
    });

    it('routes on the common labels and updates by receiver and group key', async () => {
        const conversion = await fromAlertmanager(fixture('firing'));
        expect(conversion).toMatchObject({ kind: 'jobs', labels: { alertname: 'InstanceDown', team: 'infra' } });
        expect(firing.job.updateKey).toBe('alertmanager:teams-ops:{}/{severity="critical"}:{alertname="InstanceDown"}');
    });

    it('is a card the sender accepts for Workflows and connectors', async () => {
        expect(await sendableBytes(firing.job)).toBeLessThan(SAFE_PAYLOAD_BYTES);
    });
});

describe('fromAlertmanager on other groups', () => {
    it('shows a resolved group as resolved, with its alerts ticked and no silence link', async () => {
        const { data } = await convert(fixture('resolved'));
        expect(data).toMatchObject({ status: 'resolved', severity: 'critical' });
        expect((data.alerts as { status: string; text: string }[])[0]).toMatchObject({ status: 'resolved', text: 'since 2026-11-23 10:02 UTC · resolved 2026-11-23 10:31 UTC' });
        expect((data.links as { title: string }[]).map((link) => link.title)).toEqual(['Runbook', 'Alertmanager']);
    });

    it("maps warning to medium and lists each alert's own summary when the group has none, and resolved alerts among firing ones", async () => {
        const { data } = await convert(fixture('mixed-warning'));
        expect(data.severity).toBe('medium');
        expect(data.description).toBeUndefined();
        expect(data.facts).toContainEqual({ name: 'Alerts', value: '2 firing, 1 resolved' });
        const lines = data.alerts as { title: string; status: string; text: string }[];
        expect(lines[0]).toMatchObject({ title: 'cluster=orders · instance=pg-orders-2', text: 'Replica pg-orders-2 is 45s behind · since 2026-11-23 09:58 UTC' });
        expect(lines[2]?.status).toBe('resolved');
    });

    it('says how many alerts Alertmanager left out (max_alerts)', async () => {
        const { data } = await convert(fixture('truncated'));
        expect(data.severity).toBe('high');
        expect(data.note).toBe('37 alerts left out by Alertmanager (max_alerts).');
    });

    it('reads a notification from an Alertmanager that sends no fingerprints and no truncatedAlerts', async () => {
        const job = await convert(fixture('no-fingerprint'));
        expect(job.data).toMatchObject({ title: 'Test', severity: 'medium', description: 'some description' });
        expect(job.data.alerts).toEqual([
            { title: 'Test', status: 'firing', text: 'since 2018-08-03 07:52 UTC', url: 'http://example.com:9090/graph?g0.expr=go_memstats_alloc_bytes+%3E+0&g0.tab=1' },
        ]);
        expect(await sendableBytes(job)).toBeLessThan(SAFE_PAYLOAD_BYTES);
    });
});

describe('the identity of a notification', () => {
    it('is the same for a retry, and whatever order the alerts come in', async () => {
        const payload = fixture('mixed-warning');
        const reordered = { ...payload, alerts: [...payload.alerts].reverse() };
        const [a, b, c] = await Promise.all([convert(payload), convert(fixture('mixed-warning')), convert(reordered)]);
        expect(b.identity).toBe(a.identity);
        expect(c.identity).toBe(a.identity);
    });

    it('changes with the status, a new alert, or a restarted alert', async () => {
        const firing = await convert(fixture('firing'));
        expect((await convert(fixture('resolved'))).identity).not.toBe(firing.identity);
        const payload = fixture('firing');
        const restarted = { ...payload, alerts: [{ ...payload.alerts[0], startsAt: '2026-11-23T11:00:00Z' }, payload.alerts[1]] };
        expect((await convert(restarted)).identity).not.toBe(firing.identity);
        const fewer = { ...payload, alerts: [payload.alerts[0]] };
        expect((await convert(fewer)).identity).not.toBe(firing.identity);
    });

    it('hashes the labels of an alert without fingerprint, so other labels make another identity', async () => {
        const payload = fixture('no-fingerprint');
        const other = { ...payload, alerts: [{ ...payload.alerts[0], labels: { alertname: 'Test', instance: 'other:9090' } }] };
        expect((await convert(other)).identity).not.toBe((await convert(payload)).identity);
    });
});

describe('fromAlertmanager on bodies it cannot show', () => {
    it('names each missing or mistyped field', async () => {
        const payload = fixture('firing');
        const withoutKey: Record<string, unknown> = { ...payload };
        delete withoutKey.groupKey;
        const conversion = await fromAlertmanager({ ...withoutKey, status: 'burning', alerts: [{ ...payload.alerts[0], labels: { instance: 7 } }] });
        expect(conversion.kind).toBe('invalid');
        const problems = conversion.kind === 'invalid' ? conversion.problems.join('\n') : '';
        expect(problems).toMatch(/^groupKey: /m);
        expect(problems).toMatch(/^status: /m);
        expect(problems).toMatch(/^alerts\.0\.labels\.instance: /m);
    });

    it('refuses a group without alerts, and a body that is not an object', async () => {
        expect(await fromAlertmanager({ ...fixture('firing'), alerts: [] })).toEqual({ kind: 'invalid', problems: ['alerts: holds no alert'] });
        expect((await fromAlertmanager([1, 2])).kind).toBe('invalid');
        expect((await fromAlertmanager(null)).kind).toBe('invalid');
    });

    it('names at most 20 problems for thousands of bad alerts, and says how many more', async () => {
        const conversion = await fromAlertmanager({ ...fixture('firing'), alerts: Array.from({ length: 500 }, () => ({ status: 'firing' })) });
        expect(conversion.kind === 'invalid' ? conversion.problems.length : 0).toBe(21);
        expect(conversion.kind === 'invalid' ? conversion.problems.at(-1) : '').toBe('… and 480 more problems');
    });
});

describe('a storm in one notification', () => {
    it('fits thousands of alerts with huge labels into one sendable card that says how many it left out', async () => {
        const payload = fixture('firing');
        const alerts = Array.from({ length: 3000 }, (_, index) => ({
            ...payload.alerts[0],
            labels: { ...(payload.alerts[0]?.labels as Record<string, string>), instance: `node-${index}:9100`, pod: 'p'.repeat(5000) },
            fingerprint: index.toString(16).padStart(16, '0'),
        }));
        const job = await convert({ ...payload, alerts, truncatedAlerts: 12 });
        const listed = (job.data.alerts as unknown[]).length;
        expect(listed).toBeGreaterThan(5);
        expect(job.data.note).toBe(`${(3000 - listed).toLocaleString('en-US')} more alerts not shown (the card's size is limited). 12 alerts left out by Alertmanager (max_alerts).`);
        expect(await sendableBytes(job)).toBeLessThanOrEqual(SAFE_PAYLOAD_BYTES);
    });

    it('removes HTML from annotations and labels, so no tag and no <at> mention reaches the card', async () => {
        const payload = fixture('firing');
        const html = '<script>alert(1)</script><b>Disk</b> <at>Ada</at> full<<at>at>x</at>';
        const job = await convert({
            ...payload,
            commonLabels: { alertname: '<at>Bob</at>', severity: 'critical' },
            commonAnnotations: { summary: html, description: '<img src=x onerror=alert(1)>' + 'd'.repeat(50_000) },
            alerts: [{ ...payload.alerts[0], labels: { alertname: 'x', instance: '<i>db</i>' }, annotations: { summary: html } }],
        });
        const text = JSON.stringify(job.data);
        expect(text).not.toMatch(/<[A-Za-z/!?]/);
        expect(job.data.title).toBe('Bob');
        expect(String(job.data.description).startsWith('alert(1)Disk Ada full')).toBe(true);
        expect(String(job.data.description).endsWith('…')).toBe(true);
        expect(await sendableBytes(job)).toBeLessThanOrEqual(SAFE_PAYLOAD_BYTES);
    });

    it('leaves out a link too long or not http(s), rather than cutting it', async () => {
        const payload = fixture('firing');
        const job = await convert({
            ...payload,
            externalURL: 'javascript:alert(1)',
            alerts: [{ ...payload.alerts[0], generatorURL: `https://prometheus.example.com/graph?g0.expr=${'x'.repeat(5000)}` }],
        });
        expect(job.data.url).toBeUndefined();
        expect((job.data.alerts as { url?: string }[])[0]?.url).toBeUndefined();
        expect((job.data.links as { title: string }[]).map((link) => link.title)).toEqual(['Runbook']);
    });
});

describe('severityOf', () => {
    it.each([
        ['critical', 'critical'],
        ['PAGE', 'critical'],
        ['error', 'high'],
        ['warning', 'medium'],
        ['minor', 'low'],
        ['info', 'info'],
        ['none', 'info'],
        ['something-else', 'medium'],
        ['constructor', 'medium'],
        [undefined, 'medium'],
    ] as const)('maps %s to %s', (label, level) => {
        expect(severityOf(label)).toBe(level);
    });
});

describe('silenceUrl', () => {
    it('quotes values as matchers and survives a trailing slash; no labels, no link', () => {
        expect(silenceUrl('https://am.example.com/', { a: 'x"y' })).toBe(`https://am.example.com/#/silences/new?filter=${encodeURIComponent('{a="x\\"y"}')}`);
        expect(silenceUrl('https://am.example.com', {})).toBeUndefined();
    });
});

describe('plainAlertText', () => {
    it('keeps a lone "<" that opens no tag, and cuts long text with an ellipsis', () => {
        expect(plainAlertText('latency < 10ms and > 5ms', 100)).toBe('latency < 10ms and > 5ms');
        expect(plainAlertText('abcdef', 4)).toBe('abc…');
    });

    it('reads a megabyte of unclosed tags in one pass', () => {
        expect(plainAlertText('<a'.repeat(500_000), 50)).toHaveLength(50);
    });
});
