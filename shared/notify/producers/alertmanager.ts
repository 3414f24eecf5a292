/** Prometheus Alertmanager's webhook notification (`webhook_configs`) as one `alert` card job. */
import type { AlertCardData } from '../../cards/index.js';
import type { Conversion } from './conversion.js';
import type { ProducerEndpoint } from './endpoint.js';
import {
    type AlertGroup,
    alertGroupSchema,
    type AlertLine,
    countOf,
    describeIssues,
    distinctLabels,
    fitAlertLines,
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

/** The annotation Prometheus alerting rules conventionally link their runbook with. */
const RUNBOOK_ANNOTATION = 'runbook_url';

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

/** The text under one alert's line: its own summary (or description) unless the group's says it, and since when (until when, resolved). */
function alertText(alert: AlertGroup['alerts'][number], common: Readonly<Record<string, string>>): string | undefined {
    const summary = alert.annotations?.summary ?? alert.annotations?.description;
    const parts = [
        summary !== undefined && summary !== common.summary && summary !== common.description ? plainText(summary, MAX_ITEM_TEXT_CHARS) : undefined,
        shownTime(alert.startsAt) === undefined ? undefined : `since ${shownTime(alert.startsAt) ?? ''}`,
        alert.status === 'resolved' && shownTime(alert.endsAt) !== undefined ? `resolved ${shownTime(alert.endsAt) ?? ''}` : undefined,
    ].filter((part): part is string => part !== undefined && part !== '');
    return parts.length === 0 ? undefined : parts.join(' · ');
}

/** One line per alert: the labels that set it apart from the group (else its name), linked to its expression. */
function alertLines(group: AlertGroup): AlertLine[] {
    const common = group.commonLabels ?? {};
    return group.alerts.map((alert) => {
        const distinct = distinctLabels(alert, common);
        const text = alertText(alert, group.commonAnnotations ?? {});
        const url = linkUrl(alert.generatorURL);
        return {
            title: linkTitle(distinct.length > 0 ? distinct.join(' · ') : (alert.labels.alertname ?? 'alert'), MAX_TITLE_CHARS) || 'alert',
            status: alert.status,
            ...(text === undefined ? {} : { text }),
            ...(url === undefined ? {} : { url }),
        };
    });
}

/** The card's data without its alert lines: what the group says as a whole. */
function groupCard(group: AlertGroup): AlertCardData {
    const common = group.commonLabels ?? {};
    const annotations = group.commonAnnotations ?? {};
    const firing = group.alerts.filter((alert) => alert.status === 'firing').length;
    const resolved = group.alerts.length - firing;
    const name = common.alertname ?? group.groupLabels?.alertname;
    const title = plainText(name ?? countOf(group.alerts.length, 'alert'), MAX_TITLE_CHARS) || 'Alert';
    const description = plainText([annotations.summary, annotations.description].filter((text) => text !== undefined && text.trim() !== '').join('\n\n'), MAX_DESCRIPTION_CHARS);
    const starts = group.alerts.map((alert) => shownTime(alert.startsAt)).filter((time): time is string => time !== undefined).sort();
    const generatorUrls = new Set(group.alerts.map((alert) => alert.generatorURL));
    const sharedGenerator = generatorUrls.size === 1 ? linkUrl(group.alerts[0]?.generatorURL) : undefined;
    const runbook = linkUrl(annotations[RUNBOOK_ANNOTATION] ?? group.alerts.find((alert) => alert.annotations?.[RUNBOOK_ANNOTATION] !== undefined)?.annotations?.[RUNBOOK_ANNOTATION]);
    const external = linkUrl(group.externalURL);
    const silence = group.status === 'firing' && external !== undefined ? silenceUrl(external, common) : undefined;
    const links = [
        ...(runbook === undefined ? [] : [{ title: 'Runbook', url: runbook }]),
        ...(silence === undefined ? [] : [{ title: 'Silence', url: silence }]),
        ...(external === undefined ? [] : [{ title: 'Alertmanager', url: external }]),
    ];
    const receiver = group.receiver === undefined ? '' : ` · ${plainText(group.receiver, MAX_TITLE_CHARS)}`;
    return {
        title,
        severity: groupSeverity(group),
        status: group.status,
        source: `Alertmanager${receiver}`,
        ...(description === '' ? {} : { description }),
        facts: [
            { name: 'Alerts', value: resolved === 0 ? `${firing.toLocaleString('en-US')} firing` : `${firing.toLocaleString('en-US')} firing, ${resolved.toLocaleString('en-US')} resolved` },
            ...(starts[0] === undefined ? [] : [{ name: 'Since', value: starts[0] }]),
            ...labelFacts(common),
        ],
        ...(sharedGenerator === undefined ? {} : { url: sharedGenerator }),
        ...(links.length === 0 ? {} : { links }),
    };
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
export async function fromAlertmanager(body: unknown): Promise<Conversion> {
    const parsed = alertGroupSchema.safeParse(body);
    if (!parsed.success) {
        return { kind: 'invalid', problems: describeIssues(parsed.error) };
    }
    const group = parsed.data;
    if (group.alerts.length === 0) {
        return { kind: 'invalid', problems: ['alerts: holds no alert'] };
    }
    const data = await fitAlertLines(groupCard(group), alertLines(group), group.truncatedAlerts ?? 0, 'Alertmanager (max_alerts)');
    return {
        kind: 'jobs',
        labels: group.commonLabels ?? {},
        jobs: [
            {
                identity: groupIdentity('alertmanager', group),
                updateKey: `alertmanager:${group.receiver ?? ''}:${group.groupKey}`,
                card: { template: 'alert', data: { ...data } },
            },
        ],
    };
}

/** `POST /api/hooks/alertmanager`. */
export const alertmanagerProducer: ProducerEndpoint = {
    name: 'alertmanager',
    format: 'an Alertmanager webhook notification',
    routesAlerts: true,
    convert: fromAlertmanager,
};
