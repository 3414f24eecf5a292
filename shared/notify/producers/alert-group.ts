/**
 * What Alertmanager and Grafana share: a notification about a group of alerts (Alertmanager's
 * webhook shape, which Grafana extends), its identity, the severity its labels give, the texts a
 * card may show of it, and the `alert` card fitted to Teams' size limit whatever the group holds.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ALERT_STATUSES, type AlertCardData, type AlertSeverity } from '../../cards/index.js';
import { PermanentError } from '../../platform/index.js';
import { buildTeamsPayload } from '../payload.js';
import { isCardUrl, withoutTagOpeners } from './card-text.js';
import type { Conversion } from './conversion.js';

/** Longest title the card shows (a group's alert name, an alert's labels). */
const MAX_TITLE_CHARS = 200;
/** Longest description (summary and description annotations together). */
const MAX_DESCRIPTION_CHARS = 2_000;
/** Longest text under one alert line. */
const MAX_ITEM_TEXT_CHARS = 300;
/** Longest label value shown. */
const MAX_LABEL_VALUE_CHARS = 120;
/** Most common labels shown as facts. */
const MAX_LABEL_FACTS = 10;
/** Most alert lines tried: a 24 KB card holds fewer than this anyway. */
const MAX_LISTED_ALERTS = 60;
/** Most problems a 400 lists: a body with thousands of bad alerts needs only the first few named. */
const MAX_REPORTED_PROBLEMS = 20;

/** An alert's labels or annotations: Alertmanager sends both as string maps. */
const stringMapSchema = z.record(z.string(), z.string());

/** One alert of an Alertmanager-shaped notification (Alertmanager docs, "webhook_config"). */
export const groupAlertSchema = z.looseObject({
    status: z.enum(ALERT_STATUSES),
    labels: stringMapSchema,
    annotations: stringMapSchema.optional(),
    startsAt: z.string().optional(),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().optional(),
});

/** An Alertmanager-shaped notification: a group of alerts (Alertmanager docs, "webhook_config"). */
export const alertGroupSchema = z.looseObject({
    version: z.string().optional(),
    groupKey: z.string(),
    truncatedAlerts: z.int().nonnegative().optional(),
    status: z.enum(ALERT_STATUSES),
    receiver: z.string().optional(),
    groupLabels: stringMapSchema.optional(),
    commonLabels: stringMapSchema.optional(),
    commonAnnotations: stringMapSchema.optional(),
    externalURL: z.string().optional(),
    alerts: z.array(groupAlertSchema),
});

/** A parsed Alertmanager-shaped notification. */
export type AlertGroup = z.output<typeof alertGroupSchema>;
/** One parsed alert of it. */
type GroupAlert = z.output<typeof groupAlertSchema>;

/**
 * The problems of a zod failure as a 400 lists them: each names its field (`alerts.3.labels.job`),
 * at most {@link MAX_REPORTED_PROBLEMS}, then how many more there were.
 */
function describeIssues(error: z.ZodError): string[] {
    const problems = error.issues.slice(0, MAX_REPORTED_PROBLEMS).map((issue) => {
        const field = issue.path.map(String).join('.');
        return `${field === '' ? 'body' : field}: ${issue.message}`;
    });
    const more = error.issues.length - MAX_REPORTED_PROBLEMS;
    return more > 0 ? [...problems, `… and ${more} more problems`] : problems;
}

/**
 * Severity label values and the template's level each means: Prometheus and Grafana rules use no
 * fixed vocabulary, so the common words of both, of PagerDuty (critical/error/warning/info) and of
 * Zabbix-style scales are mapped. Anything else counts as `medium`.
 */
const SEVERITY_WORDS: Readonly<Record<string, AlertSeverity>> = {
    critical: 'critical',
    crit: 'critical',
    page: 'critical',
    emergency: 'critical',
    fatal: 'critical',
    disaster: 'critical',
    p1: 'critical',
    sev0: 'critical',
    sev1: 'critical',
    error: 'high',
    high: 'high',
    major: 'high',
    p2: 'high',
    sev2: 'high',
    warning: 'medium',
    warn: 'medium',
    medium: 'medium',
    average: 'medium',
    p3: 'medium',
    sev3: 'medium',
    low: 'low',
    minor: 'low',
    p4: 'low',
    sev4: 'low',
    info: 'info',
    informational: 'info',
    notice: 'info',
    none: 'info',
    debug: 'info',
    p5: 'info',
};

