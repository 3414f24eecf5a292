// Public surface of shared/notify/: the notification flow: job, queue, outbox, sender, Teams. Other parts of the app import shared/notify/ only through this file and azure.ts, which holds what loads the Azure Storage SDKs (kept apart so the mention function starts without them).
export {
    acceptQueueMessage,
    checkJob,
    decodeQueueMessage,
    resolveSendTarget,
} from './accept.js';
export {
    BACKLOG_COUNT_LIMIT,
    type BudgetReport,
    type ConnectionBudget,
    readBudgets,
    type RetryingHead,
    type WebhookBudget,
} from './budget.js';
export {
    decideConnectionSlot,
} from './connection-budget.js';
export {
    type JobMention,
    validateJob,
    type ValidJob,
} from './jobs.js';
export {
    windowName,
    WORKFLOWS_CONNECTION_LIMITS,
    WORKFLOWS_PROFILE,
} from './limit-profiles.js';
export {
    DEFAULT_JITTER_GUARD_MS,
    nextSendTime,
    pruneHistory,
    type SlidingWindowLimit,
    TEAMS_WEBHOOK_LIMITS,
    type WindowUsage,
} from './limiter.js';
export {
    type MentionedPerson,
    mentionedPeople,
} from './mentions.js';
export {
    type AddJobResult,
    type ConditionalDeadLetterResult,
    type ConnectionState,
    type DeadLetter,
    type DeadLetterSource,
    emptyConnectionState,
    emptyWebhookState,
    type JobAttempt,
    type NewDeadLetter,
    type NewOutboxJob,
    type OutboxJob,
    type OutboxStore,
    type WebhookState,
} from './outbox/index.js';
export {
    postToWebhook,
} from './post.js';
export {
    type AlertGroup,
    alertGroupSchema,
    type AlertGroupShape,
    type AlertLine,
    alertLine,
    convertAlertGroup,
    countOf,
    describeIssues,
    distinctLabels,
    fitAlertLines,
    type GroupAlert,
    groupAlertSchema,
    groupIdentity,
    groupRunbook,
    groupSeverity,
    groupSummary,
    labelFacts,
    linkTitle,
    linkUrl,
    MAX_DESCRIPTION_CHARS,
    MAX_ITEM_TEXT_CHARS,
    MAX_LABEL_FACTS,
    MAX_LABEL_VALUE_CHARS,
    MAX_LISTED_ALERTS,
    MAX_REPORTED_PROBLEMS,
    MAX_TITLE_CHARS,
    ownSummary,
    plainAlertText,
    RUNBOOK_ANNOTATION,
    severityOf,
    shownTime,
    UNKNOWN_SEVERITY,
} from './producers/alert-group.js';
export {
    alertmanagerProducer,
    fromAlertmanager,
    silenceUrl,
} from './producers/alertmanager.js';
export {
    AZURE_MONITOR_CARD_LIMITS,
    AZURE_MONITOR_COMMON_SCHEMA_ID,
    AZURE_MONITOR_SEVERITIES,
    AZURE_MONITOR_SEVERITY_LEVELS,
    AZURE_PORTAL_ALERT_URL,
    AZURE_PORTAL_RESOURCE_URL,
    azureMonitorProducer,
    convertAzureMonitorAlert,
} from './producers/azure-monitor.js';
export {
    CARD_TEXT_LIMITS,
    clipText,
    CUT_TEXT_MARKER,
    isCardUrl,
    keepFirst,
    plainText,
} from './producers/card-text.js';
export {
    type Conversion,
    type ProducedJob,
} from './producers/conversion.js';
export {
    convertGitHubDelivery,
    GITHUB_CARD_LIMITS,
    GITHUB_DELIVERY_HEADER,
    GITHUB_EVENT_HEADER,
    GITHUB_EVENTS,
    GITHUB_PING_EVENT,
    type GitHubDelivery,
    githubProducer,
    MAX_GITHUB_DELIVERY_ID_LENGTH,
} from './producers/github.js';
export {
    GITHUB_LOGIN,
    GITHUB_MENTION_MAP_SETTING,
    parseGitHubMentionMap,
} from './producers/github-mentions.js';
export {
    GITHUB_SIGNATURE_HEADER,
    GITHUB_SIGNATURE_PREFIX,
    type GitHubSignatureCheck,
    type GitHubSignatureFailure,
    signGitHubBody,
    verifyGitHubSignature,
} from './producers/github-signature.js';
export {
    fromGrafana,
    grafanaProducer,
} from './producers/grafana.js';
export {
    type AlertRoute,
    type LabelMatcher,
    MATCH_EVERYTHING,
    parseAlertRoutes,
    routeByLabels,
} from './producers/routes.js';
export {
    CONNECTOR_RETIREMENT_URL,
    connectorRetirementNotice,
    retiredConnectorAliases,
} from './retirement.js';
export {
    drainWebhook,
    type SenderDeps,
    senderSettings,
} from './sender.js';
export {
    DEFAULT_DIGEST_AFTER_MS,
    WEBHOOK_SETTING_PREFIX,
} from './settings.js';
export {
    skipJobs,
    type SkipOutcome,
} from './skip.js';
export {
    wakeupMessageSchema,
} from './wakeup.js';
export {
    webhookKey,
} from './webhook-target.js';
