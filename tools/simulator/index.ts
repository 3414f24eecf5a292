/** The local Teams incoming-webhook simulator: every public export, listed explicitly, one line per module. */
export { startTeamsSimulator, type TeamsSimulator, type TeamsSimulatorOptions } from './server.js';
export { DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS, createSeededRandom, type FaultKind, type FaultSpec } from './faults.js';
export { CONNECTION_CALLS_LIMIT, FLOW_BOT_POSTS_LIMIT, PER_SECOND_LIMIT, TEAMS_MAX_MESSAGE_BYTES, type WindowLimit } from './limits.js';
export { REPORT_VERSION, type ReceivedRequest, type SimulatorReport } from './records.js';
export { RELAY_ACTIONS, RELAY_ACTION_SPECS, RELAY_ERROR_CODES, teamsFailureMessage, type RelayAction } from './relay-contract.js';
export type { RelayChannelView, RelayMessage } from './relay.js';
export { WORKFLOWS_URL_SHAPES } from './routes.js';
export { findSlidingWindowViolations } from './windows.js';
export {
    CONNECTOR_BAD_PAYLOAD_BODY,
    CONNECTOR_SUMMARY_REQUIRED_BODY,
    CONNECTOR_WRAPPER_PREFIX,
    WORKFLOWS_SCHEMA_MISMATCH_CODE,
    WORKFLOWS_THROTTLED_CODE,
} from './answers.js';
export { WORKFLOWS_CARD_NOT_DISPLAYED } from './payloads.js';
