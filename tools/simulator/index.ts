/** The local Teams incoming-webhook simulator: every public export, listed explicitly. */
export { startTeamsSimulator } from './server.js';
export type { RelayFlowUrlOptions, TeamsSimulator, TeamsSimulatorOptions, ThrottleWordingOption, WorkflowsUrlOptions } from './server.js';
export { ALL_WEBHOOKS, DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS, FAULT_KINDS, createSeededRandom } from './faults.js';
export type { FaultKind, FaultSpec, RetryAfterSpec } from './faults.js';
export {
    CONNECTION_CALLS_LIMIT,
    DEFAULT_CONNECTION,
    FLOW_BOT_POSTS_LIMIT,
    PER_2_HOURS_LIMIT,
    PER_30_SECONDS_LIMIT,
    PER_DAY_LIMIT,
    PER_HOUR_LIMIT,
    PER_SECOND_LIMIT,
    TEAMS_CONNECTION_LIMITS,
    TEAMS_MAX_MESSAGE_BYTES,
    TEAMS_WEBHOOK_LIMITS,
} from './limits.js';
export type { WindowLimit } from './limits.js';
export { OUTCOMES, REPORT_VERSION } from './records.js';
export type { ConnectionStats, Dialect, FlowPost, Outcome, OutcomeStats, ReceivedRequest, SimulatorReport, WebhookReport } from './records.js';
export {
    RELAY_ACTIONS,
    RELAY_ACTION_SPECS,
    RELAY_ERROR_CODES,
    RELAY_FIELD,
    RELAY_MESSAGE_ID_FIELD,
    RELAY_STRING_FIELDS,
    missingIdMessage,
    teamsFailureMessage,
    unknownActionMessage,
} from './relay-contract.js';
export type { RelayAction, RelayActionSpec, RelayIdField } from './relay-contract.js';
export type { RelayCardVersion, RelayChannelView, RelayMessage, RelayRecord } from './relay.js';
export {
    CONNECTION_QUERY_PARAMETER,
    DEFAULT_WORKFLOWS_URL_SHAPE,
    RELAY_MESSAGES_PREFIX,
    STATS_PATH,
    WORKFLOWS_URL_SHAPES,
} from './routes.js';
export type { WorkflowsUrlShape } from './routes.js';
export { findSlidingWindowViolations } from './windows.js';
export type { SlidingWindowViolation } from './windows.js';
export {
    CONNECTOR_BAD_PAYLOAD_BODY,
    CONNECTOR_DELIVERED_BODY,
    CONNECTOR_SUMMARY_REQUIRED_BODY,
    CONNECTOR_WRAPPER_PREFIX,
    WORKFLOWS_SCHEMA_MISMATCH_CODE,
    WORKFLOWS_THROTTLED_CODE,
} from './answers.js';
export type { RetryAfterFormat, ThrottleWording } from './answers.js';
export { WORKFLOWS_CARD_NOT_DISPLAYED } from './payloads.js';
