// "@azure/functions-core" for the local host: the core API it published (registry.ts, CORE_API_KEY), or a failed load.
/* global module */
'use strict';

// Inside Azure the Node worker answers this module name itself; outside a host "@azure/functions"
// finds no such module and runs in test mode. Here `npm start` publishes its API before the library
// first asks; anywhere else this module fails to load, so the library keeps to its test mode.
const api = globalThis[Symbol.for('teams-relay.devhost.functions-core.api')];
if (api === undefined) {
    throw new Error('"@azure/functions-core" exists only inside the Azure Functions host and the local host (npm start)');
}
module.exports = api;
