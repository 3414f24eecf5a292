// The local host's programmatic API: run the app's functions in-process without Azure Functions Core Tools.
export { startLocalHost } from './local-host.js';
export type { LocalHost } from './local-host.js';
export { formatBanner } from './banner.js';
export type { HostLog, HostLogLevel } from './log.js';
export { developmentConnectionString } from './azurite-process.js';
