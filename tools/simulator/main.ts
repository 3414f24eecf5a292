/** Command line entry: runs the Teams simulator until SIGINT/SIGTERM, logging one line per request. */
import { parseArgs } from 'node:util';
import type { ReceivedRequest } from './records.js';
import { WORKFLOWS_URL_SHAPES, type WorkflowsUrlShape } from './routes.js';
import { startTeamsSimulator, type TeamsSimulatorOptions } from './server.js';

/** Default port of the CLI, next to the Functions host's 7071. */
const DEFAULT_CLI_PORT = 7072;
/** Webhook name of the example URLs printed at start. */
const EXAMPLE_WEBHOOK = 'demo';
const USAGE = `Usage: node dist/tools/simulator/main.js [--port ${DEFAULT_CLI_PORT}] [--url-shape ${WORKFLOWS_URL_SHAPES.join('|')}]
       [--connection <webhook name or flow id>=<connection>]... [--default-connection <connection>]
       [--offsets ms[,ms...]] [--block-after-throttle ms] [--throttle-wording plain|applicationThrottled|alternate] [--seed n]`;

function parseNumber(flag: string, text: string): number {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new RangeError(`--${flag} expects a number, got "${text}"`);
    return value;
}

function parseWording(text: string): NonNullable<TeamsSimulatorOptions['throttleWording']> {
    if (text === 'plain' || text === 'applicationThrottled' || text === 'alternate') return text;
    throw new RangeError(`--throttle-wording expects plain, applicationThrottled or alternate, got "${text}"`);
}

function parseShape(text: string): WorkflowsUrlShape {
    const shape = WORKFLOWS_URL_SHAPES.find((candidate) => candidate === text);
    if (shape === undefined) throw new RangeError(`--url-shape expects ${WORKFLOWS_URL_SHAPES.join(', ')}, got "${text}"`);
    return shape;
}

function parseConnections(pairs: readonly string[]): Record<string, string> {
    const connections: Record<string, string> = {};
    for (const pair of pairs) {
        const separator = pair.indexOf('=');
        const flow = pair.slice(0, separator).trim();
        const connection = pair.slice(separator + 1).trim();
        if (separator < 0 || flow === '' || connection === '') {
            throw new RangeError(`--connection expects <webhook name or flow id>=<connection>, got "${pair}"`);
        }
        connections[flow] = connection;
    }
    return connections;
}

function describe(record: ReceivedRequest): string {
    const flow = record.connection === undefined ? '' : ` [connection ${record.connection}]`;
    const post = record.flowPost === 'throttled' ? (record.dialect === 'relay' ? ' THROTTLED-BY-THE-CONNECTOR' : ' THROTTLED-INSIDE-THE-FLOW') : '';
    const relay = record.relay === undefined ? '' : ` ${record.relay.action ?? '?'}${record.relay.messageId === undefined ? '' : ` ${record.relay.messageId}`}`;
    const rendered = record.flowPost !== 'throttled' && record.rendered === false ? ' not-rendered' : '';
    const detail = record.fault ?? record.reason;
    const suffix = detail === undefined ? '' : ` (${detail})`;
    const bytes = Buffer.byteLength(record.bodyText);
    return `${new Date().toISOString()} ${record.dialect} ${record.webhook}${flow}${relay} ${bytes}B → ${record.status} ${record.outcome}${post}${rendered}${suffix}`;
}

function readOptions(argv: readonly string[]): TeamsSimulatorOptions {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            port: { type: 'string' },
            'url-shape': { type: 'string' },
            connection: { type: 'string', multiple: true },
            'default-connection': { type: 'string' },
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
        ...(values['url-shape'] === undefined ? {} : { workflowsUrlShape: parseShape(values['url-shape']) }),
        ...(values.connection === undefined ? {} : { connections: parseConnections(values.connection) }),
        ...(values['default-connection'] === undefined ? {} : { defaultConnection: values['default-connection'] }),
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

let simulator: Awaited<ReturnType<typeof startTeamsSimulator>>;
try {
    simulator = await startTeamsSimulator(options);
} catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    process.exit(2);
}
console.log(`Teams simulator listening on ${simulator.baseUrl}`);
console.log(`  Workflows:        ${simulator.workflowsUrl(EXAMPLE_WEBHOOK)}`);
console.log(`  statistics:       GET ${simulator.statsUrl}`);
console.log(`  legacy connector: ${simulator.connectorUrl(EXAMPLE_WEBHOOK)} (retired by Microsoft)`);
console.log(`  relay flow:       ${simulator.relayFlowUrl(EXAMPLE_WEBHOOK)}`);
console.log(`  its channel:      GET ${simulator.relayMessagesUrl(EXAMPLE_WEBHOOK)}`);

function shutDown(signal: NodeJS.Signals): void {
    console.log(`${signal}: stopping the Teams simulator`);
    simulator.stop().catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    });
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
