/**
 * Vitest setup file: a watchdog thread in each test file's process.
 *
 * Vitest's test and hook timeouts are timers on the test process's own event loop, so a test that
 * blocks that loop (an endless synchronous loop, a synchronous child process that never ends) can
 * never time out, and the whole run waits for ever. When the loop has not turned for
 * {@link BLOCKED_LIMIT_MS}, the watchdog prints where the main thread is stuck (its JavaScript stack,
 * paused through the inspector, or else the child processes it waits on) and kills the process and
 * those children: the file fails with that report, and the run goes on to its end.
 */
import { Worker } from 'node:worker_threads';

/** No test blocks its event loop for anything like this long: the longest synchronous steps take seconds. */
const BLOCKED_LIMIT_MS = 120_000;
/** How often the main thread says it is alive, and the watchdog looks. */
const BEAT_MS = 1_000;
/** How long the watchdog waits for the main thread to pause in JavaScript before it reports a synchronous call instead. */
const PAUSE_WAIT_MS = 5_000;
/** How long promises are traced before the pause, so a chain of them shows the functions awaiting in it. */
const ASYNC_TRACE_MS = 500;
/** How many times the watchdog pauses the main thread looking for a stack with code of the app's or the tests' in it. */
const MAX_PAUSES = 20;

/** The watchdog thread (CommonJS, evaluated): reads the heartbeat, and reports and kills on a stall. */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { readdirSync, readFileSync, writeSync } = require('node:fs');
const { Session } = require('node:inspector');
const { heartbeat, blockedLimitMs, beatMs, pauseWaitMs, asyncTraceMs, maxPauses } = workerData;

function childProcesses() {
    const found = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync('/proc/' + entry + '/stat', 'utf8');
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            if (ppid !== process.pid) continue;
            const command = readFileSync('/proc/' + entry + '/cmdline', 'utf8').split('\\0').join(' ').trim();
            found.push({ pid: Number(entry), command: command.slice(0, 300) });
        } catch {
            // the process ended while it was read
        }
    }
    return found;
}

function report(stalledMs) {
    const lines = ['watchdog: the event loop of test process ' + process.pid + ' has not turned for ' + Math.round(stalledMs / 1000) + ' s, so its tests can no longer time out; it is killed.'];
    let finished = false;
    const finish = (where) => {
        if (finished) return;
        finished = true;
        lines.push(...where);
        const children = process.platform === 'linux' ? childProcesses() : [];
        if (children.length > 0) lines.push('its child processes, killed with it:', ...children.map((child) => '  pid ' + child.pid + ': ' + child.command));
        writeSync(2, lines.join('\\n') + '\\n');
        for (const child of children) {
            try {
                process.kill(child.pid, 'SIGKILL');
            } catch {
                // it ended meanwhile
            }
        }
        process.kill(process.pid, 'SIGKILL');
    };
    const session = new Session();
    session.connectToMainThread();
    const scripts = new Map();
    session.on('Debugger.scriptParsed', ({ params }) => scripts.set(params.scriptId, params.url));
    const where = (frame) => '  ' + (frame.functionName || '(anonymous)') + ' ' + (frame.url || scripts.get(frame.scriptId ?? frame.location.scriptId) || '?') + ':' +
        ((frame.lineNumber ?? frame.location.lineNumber) + 1) + ':' + ((frame.columnNumber ?? frame.location.columnNumber) + 1);
    let pauses = 0;
    session.on('Debugger.paused', ({ params }) => {
        // Between two promise jobs the stack is only Node's task queue: the awaiting functions are in the async trace.
        const frames = [...params.callFrames];
        for (let parent = params.asyncStackTrace; parent !== undefined && frames.length < 40; parent = parent.parent) {
            frames.push(...parent.callFrames);
        }
        pauses += 1;
        if (frames.every((frame) => (frame.url || scripts.get(frame.scriptId ?? frame.location.scriptId) || '').startsWith('node:')) && pauses < maxPauses) {
            // Caught inside Node's own promise machinery: look again a moment later.
            session.post('Debugger.resume', () => setTimeout(() => session.post('Debugger.pause'), 50));
            return;
        }
        finish(['the main thread is stuck in JavaScript at:', ...frames.slice(0, 40).map(where)]);
    });
    // Async traces are recorded only for promises made once they are on: let a chain of them run a little first.
    session.post('Debugger.enable', () => session.post('Debugger.setAsyncCallStackDepth', { maxDepth: 32 }, () => setTimeout(() => session.post('Debugger.pause'), asyncTraceMs)));
    setTimeout(() => finish(['the main thread is not running JavaScript: it waits in a synchronous call']), asyncTraceMs + pauseWaitMs);
}

let lastBeat = Atomics.load(heartbeat, 0);
let lastBeatAt = Date.now();
function check() {
    const beat = Atomics.load(heartbeat, 0);
    if (beat !== lastBeat) {
        lastBeat = beat;
        lastBeatAt = Date.now();
    }
    const stalledMs = Date.now() - lastBeatAt;
    if (stalledMs >= blockedLimitMs) report(stalledMs);
    else setTimeout(check, beatMs);
}
setTimeout(check, beatMs);
`;

// A count, not a time: tests may fake the main thread's clock (vi.useFakeTimers), never the watchdog's.
const heartbeat = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
setInterval(() => Atomics.add(heartbeat, 0, 1), BEAT_MS).unref();
new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { heartbeat, blockedLimitMs: Number(process.env['TEST_WATCHDOG_MS'] ?? BLOCKED_LIMIT_MS), beatMs: BEAT_MS, pauseWaitMs: PAUSE_WAIT_MS, asyncTraceMs: ASYNC_TRACE_MS, maxPauses: MAX_PAUSES },
}).unref();
