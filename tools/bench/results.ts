/** Benchmark results: the shape written to `bench-results.json`, the printed table and the median. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where every run writes its results, at the repository root (gitignored). */
export const RESULTS_FILE = join(import.meta.dirname, '..', '..', '..', 'bench-results.json');

/** One figure, measured against its baseline in the same run. */
export interface BenchResult {
    /** Stable id, `<benchmark>.<figure>`. */
    readonly name: string;
    readonly value: number;
    readonly unit: string;
    /** What the figure is compared with. */
    readonly baseline: string;
    readonly baselineValue: number;
    /** `value / baselineValue`. */
    readonly ratio: number;
    /** The target, in words (`>= 0.5x bare`). */
    readonly target?: string;
    /** Whether the target was met. */
    readonly met?: boolean;
}

/** A result with its ratio computed; `ratio` is 0 when the baseline is 0. */
export function result(fields: Omit<BenchResult, 'ratio'>): BenchResult {
    const ratio = fields.baselineValue === 0 ? 0 : fields.value / fields.baselineValue;
    return { ...fields, ratio: Number(ratio.toFixed(4)) };
}

/** Median of a non-empty sample; NaN for an empty one. */
export function median(values: readonly number[]): number {
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const upper = sorted[middle] ?? Number.NaN;
    const lower = sorted[middle - 1] ?? upper;
    return sorted.length % 2 === 1 ? upper : (lower + upper) / 2;
}

/** Rounds for display and for the JSON file: three significant decimals at most. */
export function round(value: number, digits = 2): number {
    return Number(value.toFixed(digits));
}

function cell(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
}

/** The results as a Markdown table (pasted into README.md as is). */
export function formatTable(results: readonly BenchResult[]): string {
    const rows = results.map((entry) => [
        entry.name,
        `${cell(entry.value)} ${entry.unit}`,
        `${entry.baseline}: ${cell(entry.baselineValue)}`,
        entry.ratio.toFixed(3),
        entry.target ?? '',
        entry.met === undefined ? '' : entry.met ? 'yes' : 'NO',
    ]);
    const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'met'];
    return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/**
 * Writes `results` to {@link RESULTS_FILE}: entries of a benchmark that ran replace that benchmark's
 * earlier entries, others are kept, so `npm run bench -- mention` updates only its own figures.
 */
export async function saveResults(benchmarks: readonly string[], results: readonly BenchResult[]): Promise<void> {
    let earlier: BenchResult[] = [];
    try {
        const parsed = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as unknown;
        if (Array.isArray(parsed)) earlier = parsed as BenchResult[];
    } catch {
        earlier = [];
    }
    const kept = earlier.filter((entry) => !benchmarks.some((bench) => entry.name.startsWith(`${bench}.`)));
    await writeFile(RESULTS_FILE, `${JSON.stringify([...kept, ...results], null, 2)}\n`);
}
