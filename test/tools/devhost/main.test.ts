// End to end: `node dist/tools/devhost/main.js` (the npm start path) as a child process, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortListening } from '../../../tools/devhost/storage.js';
import { startAzurite, type TestAzurite } from '../../support/azurite.js';
import { FIXTURE_APP, eventually, freePort } from './fixture-app.js';

const DEVHOST_MAIN = join(import.meta.dirname, '..', '..', '..', 'dist', 'tools', 'devhost', 'main.js');

interface RunningMain {
    child: ChildProcess;
    output: () => string;
    exited: Promise<number | null>;
}

const started: { main?: RunningMain; azurite?: TestAzurite }[] = [];

afterEach(async () => {
    for (const resources of started.splice(0)) {
        if (resources.main && resources.main.child.exitCode === null) {
            resources.main.child.kill('SIGKILL');
            await resources.main.exited;
        }
        await resources.azurite?.stop();
    }
});

function runMain(env: Record<string, string>, unset: readonly string[] = []): RunningMain {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, RECORD_QUEUE: 'recorded', FAIL_QUEUE: 'failing', ...env };
    for (const key of unset) Reflect.deleteProperty(childEnv, key);
    const child = spawn(process.execPath, [DEVHOST_MAIN, '--cwd', FIXTURE_APP], {
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
    return { child, output: () => output, exited };
}

async function waitForHealth(port: number, main: RunningMain): Promise<void> {
    await eventually(
        `GET /api/health on port ${port}`,
        async () => {
            if (main.child.exitCode !== null) throw new Error(`main.js exited early:\n${main.output()}`);
            const response = await fetch(`http://127.0.0.1:${port}/api/health`);
            return response.status === 200 ? true : undefined;
        },
        30_000,
    );
}

function processExists(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe('npm start (node dist/tools/devhost/main.js)', () => {
    it('becomes healthy with the configured storage, prints the banner, and exits 0 on SIGTERM', async () => {
        const azurite = await startAzurite();
        const port = await freePort();
        const main = runMain({ PORT: String(port), AzureWebJobsStorage: azurite.connectionString });
        started.push({ main, azurite });

        await waitForHealth(port, main);
        await eventually('the banner', () => Promise.resolve(main.output().includes('Try a mention') ? true : undefined));
        const output = main.output();
        expect(output).toContain(`http://127.0.0.1:${port}/api/health`);
        expect(output).toContain(`npx teams-relay sign --token <token> --text ping --send http://127.0.0.1:${port}/api/mention`);
        expect(output).not.toContain('beyond this machine');
        expect(output).toContain(`Storage: AzureWebJobsStorage: http://127.0.0.1:${azurite.queuePort}/devstoreaccount1`);
        expect(output).not.toContain('AccountKey');

        main.child.kill('SIGTERM');
        expect(await main.exited).toBe(0);
        expect(await isPortListening(port)).toBe(false);
    });

    it('fails to start with exit code 1 naming HOST when it is not an address to listen on', async () => {
        const main = runMain({ PORT: '0', AzureWebJobsStorage: 'UseDevelopmentStorage=true', HOST: 'http://0.0.0.0:80/' });
        started.push({ main });
        expect(await main.exited).toBe(1);
        expect(main.output()).toMatch(/HOST must be an IP address or a host name to listen on/);
    });

    it('fails to start with exit code 1 and names the missing setting', async () => {
        const main = runMain({ PORT: '0', AzureWebJobsStorage: 'UseDevelopmentStorage=true' }, ['RECORD_QUEUE']);
        started.push({ main });
        expect(await main.exited).toBe(1);
        expect(main.output()).toMatch(/Queue function "record": App setting "RECORD_QUEUE" \(used as %RECORD_QUEUE%\) is not defined/);
    });

    it('starts and stops an embedded Azurite when the emulator ports are free', async () => {
        const busy = await Promise.all([10000, 10001, 10002].map((emulatorPort) => isPortListening(emulatorPort)));
        expect(busy, 'this test needs the emulator ports 10000-10002 free: stop the Azurite that uses them').toEqual([false, false, false]);
        const port = await freePort();
        const main = runMain({ PORT: String(port), AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
        started.push({ main });
        await waitForHealth(port, main);
        const pid = Number(/Azurite \(in memory, pid (\d+)\)/.exec(main.output())?.[1]);
        expect(pid).toBeGreaterThan(0);
        expect(processExists(pid)).toBe(true);

        main.child.kill('SIGTERM');
        expect(await main.exited).toBe(0);
        expect(processExists(pid)).toBe(false);
        expect(await isPortListening(10001)).toBe(false);
    });
});
