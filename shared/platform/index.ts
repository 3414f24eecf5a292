// Public surface of shared/platform/: configuration, errors, storage, identity, HTTP, telemetry and redaction. Other parts of the app import shared/platform/ only through this file, azure.ts, which holds what loads the Azure Storage SDKs (kept apart so the mention function starts without them), and config.ts, the configuration's machinery and the host's sections, which each area's settings.ts builds on (shared/config.ts composes them).
export {
    findAppRoot,
} from './app-folder.js';
export {
    ClientError,
    ConfigurationError,
    ensureErrorType,
    isClientError,
    nonNull,
    PermanentError,
    SystemError,
    TeamsRelayError,
} from './errors.js';
export {
    MAX_REQUEST_BODY_BYTES,
    readBodyWithin,
    readStreamWithin,
    toErrorResponse,
} from './http.js';
export {
    findExcessiveNesting,
    formatJsonPath,
    MAX_JSON_DEPTH,
    nestingProblem,
} from './json-depth.js';
export {
    invocationTelemetryHooks,
} from './invocation-telemetry.js';
export {
    readLocalSettings,
} from './local-settings.js';
export {
    POISON_QUEUE_SUFFIX,
    wakeupQueueName,
} from './queue-names.js';
export {
    redactUrls,
} from './redact.js';
export {
    type DeliveryEvent,
    trackDeliveryEvent,
    trackEvent,
} from './telemetry.js';
