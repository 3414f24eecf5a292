/** Grafana alerting's webhook contact point (unified alerting) as one `alert` card job. */
import { z } from 'zod';
import type { AlertCardData } from '../../cards/index.js';
import type { Conversion } from './conversion.js';
import type { ProducerEndpoint } from './endpoint.js';
import {
    alertGroupSchema,
    type AlertLine,
    countOf,
    describeIssues,
    distinctLabels,
    fitAlertLines,
    groupAlertSchema,
    groupIdentity,
    groupSeverity,
    labelFacts,
    linkTitle,
    linkUrl,
    MAX_DESCRIPTION_CHARS,
    MAX_ITEM_TEXT_CHARS,
    MAX_TITLE_CHARS,
    plainText,
    shownTime,
} from './alert-group.js';

/** Most decimals a value shows: Grafana sends full doubles (`97.31943737541908`). */
const VALUE_DECIMALS = 3;

/** Most values shown for one alert. */
const MAX_VALUES = 8;

/** One alert of Grafana's webhook (Grafana docs, "Webhook notifier"): Alertmanager's alert plus its values and links. */
const grafanaAlertSchema = groupAlertSchema.extend({
    values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullable().optional(),
    valueString: z.string().optional(),
    silenceURL: z.string().optional(),
    dashboardURL: z.string().optional(),
    panelURL: z.string().optional(),
    imageURL: z.string().optional(),
});

/** Grafana's webhook notification: Alertmanager's shape plus `orgId`, `title`, `state`, `message` and per-alert extras. */
const grafanaGroupSchema = alertGroupSchema.extend({
    orgId: z.int().optional(),
    title: z.string().optional(),
    state: z.string().optional(),
    message: z.string().optional(),
    alerts: z.array(grafanaAlertSchema),
});

type GrafanaGroup = z.output<typeof grafanaGroupSchema>;
type GrafanaAlert = GrafanaGroup['alerts'][number];

/** An alert's values as shown: `A=97.319, C=1`, else its `valueString`. */
function shownValues(alert: GrafanaAlert): string | undefined {
    const entries = Object.entries(alert.values ?? {}).slice(0, MAX_VALUES);
    if (entries.length > 0) {
        return entries
            .map(([name, value]) => `${name}=${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: VALUE_DECIMALS, useGrouping: false }) : String(value)}`)
            .join(', ');
    }
    return alert.valueString === undefined || alert.valueString.trim() === '' ? undefined : alert.valueString;
}

/** Grafana's silence form for the group's common labels (the shape of the `silenceURL` it sends for one alert). */
function groupSilenceUrl(group: GrafanaGroup): string | undefined {
    const external = linkUrl(group.externalURL);
    const entries = Object.entries(group.commonLabels ?? {});
    if (external === undefined || entries.length === 0) {
        return group.alerts.length === 1 ? linkUrl(group.alerts[0]?.silenceURL) : undefined;
    }
    const query = new URLSearchParams([['alertmanager', 'grafana'], ...entries.map(([name, value]): [string, string] => ['matcher', `${name}=${value}`])]);
    if (group.orgId !== undefined) {
        query.set('orgId', String(group.orgId));
    }
    return linkUrl(`${external.replace(/\/+$/, '')}/alerting/silence/new?${query.toString()}`);
}

/** One line per alert: the labels that set it apart, its values and start, linked to its panel (else dashboard, else rule). */
function alertLines(group: GrafanaGroup): AlertLine[] {
    const common = group.commonLabels ?? {};
    const annotations = group.commonAnnotations ?? {};
    return group.alerts.map((alert) => {
        const distinct = distinctLabels(alert, common);
        const own = alert.annotations?.summary;
        const values = shownValues(alert);
        const since = shownTime(alert.startsAt);
        const parts = [
            own !== undefined && own !== annotations.summary ? own : undefined,
            values,
            since === undefined ? undefined : `since ${since}`,
        ].filter((part): part is string => part !== undefined && part.trim() !== '');
        const text = plainText(parts.join(' · '), MAX_ITEM_TEXT_CHARS);
        const url = linkUrl(alert.panelURL) ?? linkUrl(alert.dashboardURL) ?? linkUrl(alert.generatorURL);
        return {
            title: linkTitle(distinct.length > 0 ? distinct.join(' · ') : (alert.labels.alertname ?? 'alert'), MAX_TITLE_CHARS) || 'alert',
            status: alert.status,
            ...(text === '' ? {} : { text }),
            ...(url === undefined ? {} : { url }),
        };
    });
}

