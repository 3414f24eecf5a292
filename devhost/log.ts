// The local host's log sink: one line per event, to the console unless the caller supplies its own.
import { format } from 'node:util';

/** Severity of a local host log line. */
export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Receives every log line of the local host and of the functions it runs. */
export type HostLog = (level: HostLogLevel, message: string) => void;

/** Writes to stdout/stderr with an ISO timestamp, as `func start` does; debug lines only with `DEVHOST_DEBUG=1`. */
export const consoleLog: HostLog = function consoleLog(level, message) {
    if (level === 'debug' && process.env['DEVHOST_DEBUG'] !== '1') return;
    const line = `[${new Date().toISOString()}] ${message}`;
    if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
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
