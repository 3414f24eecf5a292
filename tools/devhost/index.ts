// The local host's programmatic API: run the app's functions in-process without Azure Functions Core Tools.
export { startLocalHost, SHUTDOWN_GRACE_MS } from './local-host.js';
export type { LocalHost, LocalHostOptions, LocalFunctionInfo } from './local-host.js';
export { formatBanner } from './banner.js';
export { consoleLog } from './log.js';
export type { HostLog, HostLogLevel } from './log.js';
export type { QueueOptions, MessageEncoding } from './host-json.js';
export { nextOccurrence, parseSchedule, InvalidScheduleError } from './ncrontab.js';
export type { TimerSchedule, CronSchedule, IntervalSchedule } from './ncrontab.js';
export { startTimerListener, toTimerInput, isMonitoredSchedule, MAX_TIMER_DELAY_MS, NO_RECORDED_TIME } from './timer-listener.js';
export type { TimerListener, TimerListenerOptions, TimerInput, ScheduleStatus } from './timer-listener.js';
export { spawnAzurite, developmentConnectionString } from './azurite-process.js';
export type { AzuriteProcess, AzuritePorts } from './azurite-process.js';