/** The card's data without its alert lines. */
function groupCard(group: GrafanaGroup): AlertCardData {
    const common = group.commonLabels ?? {};
    const annotations = group.commonAnnotations ?? {};
    const firing = group.alerts.filter((alert) => alert.status === 'firing').length;
    const resolved = group.alerts.length - firing;
    const title = plainText(common.alertname ?? group.title ?? countOf(group.alerts.length, 'alert'), MAX_TITLE_CHARS) || 'Alert';
    const description = plainText([annotations.summary, annotations.description].filter((text) => text !== undefined && text.trim() !== '').join('\n\n'), MAX_DESCRIPTION_CHARS);
    const starts = group.alerts.map((alert) => shownTime(alert.startsAt)).filter((time): time is string => time !== undefined).sort();
    const first = (field: 'dashboardURL' | 'panelURL') => group.alerts.map((alert) => linkUrl(alert[field])).find((url) => url !== undefined);
    const generators = new Set(group.alerts.map((alert) => alert.generatorURL));
    const rule = generators.size === 1 ? linkUrl(group.alerts[0]?.generatorURL) : undefined;
    const runbook = linkUrl(annotations.runbook_url ?? group.alerts.find((alert) => alert.annotations?.runbook_url !== undefined)?.annotations?.runbook_url);
    const dashboard = first('dashboardURL');
    const panel = first('panelURL');
    const silence = group.status === 'firing' ? groupSilenceUrl(group) : undefined;
    const links = [
        ...(dashboard === undefined ? [] : [{ title: 'Dashboard', url: dashboard }]),
        ...(panel === undefined ? [] : [{ title: 'Panel', url: panel }]),
        ...(runbook === undefined ? [] : [{ title: 'Runbook', url: runbook }]),
        ...(silence === undefined ? [] : [{ title: 'Silence', url: silence }]),
    ];
    const image = group.alerts
        .map((alert) => linkUrl(alert.imageURL))
        .find((url): url is string => url?.startsWith('https:') === true);
    const receiver = group.receiver === undefined ? '' : ` · ${plainText(group.receiver, MAX_TITLE_CHARS)}`;
    return {
        title,
        severity: groupSeverity(group),
        status: group.status,
        source: `Grafana${receiver}`,
        ...(description === '' ? {} : { description }),
        facts: [
            { name: 'Alerts', value: resolved === 0 ? `${firing.toLocaleString('en-US')} firing` : `${firing.toLocaleString('en-US')} firing, ${resolved.toLocaleString('en-US')} resolved` },
            ...(starts[0] === undefined ? [] : [{ name: 'Since', value: starts[0] }]),
            ...labelFacts(common),
        ],
        ...(rule === undefined ? {} : { url: rule }),
        ...(links.length === 0 ? {} : { links }),
        ...(image === undefined ? {} : { imageUrl: image }),
    };
}

/**
 * Converts a Grafana alerting webhook notification to one `alert` card job: status and severity by
 * colour and icon, the common summary and description, each alert with the labels that set it
 * apart and its values, links to the dashboard, the panel, the runbook and a silence of the common
 * labels, and the alert's image when Grafana attached an https one. Fitted to Teams' size limit.
 *
 * @example
 * const conversion = await fromGrafana(JSON.parse(body));
 */
export async function fromGrafana(body: unknown): Promise<Conversion> {
    const parsed = grafanaGroupSchema.safeParse(body);
    if (!parsed.success) {
        return { kind: 'invalid', problems: describeIssues(parsed.error) };
    }
    const group = parsed.data;
    if (group.alerts.length === 0) {
        return { kind: 'invalid', problems: ['alerts: holds no alert'] };
    }
    const org = group.orgId === undefined ? '' : String(group.orgId);
    const data = await fitAlertLines(groupCard(group), alertLines(group), group.truncatedAlerts ?? 0, 'Grafana');
    return {
        kind: 'jobs',
        labels: group.commonLabels ?? {},
        jobs: [
            {
                identity: groupIdentity(`grafana:${org}`, group),
                updateKey: `grafana:${org}:${group.receiver ?? ''}:${group.groupKey}`,
                card: { template: 'alert', data: { ...data } },
            },
        ],
    };
}

/** `POST /api/hooks/grafana`. */
export const grafanaProducer: ProducerEndpoint = {
    name: 'grafana',
    format: 'a Grafana alerting webhook notification',
    routesAlerts: true,
    convert: fromGrafana,
};
