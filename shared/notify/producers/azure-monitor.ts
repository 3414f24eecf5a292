/** Azure Monitor's common alert schema (an action group webhook) to an `alert` card job. */
import { z } from 'zod';
import type { AlertCardData, AlertSeverity } from '../../cards/index.js';
import { CARD_TEXT_LIMITS, clipText, isCardUrl, keepFirst, plainText } from './card-text.js';
import type { Conversion, ProducedJob } from './conversion.js';
import type { ProducerEndpoint } from './endpoint.js';

/** The `schemaId` of the common alert schema (learn.microsoft.com/azure/azure-monitor/alerts/alerts-common-schema). */
const AZURE_MONITOR_COMMON_SCHEMA_ID = 'azureMonitorCommonAlertSchema';

/** Azure Monitor's severities, most severe first: Critical, Error, Warning, Informational, Verbose. */
const AZURE_MONITOR_SEVERITIES = ['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'] as const;

/** How each Azure Monitor severity shows on the `alert` card: the same order, most severe first. */
const AZURE_MONITOR_SEVERITY_LEVELS = {
    Sev0: 'critical',
    Sev1: 'high',
    Sev2: 'medium',
    Sev3: 'low',
    Sev4: 'info',
} as const satisfies Record<(typeof AZURE_MONITOR_SEVERITIES)[number], AlertSeverity>;

/** The level of an alert without a severity (cost alerts send `null`). */
const UNRATED_LEVEL: AlertSeverity = 'info';

/** The Azure portal page of one alert, as the portal's own "Copy link" writes it; the alert id follows, URL-encoded. */
export const AZURE_PORTAL_ALERT_URL = 'https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId~/';

/** The Azure portal page of a resource; its ARM id follows. */
const AZURE_PORTAL_RESOURCE_URL = 'https://portal.azure.com/#resource';

/** How much of an alert the card shows: text sizes as for every producer, and these counts. */
const AZURE_MONITOR_CARD_LIMITS = {
    ...CARD_TEXT_LIMITS,
    facts: 14,
    links: 4,
    resourcesShown: 5,
    conditionsShown: 3,
    dimensionsShown: 5,
} as const;

const limits = AZURE_MONITOR_CARD_LIMITS;

/** A value read leniently: anything else is treated as absent, so an odd field never hides the rest. */
const text = z.string().nullish().catch(undefined);
const figure = z.union([z.number(), z.string()]).nullish().catch(undefined);
const record = z.record(z.string(), z.unknown()).nullish().catch(undefined);
/** Fields read leniently as {@link text}, by name. */
function textFields<K extends string>(...names: K[]): Record<K, typeof text> {
    return Object.fromEntries(names.map((name) => [name, text])) as Record<K, typeof text>;
}

/** Fields read leniently as {@link figure}, by name. */
function figureFields<K extends string>(...names: K[]): Record<K, typeof figure> {
    return Object.fromEntries(names.map((name) => [name, figure])) as Record<K, typeof figure>;
}

const strings = z.array(z.unknown()).nullish().catch(undefined).transform((items) => (items ?? []).filter((item): item is string => typeof item === 'string'));

const essentialsSchema = z.object(
    {
        alertId: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty'),
        alertRule: text,
        severity: z.enum(AZURE_MONITOR_SEVERITIES, { error: `must be one of ${AZURE_MONITOR_SEVERITIES.join(', ')}` }).nullish(),
        signalType: text,
        monitorCondition: z.enum(['Fired', 'Resolved'], { error: 'must be "Fired" or "Resolved"' }).nullish(),
        monitoringService: text,
        alertTargetIDs: strings,
        configurationItems: strings,
        firedDateTime: text,
        resolvedDateTime: text,
        description: text,
    },
    { error: 'must be an object' },
);

const bodySchema = z.object(
    {
        data: z.object({ essentials: essentialsSchema, alertContext: z.unknown().optional(), customProperties: record }, { error: 'must be an object' }),
    },
    { error: 'must be a JSON object in the Azure Monitor common alert schema' },
);

