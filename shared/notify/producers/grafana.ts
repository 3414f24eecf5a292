/** Grafana alerting's webhook contact point (unified alerting) as one `alert` card job. */
import { z } from 'zod';
import type { AlertCardData } from '../../cards/index.js';
import type { Conversion } from './conversion.js';
import type { ProducerEndpoint } from './endpoint.js';
import { alertGroupSchema, type AlertLine, alertLine, convertAlertGroup, groupAlertSchema, groupRunbook, groupSummary, linkUrl, ownSummary, shownTime } from './alert-group.js';

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

/** One line per alert: its own summary, its values, since when, linked to its panel (else dashboard, else rule). */
function alertLines(group: GrafanaGroup): AlertLine[] {
    const common = group.commonLabels ?? {};
    return group.alerts.map((alert) => {
        const since = shownTime(alert.startsAt);
        const details = [ownSummary(alert, group.commonAnnotations ?? {}), shownValues(alert), since === undefined ? undefined : `since ${since}`];
        return alertLine(alert, common, details, linkUrl(alert.panelURL) ?? linkUrl(alert.dashboardURL) ?? linkUrl(alert.generatorURL));
    });
}

/** The card's data without its alert lines: the group as a whole, with links to the dashboard, the panel, the runbook and a silence, and the first https image. */
function groupCard(group: GrafanaGroup): AlertCardData {
    const first = (field: 'dashboardURL' | 'panelURL') => group.alerts.map((alert) => linkUrl(alert[field])).find((url) => url !== undefined);
    const dashboard = first('dashboardURL');
    const panel = first('panelURL');
    const runbook = groupRunbook(group);
    const silence = group.status === 'firing' ? groupSilenceUrl(group) : undefined;
    const links = [
        ...(dashboard === undefined ? [] : [{ title: 'Dashboard', url: dashboard }]),
        ...(panel === undefined ? [] : [{ title: 'Panel', url: panel }]),
        ...(runbook === undefined ? [] : [{ title: 'Runbook', url: runbook }]),
        ...(silence === undefined ? [] : [{ title: 'Silence', url: silence }]),
    ];
    const image = group.alerts.map((alert) => linkUrl(alert.imageURL)).find((url): url is string => url?.startsWith('https:') === true);
    return {
        ...groupSummary(group, 'Grafana', group.title),
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
export function fromGrafana(body: unknown): Promise<Conversion> {
    return convertAlertGroup(body, {
        schema: grafanaGroupSchema,
        scope: (group) => `grafana:${group.orgId === undefined ? '' : String(group.orgId)}`,
        card: groupCard,
        lines: alertLines,
        truncatedBy: 'Grafana',
    });
}

/** `POST /api/hooks/grafana`. */
export const grafanaProducer: ProducerEndpoint = {
    name: 'grafana',
    format: 'a Grafana alerting webhook notification',
    routesAlerts: true,
    convert: fromGrafana,
};
