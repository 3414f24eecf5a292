/** Cold start: a fresh Node process importing each built function module, against `node -e 0` and against `@azure/functions` alone. */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appEnvironment, appSnapshot } from './processes.js';
import { median, result, round, type BenchResult } from './results.js';

/** Fresh processes per variant; the median is reported. */
const RUNS = 15;
/** A child that takes longer than this has hung: it is killed and the run fails. */
const CHILD_TIMEOUT_MS = 20_000;
/** Target: the mention module adds under 150 ms to a cold start over importing `@azure/functions` alone. */
const MAX_MENTION_OVERHEAD_MS = 150;

/** One way of starting a process. */
interface Variant {
    readonly label: string;
    readonly args: readonly string[];
}

/** Wall time of one fresh `node <args>` from spawn to exit, in ms. */
function timeProcess(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let errors = '';
        child.stderr.on('data', (chunk: Buffer) => {
            errors += chunk.toString('utf8');
        });
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
        }, CHILD_TIMEOUT_MS);
        child.once('exit', (code) => {
            clearTimeout(timer);
            const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
            if (code === 0) resolve(elapsed);
            else reject(new Error(`node ${args.join(' ')} exited with ${String(code)}: ${errors}`));
        });
    });
}

/** Runs the cold-start benchmark. */
export async function runColdStartBench(log: (line: string) => void): Promise<BenchResult[]> {
    const app = await appSnapshot();
    const standIn = pathToFileURL(join(app, 'dist', 'tools', 'bench', 'functions-core-stand-in.js')).href;
    const functionsFolder = join(app, 'dist', 'functions');
    const files = (await readdir(functionsFolder)).filter((file) => file.endsWith('.js')).sort();
    // Each child imports its module, then exits at once: timers a module may start must not count.
    const importing = (specifier: string): string[] => ['--import', standIn, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)}); process.exit(0);`];
    const variants: Variant[] = [
        { label: 'node -e 0', args: ['-e', '0'] },
        { label: '@azure/functions', args: importing('@azure/functions') },
        ...files.map((file) => ({ label: file.replace(/\.js$/, ''), args: importing(pathToFileURL(join(functionsFolder, file)).href) })),
    ];
    // Function modules read their settings lazily; give them a valid set anyway, as the host would.
    const env = appEnvironment({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', TEAMS_OUTGOING_WEBHOOK_SECRETS: `bench:${Buffer.alloc(32, 1).toString('base64')}` });

    const samples = new Map<string, number[]>(variants.map((variant) => [variant.label, []]));
    // Round robin, so a slow phase of the machine hits every variant alike.
    for (let run = 0; run < RUNS; run++) {
        for (const variant of variants) {
            samples.get(variant.label)?.push(await timeProcess(variant.args, app, env));
        }
    }
    const medianOf = (label: string): number => round(median(samples.get(label) ?? []), 1);
    const bareNode = medianOf('node -e 0');
    const library = medianOf('@azure/functions');
    log(`  median of ${RUNS} fresh processes: node -e 0 ${bareNode} ms, @azure/functions ${library} ms`);
    const results: BenchResult[] = [
        result({ name: 'cold-start.azure-functions', value: library, unit: 'ms', baseline: 'node -e 0', baselineValue: bareNode }),
    ];
    for (const file of files) {
        const label = file.replace(/\.js$/, '');
        const value = medianOf(label);
        const added = round(value - library, 1);
        log(`  ${label}: ${value} ms (+${added} ms over @azure/functions, +${round(value - bareNode, 1)} ms over node -e 0)`);
        results.push(
            result({
                name: `cold-start.${label}`,
                value,
                unit: 'ms',
                baseline: '@azure/functions alone',
                baselineValue: library,
                ...(label === 'mention' ? { target: `+ < ${MAX_MENTION_OVERHEAD_MS} ms`, met: added < MAX_MENTION_OVERHEAD_MS } : {}),
            }),
        );
    }
    return results;
}
