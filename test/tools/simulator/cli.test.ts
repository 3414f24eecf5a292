/** The simulator's command line: what it prints and serves with no options, and how it refuses bad ones. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorReport } from '../../../tools/simulator/index.js';
import { workflowsPathAndQuery } from '../../../tools/simulator/routes.js';
import { card, envelope, post } from './harness.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(ROOT, 'dist', 'tools', 'simulator', 'main.js');
/** The port `local.settings.json.example` points the alias `demo` at: the CLI's default. */
const EXAMPLE_PORT = 7072;
/** How long the CLI may take to print its URLs on a busy machine. */
const START_DEADLINE_MS = 20_000;

const running: ChildProcess[] = [];

afterEach(async () => {
    await Promise.all(
        running.splice(0).map(
            (child) =>
                new Promise<void>((resolve) => {
                    if (child.exitCode !== null || child.signalCode !== null) {
                        resolve();
                        return;
                    }
                    child.once('exit', () => {
                        resolve();
                    });
                    child.kill('SIGKILL');
                }),
        ),
    );
});

/** Starts the CLI and resolves with its output once it has printed `lines` lines. */
function startCli(args: readonly string[], lines: number): Promise<{ child: ChildProcess; output: string[] }> {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    return new Promise((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => {
            reject(new Error(`the simulator printed only:\n${text}`));
        }, START_DEADLINE_MS);
        child.stdout.on('data', (chunk: Buffer) => {
            text += chunk.toString('utf8');
            const output = text.split('\n').filter((line) => line !== '');
            if (output.length >= lines) {
                clearTimeout(timer);
                resolve({ child, output });
            }
        });
        child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`the simulator exited with ${String(code)}:\n${text}`));
        });
    });
}

function urlOf(line: string | undefined): string {
    return /(http:\/\/\S+)/.exec(line ?? '')?.[1] ?? '';
}

describe('the simulator command line', () => {
    it('leads with the Workflows URL of the 2026 shape, serves its statistics, and stops on SIGTERM', async () => {
        const { child, output } = await startCli(['--port', '0'], 4);
        expect(output[0]).toMatch(/^Teams simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
        expect(output[1]).toMatch(/^ {2}Workflows: +http:\/\/127\.0\.0\.1:\d+\/powerautomate\/automations\/direct\/cu\/\d+\/workflows\//);
        expect(output[2]).toMatch(/^ {2}statistics: +GET http:\/\/127\.0\.0\.1:\d+\/simulator\/stats$/);
        expect(output[3]).toMatch(/^ {2}legacy connector: +http:\/\/\S+\/webhookb2\/\S+ \(retired by Microsoft\)$/);
        expect((await post(urlOf(output[1]), envelope(card()))).status).toBe(202);
        const report = (await (await fetch(urlOf(output[2]))).json()) as SimulatorReport;
        expect(report.connections['default']).toMatchObject({ flows: ['demo'], accepted: 1, posted: 1, throttledInFlow: 0 });
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
    });

    it('serves the relay flow demo: its URL posts a card and its channel lists it', async () => {
        const { output } = await startCli(['--port', '0'], 6);
        expect(output[4]).toMatch(/^ {2}relay flow: +http:\/\/127\.0\.0\.1:\d+\/workflows\/[0-9a-f]+\/triggers\/manual\/paths\/invoke\?api-version=2016-10-01&.*sig=/);
        expect(output[5]).toMatch(/^ {2}its channel: +GET http:\/\/127\.0\.0\.1:\d+\/simulator\/relay-flows\/demo\/messages$/);
        const answer = await post(urlOf(output[4]), { ...envelope(card()), relay: { action: 'post', jobId: 'cli-1' } });
        expect(answer.status).toBe(200);
        const { messageId } = JSON.parse(answer.text) as { messageId: string };
        const channel = (await (await fetch(urlOf(output[5]))).json()) as { messages: { id: string }[] };
        expect(channel.messages.map((message) => message.id)).toEqual([messageId]);
    });

    it('maps flows to connections from --connection', async () => {
        const { output } = await startCli(['--port', '0', '--connection', 'demo=alice', '--url-shape', 'logic-apps'], 4);
        const url = urlOf(output[1]);
        expect(new URL(url).pathname).toMatch(/^\/workflows\//);
        await post(url, envelope(card()));
        const report = (await (await fetch(urlOf(output[2]))).json()) as SimulatorReport;
        expect(Object.keys(report.connections)).toEqual(['alice']);
    });

    it.each([
        [['--port', 'x'], /--port expects a number/],
        [['--connection', 'demo'], /--connection expects <webhook name or flow id>=<connection>/],
        [['--connection', '=alice'], /--connection expects/],
        [['--url-shape', 'v2'], /--url-shape expects power-platform-cu, power-platform, logic-apps/],
        [['--default-connection', ' '], /defaultConnection/],
        [['--bogus'], /Unknown option/],
    ])('refuses %j with exit code 2 and the usage', (args, message) => {
        const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toContain('Usage: node dist/tools/simulator/main.js');
    });

    it('is where local.settings.json.example points the alias demo: its Workflows URL on port 7072', async () => {
        const example = JSON.parse(await readFile(join(ROOT, 'local.settings.json.example'), 'utf8')) as { Values: Record<string, string> };
        expect(example.Values['TEAMS_WEBHOOK_DEMO']).toBe(`http://127.0.0.1:${EXAMPLE_PORT}${workflowsPathAndQuery('demo')}`);
    });
});