type Essentials = z.output<typeof essentialsSchema>;

/** What a condition adds to the card. */
interface ContextParts {
    title?: string | undefined;
    description?: string | undefined;
    facts: Fact[];
    links: Link[];
    leftOut: string[];
}

type Fact = { name: string; value: string };
type Link = { title: string; url: string };

/**
 * Converts an Azure Monitor action group webhook body with the common alert schema on into one
 * `alert` card job: firing or resolved from `monitorCondition`, the level from `Sev0`..`Sev4`, the
 * target resources, the condition's figures for each kind of alert (metric with static or dynamic
 * thresholds and availability tests, log search v1 and v2, activity log, service health, resource
 * health, budgets, smart detection, Prometheus) and a link to the alert in the Azure portal. An
 * alert context of another shape still gives a card with the essentials. The job's identity is the
 * alert id and its condition, so Azure's retries are posted once; its `updateKey` is the alert id.
 *
 * @example
 * const conversion = convertAzureMonitorAlert(JSON.parse(body));
 * if (conversion.kind === 'invalid') return { status: 400, jsonBody: { problems: conversion.problems } };
 */
export function convertAzureMonitorAlert(body: unknown): Conversion {
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const schemaId = isObject ? (body as { schemaId?: unknown }).schemaId : AZURE_MONITOR_COMMON_SCHEMA_ID;
    if (schemaId !== AZURE_MONITOR_COMMON_SCHEMA_ID) {
        const named = typeof schemaId === 'string' ? `"${clipText(schemaId, limits.factNameBytes)}"` : 'missing, so the body';
        return {
            kind: 'invalid',
            problems: [`schemaId: ${named} is not the common alert schema ("${AZURE_MONITOR_COMMON_SCHEMA_ID}"); turn on "Enable the common alert schema" for this webhook in the action group`],
        };
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) {
        return { kind: 'invalid', problems: parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'body' : issue.path.join('.')}: ${issue.message}`) };
    }
    const { data } = parsed.data;
    const essentials = data.essentials;
    const parts = contextParts(essentials, data.alertContext);
    const custom = Object.entries({ ...(contextProperties(data.alertContext) ?? {}), ...(data.customProperties ?? {}) });
    for (const [name, value] of custom) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
            parts.facts.push({ name, value: String(value) });
        }
    }
    const condition = essentials.monitorCondition ?? 'Fired';
    const job: ProducedJob = {
        identity: `azure-monitor:${essentials.alertId}:${essentials.monitorCondition ?? `fired ${essentials.firedDateTime ?? ''}`}`,
        updateKey: essentials.alertId,
        card: { template: 'alert', data: alertData(essentials, condition, parts) },
    };
    return { kind: 'jobs', jobs: [job] };
}

/** The `alert` card's data: the essentials, then what the condition adds, each cut to its size. */
function alertData(essentials: Essentials, condition: 'Fired' | 'Resolved', parts: ContextParts): AlertCardData {
    const leftOut = [...parts.leftOut];
    const facts: Fact[] = [...resourceFacts(essentials, leftOut), ...parts.facts];
    if (essentials.firedDateTime) {
        facts.push({ name: 'Fired', value: displayTime(essentials.firedDateTime) });
    }
    if (condition === 'Resolved' && essentials.resolvedDateTime) {
        facts.push({ name: 'Resolved', value: displayTime(essentials.resolvedDateTime) });
    }
    const shownFacts = keepFirst(facts.filter((fact) => fact.name.trim() !== '' && fact.value.trim() !== ''), limits.facts, 'facts');
    if (shownFacts.leftOut !== undefined) {
        leftOut.push(shownFacts.leftOut);
    }
    const links = [...resourceLinks(essentials), ...parts.links].filter((link) => isCardUrl(link.url));
    const shownLinks = keepFirst(links, limits.links, 'links');
    const description = [parts.description, essentials.description ? plainText(essentials.description) : undefined]
        .filter((part): part is string => part !== undefined && part.trim() !== '')
        .join('\n\n');
    const note = leftOut.length > 0 ? `\n\n_Not shown: ${leftOut.join('; ')}._` : '';
    const severity = essentials.severity ?? undefined;
    const source = ['Azure Monitor', essentials.monitoringService, severity].filter((part) => typeof part === 'string' && part.trim() !== '').join(' · ');
    const alertUrl = portalAlertUrl(essentials.alertId);
    return {
        title: clipText(parts.title?.trim() || essentials.alertRule?.trim() || 'Azure Monitor alert', limits.titleBytes),
        severity: severity === undefined ? UNRATED_LEVEL : AZURE_MONITOR_SEVERITY_LEVELS[severity],
        status: condition === 'Resolved' ? 'resolved' : 'firing',
        ...(description !== '' || note !== '' ? { description: clipText(description, limits.descriptionBytes - note.length) + note } : {}),
        source: clipText(source, limits.titleBytes),
        ...(shownFacts.kept.length > 0
            ? { facts: shownFacts.kept.map((fact) => ({ name: clipText(fact.name.trim(), limits.factNameBytes), value: clipText(fact.value, limits.factValueBytes) })) }
            : {}),
        ...(alertUrl !== undefined ? { url: alertUrl } : {}),
        ...(shownLinks.kept.length > 0 ? { links: shownLinks.kept.map((link) => ({ title: clipText(link.title, limits.factNameBytes), url: link.url })) } : {}),
    };
}

/** The alert in the Azure portal, for alerts that Azure Monitor's alerts service holds. */
function portalAlertUrl(alertId: string): string | undefined {
    const url = `${AZURE_PORTAL_ALERT_URL}${encodeURIComponent(alertId)}`;
    return isCardUrl(url) && /^\/subscriptions\/[^/]+\/.*providers\/Microsoft\.AlertsManagement\/alerts\/[^/]+$/i.test(alertId) ? url : undefined;
}

/** The target resources: their names (configuration items, else the last part of each id) and the resource group. */
function resourceFacts(essentials: Essentials, leftOut: string[]): Fact[] {
    const names = essentials.configurationItems.length > 0 ? essentials.configurationItems : essentials.alertTargetIDs.map((id) => id.split('/').filter(Boolean).pop() ?? id);
    const shown = keepFirst(names, limits.resourcesShown, 'resources');
    if (shown.leftOut !== undefined) {
        leftOut.push(shown.leftOut);
    }
    const facts: Fact[] = shown.kept.length > 0 ? [{ name: names.length === 1 ? 'Resource' : 'Resources', value: shown.kept.join(', ') }] : [];
    const group = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)/i.exec(essentials.alertTargetIDs[0] ?? '')?.[1];
    if (group !== undefined) {
        facts.push({ name: 'Resource group', value: group });
    }
    return facts;
}

/** A link to the first target resource in the Azure portal. */
function resourceLinks(essentials: Essentials): Link[] {
    const target = essentials.alertTargetIDs[0];
    if (target === undefined || !/^\/subscriptions\/[^/]+/i.test(target)) {
        return [];
    }
    return [{ title: 'Open resource', url: `${AZURE_PORTAL_RESOURCE_URL}${target.split('/').map(encodeURIComponent).join('/')}` }];
}

/** The `properties` of an alert context (a metric or log v2 rule's custom properties), when it has them. */
function contextProperties(context: unknown): Readonly<Record<string, unknown>> | undefined {
    const parsed = z.object({ properties: record }).safeParse(context);
    return parsed.success && !('operationName' in (context as object)) ? (parsed.data.properties ?? undefined) : undefined;
}

/** What the alert context adds, by its shape; an unknown shape adds nothing. */
function contextParts(essentials: Essentials, context: unknown): ContextParts {
    const parts: ContextParts = { facts: [], links: [], leftOut: [] };
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
        return parts;
    }
    const conditions = criteriaContext.safeParse(context);
    if (conditions.success && conditions.data.condition !== undefined && conditions.data.condition !== null) {
        return conditions.data.conditionType === 'LogQueryCriteria' ? logV2Parts(conditions.data, parts) : metricParts(conditions.data, parts);
    }
    if ('SearchQuery' in context) {
        return logV1Parts(logV1Context.parse(context), parts);
    }
    if ('AlertData' in context) {
        return budgetParts(budgetContext.parse(context), parts);
    }
    if ('DetectionSummary' in context || 'SmartDetectorName' in context) {
        return smartDetectorParts(smartDetectorContext.parse(context), parts);
    }
    if ('expression' in context) {
        return prometheusParts(prometheusContext.parse(context), parts);
    }
    if ('operationName' in context) {
        const activity = activityContext.parse(context);
        const operation = activity.operationName?.toLowerCase() ?? '';
        if (operation.startsWith('microsoft.servicehealth/') || essentials.monitoringService === 'ServiceHealth') {
            return serviceHealthParts(activity, parts);
        }
        if (operation.startsWith('microsoft.resourcehealth/') || essentials.monitoringService === 'Resource Health') {
            return resourceHealthParts(activity, parts);
        }
        return activityParts(activity, parts);
    }
    return parts;
}

const dimensions = z
    .array(z.unknown())
    .nullish()
    .catch(undefined)
    .transform((items) =>
        (items ?? []).flatMap((item) => {
            const parsed = z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) }).safeParse(item);
            return parsed.success ? [parsed.data] : [];
        }),
    );

const criterion = z.object({
    ...textFields('metricName', 'operator', 'timeAggregation', 'alertSensitivity', 'webTestName', 'searchQuery', 'linkToFilteredSearchResultsUI', 'linkToSearchResultsUI'),
    ...figureFields('threshold', 'metricValue'),
    dimensions,
});

const criteriaContext = z.object({
    conditionType: text,
    condition: z
        .object({ windowSize: text, allOf: z.array(z.unknown()).nullish().catch(undefined) })
        .nullish()
        .catch(undefined),
});

type Criteria = z.output<typeof criteriaContext>;
type Criterion = z.output<typeof criterion>;

/** The conditions of a metric or log v2 rule that parse, the first few of them. */
function criteria(context: Criteria, parts: ContextParts): Criterion[] {
    const all = context.condition?.allOf ?? [];
    const shown = keepFirst(all, limits.conditionsShown, 'conditions');
    if (shown.leftOut !== undefined) {
        parts.leftOut.push(shown.leftOut);
    }
    return shown.kept.flatMap((item) => {
        const parsed = criterion.safeParse(item);
        return parsed.success ? [parsed.data] : [];
    });
}

/** Azure's operator names as symbols. */
const OPERATOR_SYMBOLS: Readonly<Record<string, string>> = {
    greaterthan: '>',
    greaterthanorequal: '≥',
    lessthan: '<',
    lowerthan: '<',
    lessthanorequal: '≤',
    lowerthanorequal: '≤',
    equals: '=',
    equal: '=',
    greaterorlessthan: '> or <',
};

function operatorSymbol(operator: string | null | undefined): string {
    const name = operator ?? '';
    return OPERATOR_SYMBOLS[name.replace(/\s+/g, '').toLowerCase()] ?? name;
}

/** Above this, a figure is shown with two decimals rather than six significant digits, so no whole digits are lost. */
const LARGE_FIGURE = 100_000;

/** A number as people read it (six significant digits, or two decimals for large ones), or the text as sent. */
function displayFigure(value: string | number | null | undefined): string {
    if (value === null || value === undefined) {
        return '';
    }
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(number) || String(value).trim() === '') {
        return String(value);
    }
    return String(Math.abs(number) >= LARGE_FIGURE ? Math.round(number * 100) / 100 : Number(number.toPrecision(6)));
}

/** An ISO 8601 duration such as `PT5M` as "5 min", or the text as sent. */
function displayWindow(window: string | null | undefined): string | undefined {
    if (!window) {
        return undefined;
    }
    const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(window);
    if (match === null || !match.slice(1).some(Boolean)) {
        return window;
    }
    const [, days, hours, minutes, seconds] = match;
    return [days && `${days} d`, hours && `${hours} h`, minutes && `${minutes} min`, seconds && `${seconds} s`].filter(Boolean).join(' ');
}

/** A UTC time as `2026-11-23 10:02:05 UTC`, or the text as sent. */
function displayTime(time: string): string {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|\+00:00)?$/.exec(time);
    return match === null ? time : `${match[1]} ${match[2]} UTC`;
}

/** "alert when > 85", or nothing without an operator. */
function thresholdRule(operator: string | null | undefined, threshold: string | number | null | undefined): string | undefined {
    return operator ? `alert when ${operatorSymbol(operator)} ${displayFigure(threshold)}`.trim() : undefined;
}

/** A measured value and, in brackets, the rules it was measured against. */
function measured(value: string | number | null | undefined, rules: readonly (string | undefined)[]): string {
    const shown = rules.filter((rule): rule is string => rule !== undefined && rule !== '');
    return `${displayFigure(value) || '?'}${shown.length > 0 ? ` (${shown.join('; ')})` : ''}`;
}

/** The facts that are present, in order. */
function presentFacts(rows: readonly (readonly [string, string | number | null | undefined])[]): Fact[] {
    return rows.flatMap(([name, value]) => (value === null || value === undefined || value === '' ? [] : [{ name, value: String(value) }]));
}

/** What a log search alert of either API adds: its query, its result against the threshold, its dimensions and a link to the results. */
function searchParts(
    parts: ContextParts,
    search: { query: string | null | undefined; result: Fact; dimensions: Dimension[]; link: string | null | undefined; extra?: Fact[] },
): void {
    parts.facts.push(...presentFacts([['Query', search.query]]), search.result, ...(search.extra ?? []));
    dimensionFact(search.dimensions, parts);
    if (search.link) {
        parts.links.push({ title: 'Search results', url: search.link });
    }
}

type Dimension = { name: string; value: string | number | boolean };

function dimensionFact(list: readonly Dimension[], parts: ContextParts): void {
    const shown = keepFirst(list, limits.dimensionsShown, 'dimensions');
    if (shown.leftOut !== undefined) {
        parts.leftOut.push(shown.leftOut);
    }
    if (shown.kept.length > 0) {
        parts.facts.push({ name: 'Dimensions', value: shown.kept.map((dimension) => `${dimension.name} = ${String(dimension.value)}`).join('; ') });
    }
}

/** Metric alerts (static and dynamic thresholds) and availability tests: each condition's value against its threshold. */
function metricParts(context: Criteria, parts: ContextParts): ContextParts {
    const window = displayWindow(context.condition?.windowSize);
    const dynamic = context.conditionType === 'DynamicThresholdCriteria';
    for (const item of criteria(context, parts)) {
        const rules = [
            thresholdRule(item.operator, item.threshold),
            dynamic ? `dynamic threshold${item.alertSensitivity ? `, ${item.alertSensitivity} sensitivity` : ''}` : undefined,
            item.timeAggregation ? `${item.timeAggregation}${window ? ` over ${window}` : ''}` : undefined,
            item.webTestName ? `test ${item.webTestName}` : undefined,
        ];
        parts.facts.push({ name: item.metricName || 'Metric', value: measured(item.metricValue, rules) });
        dimensionFact(item.dimensions, parts);
    }
    return parts;
}

/** Log search alerts, API 2020-05-01 and later (`LogQueryCriteria`): the query, its value against the threshold, a link to the results. */
function logV2Parts(context: Criteria, parts: ContextParts): ContextParts {
    const window = displayWindow(context.condition?.windowSize);
    for (const item of criteria(context, parts)) {
        searchParts(parts, {
            query: item.searchQuery,
            result: {
                name: item.timeAggregation ? `Result (${item.timeAggregation})` : 'Result',
                value: measured(item.metricValue, [thresholdRule(item.operator, item.threshold), window ? `over ${window}` : undefined]),
            },
            dimensions: item.dimensions,
            link: item.linkToFilteredSearchResultsUI || item.linkToSearchResultsUI,
        });
    }
    return parts;
}

const logV1Context = z.object({
    ...textFields('SearchQuery', 'Operator', 'AlertType', 'LinkToFilteredSearchResultsUI', 'LinkToSearchResults'),
    ...figureFields('ResultCount', 'Threshold', 'SearchIntervalInMinutes'),
    Dimensions: dimensions,
});

/** Log search alerts of the older API: the query, the result count against the threshold, a link to the results. */
function logV1Parts(context: z.output<typeof logV1Context>, parts: ContextParts): ContextParts {
    const interval = context.SearchIntervalInMinutes;
    searchParts(parts, {
        query: context.SearchQuery,
        result: {
            name: context.AlertType === 'Metric measurement' ? 'Results (metric measurement)' : 'Results',
            value: measured(context.ResultCount, [thresholdRule(context.Operator, context.Threshold)]),
        },
        extra: presentFacts([['Window', interval === null || interval === undefined ? undefined : `${displayFigure(interval)} min`]]),
        dimensions: context.Dimensions,
        link: context.LinkToFilteredSearchResultsUI || context.LinkToSearchResults,
    });
    return parts;
}

const activityContext = z.object({ ...textFields('operationName', 'status', 'subStatus', 'caller', 'eventTimestamp'), level: figure, properties: record });

type ActivityContext = z.output<typeof activityContext>;

function propertyText(properties: ActivityContext['properties'], name: string): string | undefined {
    const value = properties?.[name];
    return typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Activity log alerts: the operation, its status and who called it. */
function activityParts(context: ActivityContext, parts: ContextParts): ContextParts {
    const status = [context.status, context.subStatus].filter(Boolean).join(' · ');
    parts.facts.push(
        ...presentFacts([
            ['Operation', context.operationName],
            ['Status', status],
            ['Caller', context.caller],
            ['Level', typeof context.level === 'string' ? context.level : undefined],
            ['Event time', mapDefined(context.eventTimestamp ?? undefined, displayTime)],
        ]),
    );
    const message = propertyText(context.properties, 'description') ?? propertyText(context.properties, 'message');
    if (message !== undefined && message !== context.operationName) {
        parts.description = plainText(message);
    }
    return parts;
}

/** Service health: the incident's title, service, region, stage and communication. */
function serviceHealthParts(context: ActivityContext, parts: ContextParts): ContextParts {
    const properties = context.properties;
    parts.title = propertyText(properties, 'title');
    const communication = propertyText(properties, 'communication');
    parts.description = communication === undefined ? undefined : plainText(communication);
    parts.facts.push(
        ...presentFacts([
            ['Service', propertyText(properties, 'service')],
            ['Region', propertyText(properties, 'region')],
            ['Type', propertyText(properties, 'incidentType')],
            ['Stage', propertyText(properties, 'stage')],
            ['Tracking ID', propertyText(properties, 'trackingId')],
            ['Impact start', mapDefined(propertyText(properties, 'impactStartTime'), displayTime)],
            ['Impact mitigated', mapDefined(propertyText(properties, 'impactMitigationTime'), displayTime)],
        ]),
    );
    return parts;
}

/** Resource health: what happened, the health before and now, and why. */
function resourceHealthParts(context: ActivityContext, parts: ContextParts): ContextParts {
    const properties = context.properties;
    const title = propertyText(properties, 'title');
    const details = propertyText(properties, 'details');
    parts.description = [title, details].filter(Boolean).join('\n\n') || undefined;
    const previous = propertyText(properties, 'previousHealthStatus');
    const current = propertyText(properties, 'currentHealthStatus');
    parts.facts.push(
        ...presentFacts([
            ['Health', current === undefined ? undefined : previous === undefined ? current : `${previous} → ${current}`],
            ['Cause', propertyText(properties, 'cause')],
            ['Type', propertyText(properties, 'type')],
            ['Event time', mapDefined(context.eventTimestamp ?? undefined, displayTime)],
        ]),
    );
    return parts;
}

const budgetContext = z.object({
    AlertData: z
        .object({
            ...textFields('BudgetName', 'ThresholdType', 'Scope', 'Unit'),
            ...figureFields('SpentAmount', 'BudgetThreshold', 'NotificationThresholdAmount', 'ForecastedTotalForPeriod'),
        })
        .nullish()
        .catch(undefined),
});

/** Budget (cost) alerts: the budget, what was spent or is forecast, against which threshold. */
function budgetParts(context: z.output<typeof budgetContext>, parts: ContextParts): ContextParts {
    const budget = context.AlertData;
    if (budget === null || budget === undefined) {
        return parts;
    }
    parts.title = budget.BudgetName ? `Budget ${budget.BudgetName}` : undefined;
    const unit = budget.Unit ? ` ${budget.Unit}` : '';
    const amount = (value: string | number | null | undefined) => (typeof value === 'number' ? `${value}${unit}` : value);
    parts.facts.push(
        ...presentFacts([
            ['Spent', amount(budget.SpentAmount)],
            ['Forecast for the period', amount(budget.ForecastedTotalForPeriod)],
            ['Budget', amount(budget.BudgetThreshold)],
            ['Alert at', amount(budget.NotificationThresholdAmount)],
            ['Threshold type', budget.ThresholdType],
            ['Scope', budget.Scope],
        ]),
    );
    return parts;
}

const smartDetectorContext = z.object({ ...textFields('DetectionSummary', 'SmartDetectorName', 'FormattedOccurrenceTime'), ...figureFields('DetectedValue', 'NormalValue') });

/** Smart detection: what was detected, against what is normal. */
function smartDetectorParts(context: z.output<typeof smartDetectorContext>, parts: ContextParts): ContextParts {
    parts.description = context.DetectionSummary ?? undefined;
    parts.facts.push(
        ...presentFacts([
            ['Detector', context.SmartDetectorName],
            ['Detected', context.DetectedValue],
            ['Normal', context.NormalValue],
            ['Occurred', mapDefined(context.FormattedOccurrenceTime ?? undefined, displayTime)],
        ]),
    );
    return parts;
}

const prometheusContext = z.object({ expression: text, expressionValue: figure, annotations: record });

/** Prometheus rule alerts (Azure Monitor managed Prometheus): the expression and its value. */
function prometheusParts(context: z.output<typeof prometheusContext>, parts: ContextParts): ContextParts {
    const annotation = context.annotations?.description ?? context.annotations?.summary;
    parts.description = typeof annotation === 'string' ? annotation : undefined;
    parts.facts.push(
        ...presentFacts([
            ['Expression', context.expression],
            ['Value', displayFigure(context.expressionValue)],
        ]),
    );
    return parts;
}

function mapDefined<T, R>(value: T | undefined, map: (value: T) => R): R | undefined {
    return value === undefined ? undefined : map(value);
}

/** `POST /api/hooks/azure-monitor`: an action group webhook with the common alert schema on. */
export const azureMonitorProducer: ProducerEndpoint = {
    name: 'azure-monitor',
    format: 'an Azure Monitor alert in the common alert schema',
    routesAlerts: false,
    convert: (body) => convertAzureMonitorAlert(body),
};
