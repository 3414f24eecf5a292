/** The local Teams incoming-webhook simulator: every public export, listed explicitly. */
export { startTeamsSimulator } from './server.js';
export type { TeamsSimulator, TeamsSimulatorOptions, ThrottleWordingOption } from './server.js';
export { ALL_WEBHOOKS, FAULT_KINDS, createSeededRandom } from './faults.js';
export type { FaultKind, FaultSpec } from './faults.js';
export {
    PER_2_HOURS_LIMIT,
    PER_30_SECONDS_LIMIT,
    PER_DAY_LIMIT,
    PER_HOUR_LIMIT,
    PER_SECOND_LIMIT,
    TEAMS_MAX_MESSAGE_BYTES,
    TEAMS_WEBHOOK_LIMITS,
} from './limits.js';
export type { WindowLimit } from './limits.js';
export { OUTCOMES } from './records.js';
export type { Dialect, Outcome, OutcomeStats, ReceivedRequest } from './records.js';
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
export type { ThrottleWording } from './answers.js';
