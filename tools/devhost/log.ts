// The local host's log sink: one line per event, to the console unless the caller supplies its own.
import { format } from 'node:util';

/** Severity of a local host log line. */
export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Receives every log line of the local host and of the functions it runs. */
export type HostLog = (level: HostLogLevel, message: string) => void;

/** Flush what is buffered once it holds this much, without waiting for the next turn of the event loop. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Lines waiting for the next turn of the event loop. Writes to a pipe or a file are synchronous in
 * Node on Linux, so writing three lines per request one by one costs a busy host a fifth of its time;
 * one write per turn keeps the order and costs one system call.
 */
const pending = { out: [] as string[], err: [] as string[], bytes: 0, scheduled: false };

function flushConsole(): void {
    pending.scheduled = false;
    pending.bytes = 0;
    if (pending.out.length > 0) process.stdout.write(pending.out.join(''));
    if (pending.err.length > 0) process.stderr.write(pending.err.join(''));
    pending.out = [];
    pending.err = [];
}

process.on('exit', flushConsole);

/** Writes to stdout/stderr with an ISO timestamp, as `func start` does; debug lines only with `DEVHOST_DEBUG=1`. */
export const consoleLog: HostLog = function consoleLog(level, message) {
    if (level === 'debug' && process.env['DEVHOST_DEBUG'] !== '1') return;
    const line = `[${new Date().toISOString()}] ${message}\n`;
    (level === 'error' || level === 'warn' ? pending.err : pending.out).push(line);
    pending.bytes += line.length;
    if (pending.bytes >= FLUSH_BYTES) {
        flushConsole();
    } else if (!pending.scheduled) {
        pending.scheduled = true;
        setImmediate(flushConsole);
    }
};

/** Maps the library's log levels (`LogLevel` of "@azure/functions") onto the host's. */
export function toHostLogLevel(level: string): HostLogLevel {
    switch (level) {
        case 'trace':
        case 'debug':
            return 'debug';
        case 'warning':
            return 'warn';
        case 'error':
        case 'critical':
            return 'error';
        default:
            return 'info';
    }
}

/** Formats log arguments as the worker does (util.format). */
export function formatLogArguments(args: readonly unknown[]): string {
    return format(...args);
}
