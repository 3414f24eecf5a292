// Shared bits of the local host's end-to-end tests: the fixture app, polling with a deadline, free ports.
import { join } from 'node:path';
import type { HostLog, HostLogLevel } from '../../../tools/devhost/index.js';

export { freePort } from '../../../tools/bench/processes.js';
export { eventually } from '../../support/eventually.js';

/** The fixture project: package.json `main` = functions/*.js, host.json with fast queue settings. */
export const FIXTURE_APP = join(import.meta.dirname, 'fixtures', 'app');

/** maxDequeueCount in the fixture host.json. */
export const FIXTURE_MAX_DEQUEUE_COUNT = 3;

/** A log sink that keeps every line for assertions. */
export function recordingLog(): { log: HostLog; lines: { level: HostLogLevel; message: string }[] } {
    const lines: { level: HostLogLevel; message: string }[] = [];
    return { lines, log: (level, message) => lines.push({ level, message }) };
}
