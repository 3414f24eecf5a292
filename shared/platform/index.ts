// Public surface of shared/platform/: configuration, errors, storage, identity, HTTP, telemetry and redaction. Other parts of the app import shared/platform/ only through this file, azure.ts, which holds what loads the Azure Storage SDKs (kept apart so the mention function starts without them), and config.ts, the configuration's machinery and the host's sections, which each area's settings.ts builds on (shared/config.ts composes them).
export {
    APP_FOLDER_MARKER,
    findAppRoot,
} from './app-folder.js';
export {
    ClientError,
    ConfigurationError,
    ensureErrorType,
    isClientError,
    isTeamsRelayError,
    nonNull,
    PermanentError,
    SystemError,
    TeamsRelayError,
} from './errors.js';
export {
    INTERNAL_ERROR_BODY,
    MAX_REQUEST_BODY_BYTES,
    readBodyWithin,
    readStreamWithin,
    toErrorResponse,
} from './http.js';
export {
    createLazyCredential,
} from './identity.js';
export {
    findExcessiveNesting,
    formatJsonPath,
    MAX_JSON_DEPTH,
    nestingProblem,
} from './json-depth.js';
export {
    invocationTelemetryHooks,
    type InvocationTelemetryHooks,
} from './invocation-telemetry.js';
export {
    LOCAL_SETTINGS_FILE,
    readLocalSettings,
} from './local-settings.js';
export {
    isValidNotificationsQueue,
    isValidQueueName,
    MAX_NOTIFICATIONS_QUEUE_CHARS,
    MAX_QUEUE_NAME_CHARS,
    MIN_QUEUE_NAME_CHARS,
    notificationQueueNames,
    POISON_QUEUE_SUFFIX,
    poisonQueueName,
    WAKEUP_QUEUE_SUFFIX,
    wakeupQueueName,
} from './queue-names.js';
export {
    redactUrls,
} from './redact.js';
export {
    type DeliveryEvent,
    formatTelemetry,
    TELEMETRY_PREFIX,
    type TelemetryEventName,
    type TelemetryProperties,
    trackDeliveryEvent,
    trackEvent,
} from './telemetry.js';
