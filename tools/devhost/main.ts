// `npm start`: runs the built functions locally until SIGINT/SIGTERM. Usage: main.js [--functions <glob>]...
import { parseArgs } from 'node:util';
import { formatBanner } from './banner.js';
import { consoleLog } from './log.js';
import { startLocalHost, type LocalHost } from './local-host.js';

/** Exit code when the host cannot start (a bad setting, a missing build, a taken port). */
const EXIT_START_FAILED = 1;

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            functions: { type: 'string', multiple: true },
            cwd: { type: 'string' },
        },
    });
    let host: LocalHost;
    try {
        host = await startLocalHost({
            ...(values.functions === undefined ? {} : { functionFiles: values.functions }),
            ...(values.cwd === undefined ? {} : { cwd: values.cwd }),
        });
    } catch (error) {
        consoleLog('error', `The local host could not start: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = EXIT_START_FAILED;
        return;
    }
    console.log(formatBanner(host));
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        consoleLog('info', `${signal} received; stopping the local host`);
        host.stop().then(
            () => {
                consoleLog('info', 'Stopped.');
                process.exit(0);
            },
            (error: unknown) => {
                consoleLog('error', `Stopping failed: ${String(error)}`);
                process.exit(1);
            },
        );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
}

await main();
