// What the fault tests share: printed seeds, the app settings of a fast-recovering host, and the CLI run against the test's storage.
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { BudgetReport } from '../../shared/notify/budget.js';
import type { ReceivedRequest } from '../../tools/simulator/index.js';
import { runMain, type CliRun } from '../tools/cli/run-main.js';
import { receivedText } from '../e2e/app-host.js';
import { simulatorSettings } from '../e2e/scenario.js';

export { jobNumber } from '../e2e/scenario.js';

/** Largest seed: the simulator's PRNG takes 32-bit seeds. */
const MAX_SEED = 2 ** 31;

/**
 * The seed of one fault scenario: `FAULT_SEED` when set (to repeat a run), otherwise a fresh one.
 * Printed either way, so a failing run can be repeated exactly.
 */
export function faultSeed(scenario: string): number {
    const fixed = process.env['FAULT_SEED'];
    const seed = fixed === undefined || fixed === '' ? randomInt(MAX_SEED) : Number(fixed);
    if (!Number.isSafeInteger(seed) || seed < 0) {
        throw new Error(`FAULT_SEED must be a whole number ≥ 0, got "${fixed ?? ''}"`);
    }
    console.log(`${scenario}: seed ${seed} (FAULT_SEED=${seed} repeats it)`);
    return seed;
}

/**
 * Settings every fault scenario runs with: the simulator's loopback URLs allowed, `webhooks` (alias →
 * simulator URL) as `TEAMS_WEBHOOK_<ALIAS>`, and digests off so each delivered post carries exactly one job's text.
 */
export function baseSettings(queue: string, webhooks: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { ...simulatorSettings(queue, webhooks), DIGEST_AFTER_SECONDS: '0' };
}

/** `teams-relay <argv>` in process against the test's storage and settings. */
export function runCli(argv: readonly string[], storage: string, settings: Readonly<Record<string, string>>): Promise<CliRun> {
    return runMain(argv, { env: { ...settings, AzureWebJobsStorage: storage }, cwd: tmpdir() });
}

/** `teams-relay budget --json`, parsed. */
export async function readBudget(storage: string, settings: Readonly<Record<string, string>>): Promise<BudgetReport> {
    const run = await runCli(['budget', '--json'], storage, settings);
    if (run.code !== 0) {
        throw new Error(`teams-relay budget --json exited ${run.code}: ${run.stderr}`);
    }
    return JSON.parse(run.stdout) as BudgetReport;
}

/** One item of `teams-relay deadletters list --json` (the fields these tests read). */
export interface ListedDeadLetter {
    readonly source: 'delivery' | 'validation' | 'poison';
    readonly id: string;
    readonly jobId: string | null;
    readonly reason: string | null;
    readonly text: string | null;
}

/** `teams-relay deadletters list --json`, parsed. */
export async function listDeadLetters(storage: string, settings: Readonly<Record<string, string>>): Promise<ListedDeadLetter[]> {
    const run = await runCli(['deadletters', 'list', '--json'], storage, settings);
    if (run.code !== 0) {
        throw new Error(`teams-relay deadletters list --json exited ${run.code}: ${run.stderr}`);
    }
    return JSON.parse(run.stdout) as ListedDeadLetter[];
}

/** The texts of `records` that appear more than once, each with the arrival of its first copy. */
export function duplicatedTexts(records: readonly ReceivedRequest[]): { readonly text: string; readonly firstAt: number; readonly copies: number }[] {
    const seen = new Map<string, { firstAt: number; copies: number }>();
    for (const record of records) {
        const text = receivedText(record) ?? '';
        const entry = seen.get(text);
        if (entry === undefined) {
            seen.set(text, { firstAt: record.at, copies: 1 });
        } else {
            entry.copies += 1;
        }
    }
    return [...seen].filter(([, entry]) => entry.copies > 1).map(([text, entry]) => ({ text, ...entry }));
}

/** Waits `ms` of real time: the scenarios race real processes, so this is the one place a test sleeps. */
export function pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
