/** `npm run bench [-- <name>...]`: runs every benchmark (or the named ones) in turn, prints the table and writes `bench-results.json`. */
import { runColdStartBench } from './cold-start.js';
import { runDeliveryBench } from './delivery.js';
import { runDigestBench } from './digest.js';
import { runLimiterBench } from './limiter.js';
import { runMentionBench } from './mention.js';
import { stopEverything } from './processes.js';
import { formatTable, RESULTS_FILE, saveResults, type BenchResult } from './results.js';

/** A benchmark: its name (the prefix of its figures), its real-time bound and how to run it. */
interface Benchmark {
    readonly name: string;
    /** Past this, the benchmark has hung: the run stops with a failure (its own cleanup still runs). */
    readonly timeoutMs: number;
    readonly run: (log: (line: string) => void) => Promise<BenchResult[]>;
}

/** Every benchmark, in the order they run; the whole suite stays within about six minutes. */
const BENCHMARKS: readonly Benchmark[] = [
    { name: 'limiter', timeoutMs: 60_000, run: runLimiterBench },
    { name: 'cold-start', timeoutMs: 90_000, run: runColdStartBench },
    { name: 'mention', timeoutMs: 120_000, run: runMentionBench },
    { name: 'delivery', timeoutMs: 150_000, run: runDeliveryBench },
    { name: 'digest', timeoutMs: 120_000, run: runDigestBench },
];

function log(line: string): void {
    console.log(line);
}

/** Rejects after `ms`; the timer does not keep the process alive. */
function deadline(name: string, ms: number): Promise<never> {
    return new Promise((_, reject) => {
        setTimeout(() => {
            reject(new Error(`${name} did not finish within ${ms / 1000} s`));
        }, ms).unref();
    });
}

async function main(): Promise<void> {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
            log(`${signal}: stopping everything the benchmarks started`);
            void stopEverything().finally(() => process.exit(1));
        });
    }
    const wanted = process.argv.slice(2);
    const unknown = wanted.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
    if (unknown.length > 0) {
        throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((bench) => bench.name).join(', ')}`);
    }
    const selected = wanted.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => wanted.includes(bench.name));
    const results: BenchResult[] = [];
    const failed: string[] = [];
    for (const bench of selected) {
        const started = performance.now();
        log(`\n## ${bench.name}`);
        try {
            // The deadline's timer is set before the benchmark starts: a benchmark may simulate time in this process.
            const timeout = deadline(bench.name, bench.timeoutMs);
            results.push(...(await Promise.race([bench.run(log), timeout])));
        } catch (error) {
            failed.push(bench.name);
            await stopEverything();
            log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
        log(`  (${Math.round((performance.now() - started) / 1000)} s)`);
    }
    log(`\n${formatTable(results)}\n`);
    await saveResults(
        selected.map((bench) => bench.name).filter((name) => !failed.includes(name)),
        results,
    );
    log(`Results written to ${RESULTS_FILE}`);
    const missed = results.filter((entry) => entry.met === false).map((entry) => entry.name);
    if (missed.length > 0) log(`Targets not met: ${missed.join(', ')}`);
    if (failed.length > 0) {
        log(`Benchmarks that failed: ${failed.join(', ')}`);
        process.exitCode = 1;
    }
}

await main();
// A benchmark that timed out may leave sockets or timers behind; its processes were stopped by its cleanup.
process.exit();
