/** Prometheus Alertmanager's webhook notification (`webhook_configs`) as one `alert` card job. */
import type { AlertCardData } from '../../cards/index.js';
import type { Conversion } from './conversion.js';
import type { ProducerEndpoint } from './endpoint.js';
import { type AlertGroup, alertGroupSchema, type AlertLine, alertLine, convertAlertGroup, groupRunbook, groupSummary, linkUrl, ownSummary, shownTime } from './alert-group.js';

/**
 * Alertmanager's silence form, pre-filled with label matchers (the UI's own link:
 * `<externalURL>/#/silences/new?filter={name="value",...}`, URL-encoded).
 */
export function silenceUrl(externalUrl: string, labels: Readonly<Record<string, string>>): string | undefined {
    const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) {
        return undefined;
    }
    const matchers = entries.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ');
    return linkUrl(`${externalUrl.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`);
}

/** One line per alert: its own summary, since when (and until when, resolved), linked to its expression. */
function alertLines(group: AlertGroup): AlertLine[] {
    const common = group.commonLabels ?? {};
    return group.alerts.map((alert) => {
        const since = shownTime(alert.startsAt);
        const until = alert.status === 'resolved' ? shownTime(alert.endsAt) : undefined;
        const details = [ownSummary(alert, group.commonAnnotations ?? {}), since === undefined ? undefined : `since ${since}`, until === undefined ? undefined : `resolved ${until}`];
        return alertLine(alert, common, details, linkUrl(alert.generatorURL));
    });
}

/** The card's data without its alert lines: the group as a whole, with links to the runbook, a silence and Alertmanager. */
function groupCard(group: AlertGroup): AlertCardData {
    const runbook = groupRunbook(group);
    const external = linkUrl(group.externalURL);
    const silence = group.status === 'firing' && external !== undefined ? silenceUrl(external, group.commonLabels ?? {}) : undefined;
    const links = [
        ...(runbook === undefined ? [] : [{ title: 'Runbook', url: runbook }]),
        ...(silence === undefined ? [] : [{ title: 'Silence', url: silence }]),
        ...(external === undefined ? [] : [{ title: 'Alertmanager', url: external }]),
    ];
    return { ...groupSummary(group, 'Alertmanager'), ...(links.length === 0 ? {} : { links }) };
}

/**
 * Converts an Alertmanager webhook notification to one `alert` card job: status and severity (the
 * `severity` label) by colour and icon, the common summary and description, the common labels as
 * facts, one line per alert with the labels that set it apart, and links to the expression, the
 * runbook, a pre-filled silence and Alertmanager. However many alerts and however large their
 * labels, the card fits Teams' size limit and says what it left out.
 *
 * @example
 * const conversion = await fromAlertmanager(JSON.parse(body)); // { kind: 'jobs', jobs: [ ... ], labels: { ... } }
 */
export function fromAlertmanager(body: unknown): Promise<Conversion> {
    return convertAlertGroup(body, { schema: alertGroupSchema, scope: () => 'alertmanager', card: groupCard, lines: alertLines, truncatedBy: 'Alertmanager (max_alerts)' });
}

/** `POST /api/hooks/alertmanager`. */
export const alertmanagerProducer: ProducerEndpoint = {
    name: 'alertmanager',
    format: 'an Alertmanager webhook notification',
    routesAlerts: true,
    convert: fromAlertmanager,
};
