// Shared bits of the local host's end-to-end tests: the fixture app, polling with a deadline, free ports.
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { HostLog, HostLogLevel } from '../../../tools/devhost/index.js';

/** The fixture project: package.json `main` = functions/*.js, host.json with fast queue settings. */
export const FIXTURE_APP = join(import.meta.dirname, 'fixtures', 'app');

/** maxDequeueCount in the fixture host.json. */
export const FIXTURE_MAX_DEQUEUE_COUNT = 3;

/**
 * Calls `probe` until it returns a value other than `undefined`, or fails after `timeoutMs` naming `what`.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port assigned');
    return address.port;
}

/** A log sink that keeps every line for assertions. */
export function recordingLog(): { log: HostLog; lines: { level: HostLogLevel; message: string }[] } {
    const lines: { level: HostLogLevel; message: string }[] = [];
    return { lines, log: (level, message) => lines.push({ level, message }) };
}