/** The level a severity label value stands for when the word is not one of the known ones. */
const UNKNOWN_SEVERITY: AlertSeverity = 'medium';

/** The template's severity for a `severity` label value (case-insensitive); {@link UNKNOWN_SEVERITY} for others. */
export function severityOf(label: string | undefined): AlertSeverity {
    const word = label?.trim().toLowerCase() ?? '';
    return Object.hasOwn(SEVERITY_WORDS, word) ? (SEVERITY_WORDS[word] ?? UNKNOWN_SEVERITY) : UNKNOWN_SEVERITY;
}

/** Most severe first, as the template lists them. */
const SEVERITY_RANK: readonly AlertSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The group's severity: its common `severity` label, else the most severe of its alerts' own. */
function groupSeverity(group: AlertGroup): AlertSeverity {
    const common = group.commonLabels?.severity;
    if (common !== undefined) {
        return severityOf(common);
    }
    const levels = group.alerts.map((alert) => severityOf(alert.labels.severity));
    return SEVERITY_RANK.find((level) => levels.includes(level)) ?? UNKNOWN_SEVERITY;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The producer's identity of the notification: the group key, the status, and each alert's
 * fingerprint (or, from an Alertmanager too old to send one, a hash of its sorted labels) with its
 * start. A retry of the same notification has the same identity; a new alert, a resolution or a
 * restart of an alert changes it.
 */
function groupIdentity(prefix: string, group: AlertGroup): string {
    const alerts = group.alerts
        .map((alert) => `${alert.fingerprint ?? `labels:${sha256Hex(JSON.stringify(Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))}`}@${alert.startsAt ?? ''}`)
        .sort();
    return `${prefix}|${group.groupKey}|${group.status}|${alerts.join(',')}`;
}

/** Characters that open an HTML tag (or comment, or declaration) after `<`. */
const TAG_START = /[A-Za-z/!?]/;

/**
 * Text from a producer as a card shows it: HTML tags removed (Teams shows them as text; an `<at>`
 * would be read as a mention), control characters but new lines dropped, and cut to `maxChars`
 * with `…`. Linear in the text's length, whatever it holds.
 *
 * @example
 * plainAlertText('<b>Disk</b> full on <i>db-1</i>', 100); // 'Disk full on db-1'
 */
export function plainAlertText(text: string, maxChars: number): string {
    let out = '';
    let from = 0;
    while (from < text.length && out.length <= maxChars) {
        const open = text.indexOf('<', from);
        if (open === -1) {
            out += text.slice(from);
            break;
        }
        const close = TAG_START.test(text.charAt(open + 1)) ? text.indexOf('>', open + 2) : -1;
        if (close === -1) {
            out += text.slice(from, open + 1);
            from = open + 1;
            continue;
        }
        out += text.slice(from, open);
        from = close + 1;
    }
    // A '<' left before a tag-like run (from "<<at>at>") must not become a tag either.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
    const clean = withoutTagOpeners(out).replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '').trim();
    return clean.length > maxChars ? `${clean.slice(0, maxChars - 1).trimEnd()}…` : clean;
}

/** A title for a Markdown link: plain text without the brackets that would end the link text. */
function linkTitle(text: string, maxChars: number): string {
    return plainAlertText(text, maxChars).replace(/[[\]]/g, '');
}

/**
 * `url` when a card may link to it (http or https, and short enough to keep whole: Prometheus'
 * generator URLs hold the whole query, and a cut URL is a broken one), else `undefined`.
 */
export function linkUrl(url: string | undefined): string | undefined {
    return url !== undefined && isCardUrl(url) ? url : undefined;
}

/** Years before this are the "unset" times Alertmanager sends (`0001-01-01T00:00:00Z`). */
const EARLIEST_REAL_YEAR = 1970;

/** A producer's RFC 3339 time (nanoseconds allowed) as `YYYY-MM-DD HH:MM UTC`, or `undefined` when unset or unreadable. */
export function shownTime(value: string | undefined): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    const at = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isFinite(at) || new Date(at).getUTCFullYear() < EARLIEST_REAL_YEAR) {
        return undefined;
    }
    return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `name=value` for each label of an alert that the group's common labels do not already say. */
