/** Command line entry: runs the Teams simulator until SIGINT/SIGTERM, logging one line per request. */
import { parseArgs } from 'node:util';
import type { ReceivedRequest } from './records.js';
import { startTeamsSimulator, type TeamsSimulatorOptions } from './server.js';

/** Default port of the CLI, next to the Functions host's 7071. */
const DEFAULT_CLI_PORT = 7072;
/** Webhook name of the example URLs printed at start. */
const EXAMPLE_WEBHOOK = 'demo';
const USAGE = `Usage: node dist/simulator/main.js [--port ${DEFAULT_CLI_PORT}] [--offsets ms[,ms...]] [--block-after-throttle ms] [--throttle-wording plain|applicationThrottled|alternate] [--seed n]`;

function parseNumber(flag: string, text: string): number {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new RangeError(`--${flag} expects a number, got "${text}"`);
    return value;
}

function parseWording(text: string): NonNullable<TeamsSimulatorOptions['throttleWording']> {
    if (text === 'plain' || text === 'applicationThrottled' || text === 'alternate') return text;
    throw new RangeError(`--throttle-wording expects plain, applicationThrottled or alternate, got "${text}"`);
}

function describe(record: ReceivedRequest): string {
    const rendered = record.rendered === false ? ' not-rendered' : '';
    const detail = record.fault ?? record.reason;
    const suffix = detail === undefined ? '' : ` (${detail})`;
    const bytes = Buffer.byteLength(record.bodyText);
    return `${new Date().toISOString()} ${record.dialect} ${record.webhook} ${bytes}B → ${record.status} ${record.outcome}${rendered}${suffix}`;
}

function readOptions(argv: readonly string[]): TeamsSimulatorOptions {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            port: { type: 'string' },
            offsets: { type: 'string' },
            'block-after-throttle': { type: 'string' },
            'throttle-wording': { type: 'string' },
            seed: { type: 'string' },
        },
        strict: true,
    });
    const offsets = values.offsets?.split(',').map((part) => parseNumber('offsets', part));
    return {
        port: values.port === undefined ? DEFAULT_CLI_PORT : parseNumber('port', values.port),
        ...(offsets === undefined ? {} : { windowOffsetsMs: offsets }),
        ...(values['block-after-throttle'] === undefined ? {} : { blockAfterThrottleMs: parseNumber('block-after-throttle', values['block-after-throttle']) }),
        ...(values['throttle-wording'] === undefined ? {} : { throttleWording: parseWording(values['throttle-wording']) }),
        ...(values.seed === undefined ? {} : { seed: parseNumber('seed', values.seed) }),
        onRequest: (record) => {
            console.log(describe(record));
        },
    };
}

let options: TeamsSimulatorOptions;
try {
    options = readOptions(process.argv.slice(2));
} catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    process.exit(2);
}

const simulator = await startTeamsSimulator(options);
console.log(`Teams simulator listening on ${simulator.baseUrl}`);
console.log(`  legacy connector: ${simulator.connectorUrl(EXAMPLE_WEBHOOK)}`);
console.log(`  Workflows:        ${simulator.workflowsUrl(EXAMPLE_WEBHOOK)}`);

function shutDown(signal: NodeJS.Signals): void {
    console.log(`${signal}: stopping the Teams simulator`);
    simulator.stop().catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    });
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
