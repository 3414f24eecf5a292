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
    type DeliveryConfirmation,
    emptyConnectionState,
    emptyWebhookState,
    type JobAttempt,
    type NewDeadLetter,
    type NewOutboxJob,
    type OutboxJob,
    type OutboxStore,
    untriedJob,
    type WebhookState,
} from './outbox/index.js';
export {
    postToWebhook,
} from './post.js';
export {
    alertmanagerProducer,
} from './producers/alertmanager.js';
export {
    azureMonitorProducer,
} from './producers/azure-monitor.js';
export {
    githubProducer,
} from './producers/github.js';
export {
    grafanaProducer,
} from './producers/grafana.js';
export {
    connectorRetirementNotice,
    retiredConnectorAliases,
} from './retirement.js';
export {
    drainWebhook,
    type SenderDeps,
    senderSettings,
} from './sender.js';
export {
    type MessageKeyKind,
    type RecordedMessage,
    type RelayAction,
    type RelayRequest,
    relayMisconfiguredNotice,
} from './relay.js';
export {
    DEFAULT_ALLOW_URL_TARGETS,
    DEFAULT_DELIVERY_TIMEOUT_MS,
    DEFAULT_DIGEST_AFTER_MS,
    DEFAULT_LEASE_MS,
    DEFAULT_MAX_DRAIN_MS,
    DEFAULT_MAX_INLINE_WAIT_MS,
    DEFAULT_ORDER_SETTLE_MS,
    DEFAULT_RELAY_KEY_RETENTION_MS,
    DEFAULT_RETRY_MAX_AGE_MS,
    deliverySection,
    type DeliverySettings,
    type NotifyConfig,
    RELAY_FLOW_ALIASES_SETTING,
    targetsSection,
    type TargetSettings,
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