function distinctLabels(alert: GroupAlert, common: Readonly<Record<string, string>>): string[] {
    return Object.entries(alert.labels)
        .filter(([name, value]) => !(Object.hasOwn(common, name) && common[name] === value))
        .map(([name, value]) => `${name}=${value.length > MAX_LABEL_VALUE_CHARS ? `${value.slice(0, MAX_LABEL_VALUE_CHARS - 1)}…` : value}`);
}

/** The group's common labels as facts, except those the card shows already (`alertname`, `severity`). */
function labelFacts(common: Readonly<Record<string, string>>): { name: string; value: string }[] {
    return Object.entries(common)
        .filter(([name]) => name !== 'alertname' && name !== 'severity')
        .slice(0, MAX_LABEL_FACTS)
        .map(([name, value]) => ({ name: plainAlertText(name, MAX_LABEL_VALUE_CHARS) || 'label', value: plainAlertText(value, MAX_LABEL_VALUE_CHARS) || '(empty)' }));
}

/** One alert as a card line. */
export type AlertLine = NonNullable<AlertCardData['alerts']>[number];

/** How a count of things reads: `1 alert`, `3 alerts`. */
function countOf(count: number, noun: string): string {
    return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** True when the card, as a job, passes what the sender checks before a send (size and card rules) for both dialects. */
async function sendable(data: AlertCardData): Promise<boolean> {
    const job = { to: 'fit', card: { template: 'alert', data: { ...data } } };
    try {
        await buildTeamsPayload(job, 'workflows');
        await buildTeamsPayload(job, 'connector');
        return true;
    } catch (thrown) {
        if (thrown instanceof PermanentError) {
            return false;
        }
        throw thrown;
    }
}

/**
 * The `alert` card data with as many of `lines` as fit Teams' size limit (the sender's own check,
 * for Workflows and connectors), and a note saying what was left out: lines that did not fit, and
 * `truncated` alerts the producer itself left out (`source` names why). A binary search, since a
 * line's size is only known once rendered.
 */
async function fitAlertLines(base: AlertCardData, lines: readonly AlertLine[], truncated: number, source: string): Promise<AlertCardData> {
    const withLines = (count: number): AlertCardData => {
        const notes: string[] = [];
        const unshown = lines.length - count;
        if (unshown > 0) {
            notes.push(`${countOf(unshown, 'more alert')} not shown (the card's size is limited).`);
        }
        if (truncated > 0) {
            notes.push(`${countOf(truncated, 'alert')} left out by ${source}.`);
        }
        return { ...base, ...(count > 0 ? { alerts: lines.slice(0, count) } : {}), ...(notes.length > 0 ? { note: notes.join(' ') } : {}) };
    };
    const tried = Math.min(lines.length, MAX_LISTED_ALERTS);
    if (await sendable(withLines(tried))) {
        return withLines(tried);
    }
    let low = 0;
    let high = tried - 1;
    while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (await sendable(withLines(middle))) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    return withLines(low);
}

/** The annotation Prometheus and Grafana alert rules conventionally link their runbook with. */
const RUNBOOK_ANNOTATION = 'runbook_url';

/** The group's runbook: the common `runbook_url`, else the first alert's. */
export function groupRunbook(group: AlertGroup): string | undefined {
    const common = group.commonAnnotations?.[RUNBOOK_ANNOTATION];
    return linkUrl(common ?? group.alerts.map((alert) => alert.annotations?.[RUNBOOK_ANNOTATION]).find((url) => url !== undefined));
}

/**
 * What the group says as a whole, as every alert producer shows it: the alert name (else
 * `fallbackTitle`, else a count), severity, status, `<producer> · <receiver>`, the common summary and
 * description, how many fire and resolved, since when, the common labels, and the alerts' shared
 * generator URL as the main button. Producers add their links.
 */
export function groupSummary(group: AlertGroup, producer: string, fallbackTitle?: string): AlertCardData {
    const common = group.commonLabels ?? {};
    const annotations = group.commonAnnotations ?? {};
    const firing = group.alerts.filter((alert) => alert.status === 'firing').length;
    const resolved = group.alerts.length - firing;
    const title = plainAlertText(common.alertname ?? group.groupLabels?.alertname ?? fallbackTitle ?? countOf(group.alerts.length, 'alert'), MAX_TITLE_CHARS) || 'Alert';
    const description = plainAlertText([annotations.summary, annotations.description].filter((text) => text !== undefined && text.trim() !== '').join('\n\n'), MAX_DESCRIPTION_CHARS);
    const starts = group.alerts.map((alert) => shownTime(alert.startsAt)).filter((time): time is string => time !== undefined).sort();
    const generators = new Set(group.alerts.map((alert) => alert.generatorURL));
    const shared = generators.size === 1 ? linkUrl(group.alerts[0]?.generatorURL) : undefined;
    const receiver = group.receiver === undefined ? '' : ` · ${plainAlertText(group.receiver, MAX_TITLE_CHARS)}`;
    const count = (n: number) => n.toLocaleString('en-US');
    return {
        title,
        severity: groupSeverity(group),
        status: group.status,
        source: `${producer}${receiver}`,
        ...(description === '' ? {} : { description }),
        facts: [
            { name: 'Alerts', value: resolved === 0 ? `${count(firing)} firing` : `${count(firing)} firing, ${count(resolved)} resolved` },
            ...(starts[0] === undefined ? [] : [{ name: 'Since', value: starts[0] }]),
            ...labelFacts(common),
        ],
        ...(shared === undefined ? {} : { url: shared }),
    };
}

/** The alert's own summary (else description) when the group's common annotations do not say it already. */
export function ownSummary(alert: GroupAlert, commonAnnotations: Readonly<Record<string, string>>): string | undefined {
    const own = alert.annotations?.summary ?? alert.annotations?.description;
    return own !== undefined && own !== commonAnnotations.summary && own !== commonAnnotations.description ? own : undefined;
}

/**
 * One alert as a line: titled by the labels that set it apart from the group (else its name), the
 * `details` that are present joined with `·` as its text, linked to `url`.
 */
export function alertLine(alert: GroupAlert, common: Readonly<Record<string, string>>, details: readonly (string | undefined)[], url: string | undefined): AlertLine {
    const distinct = distinctLabels(alert, common);
    const text = plainAlertText(details.filter((part): part is string => part !== undefined && part.trim() !== '').join(' · '), MAX_ITEM_TEXT_CHARS);
    return {
        title: linkTitle(distinct.length > 0 ? distinct.join(' · ') : (alert.labels.alertname ?? 'alert'), MAX_TITLE_CHARS) || 'alert',
        status: alert.status,
        ...(text === '' ? {} : { text }),
        ...(url === undefined ? {} : { url }),
    };
}

/** How one alert producer shows its groups: the parts {@link convertAlertGroup} cannot know. */
interface AlertGroupShape<G extends AlertGroup> {
    /** The producer's schema: Alertmanager's shape, or an extension of it. */
    readonly schema: z.ZodType<G>;
    /** The start of the identity and of `updateKey`, e.g. `alertmanager` or `grafana:<orgId>`. */
    readonly scope: (group: G) => string;
    /** The card's data without its alert lines. */
    readonly card: (group: G) => AlertCardData;
    /** One line per alert. */
    readonly lines: (group: G) => AlertLine[];
    /** Who left alerts out when `truncatedAlerts` is set, e.g. `Alertmanager (max_alerts)`. */
    readonly truncatedBy: string;
}

/**
 * Converts an Alertmanager-shaped body to one `alert` card job, fitted to Teams' size limit, with its
 * identity, an `updateKey` of the scope, receiver and group key, and the common labels to route on;
 * or every problem, each naming its field.
 */
export async function convertAlertGroup<G extends AlertGroup>(body: unknown, shape: AlertGroupShape<G>): Promise<Conversion> {
    const parsed = shape.schema.safeParse(body);
    if (!parsed.success) {
        return { kind: 'invalid', problems: describeIssues(parsed.error) };
    }
    const group = parsed.data;
    if (group.alerts.length === 0) {
        return { kind: 'invalid', problems: ['alerts: holds no alert'] };
    }
    const data = await fitAlertLines(shape.card(group), shape.lines(group), group.truncatedAlerts ?? 0, shape.truncatedBy);
    const scope = shape.scope(group);
    return {
        kind: 'jobs',
        labels: group.commonLabels ?? {},
        jobs: [{ identity: groupIdentity(scope, group), updateKey: `${scope}:${group.receiver ?? ''}:${group.groupKey}`, card: { template: 'alert', data: { ...data } } }],
    };
}
