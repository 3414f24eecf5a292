// Fault: Teams resetting, hanging past the POST timeout, answering 503 and 200-wrapped 500 at seeded random rates, and throttling once, while 30 jobs drain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookBudget } from '../../shared/notify/budget.js';
import type { DeadLetter, OutboxStore } from '../../shared/notify/outbox/index.js';
import { enqueueNotification } from '../../shared/notify/producer.js';
import { createSeededRandom, startTeamsSimulator, type ReceivedRequest, type TeamsSimulator } from '../../tools/simulator/index.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';
import { type AppHost, AppHosts, deliveredTexts, eventually, openOutboxStore, openQueue, receivedText, tearDownScenario, uniqueQueueName } from '../e2e/app-host.js';
import { baseSettings, duplicatedTexts, faultSeed, jobNumber, readBudget } from './fault-scenario.js';

const WEBHOOK = 'teams-flaky';
const JOBS = 30;
/**
 * Each fault's rate; the rules are drawn in turn, so about 19 % of the posts get one. Each failure holds
 * the head job back by its retry back-off (2 s ceiling, doubling per attempt), which bounds the rate
 * that fits the time budget.
 */
const FAULT_RATE = 0.05;
/** One POST times out after this long. */
const DELIVERY_TIMEOUT_MS = 1_000;
/** A hung request is answered (as delivered) this long after it arrived: past the timeout, so the sender never sees it. */
const HANG_MS = 1_500;
/** The back-off after a first throttled answer (DEFAULT_THROTTLE_INITIAL_MS): Teams sends no Retry-After. */
const THROTTLE_BACKOFF_MS = 30_000;
/**
 * One throttled answer per run, after a seeded number of deliveries in this range: every throttle holds
 * the webhook back 30 s (doubling when in a row), so random-rate throttling would not fit the time budget.
 */
const THROTTLE_AFTER = { min: 3, spread: 12 } as const;
/** Retries give up on a job after a minute; none should need that long. */
const RETRY_MAX_AGE_SECONDS = 60;
/** The throttle's 30 s, retries with back-off (2 s ceiling, doubling per attempt), ~45 posts at 4 per second. */
const DRAIN_DEADLINE_MS = 120_000;
/** How soon after the throttled answer `budget` must show the back-off. */
const BUDGET_DEADLINE_MS = 5_000;

const seed = faultSeed('teams');
const random = createSeededRandom(seed);
let azurite: TestAzurite | undefined;
let sim: TeamsSimulator | undefined;
let store: OutboxStore;
const hosts = new AppHosts();
let host: AppHost | undefined;
const jobIds = new Map<string, string>();
let throttleAfter = 0;
let budgetAfterThrottle: WebhookBudget | undefined;
let budgetReadAt = 0;
let records: readonly ReceivedRequest[] = [];
let deadLetters: DeadLetter[] = [];

function simulator(): TeamsSimulator {
    if (sim === undefined) {
        throw new Error('the Teams simulator did not start');
    }
    return sim;
}

beforeAll(async () => {
    const storage = await startAzurite();
    azurite = storage;
    const teams = await startTeamsSimulator({ seed });
    sim = teams;
    store = openOutboxStore(storage.connectionString);
    const queue = uniqueQueueName('teams');
    const settings = {
        ...baseSettings(queue),
        TEAMS_WEBHOOK_OPS: teams.connectorUrl(WEBHOOK),
        DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
        RETRY_MAX_AGE_SECONDS: String(RETRY_MAX_AGE_SECONDS),
        SWEEP_SCHEDULE: '*/1 * * * * *',
    };
    teams.inject(WEBHOOK, { fault: 'reset', rate: FAULT_RATE });
    teams.inject(WEBHOOK, { fault: 'hang', rate: FAULT_RATE, delayMs: HANG_MS });
    teams.inject(WEBHOOK, { fault: 'status503', rate: FAULT_RATE });
    teams.inject(WEBHOOK, { fault: 'wrapped500', rate: FAULT_RATE });
    host = await hosts.start({ storage: storage.connectionString, settings });
    const client = openQueue(storage.connectionString, queue);
    for (let index = 1; index <= JOBS; index++) {
        const text = `teams job ${jobNumber(index)}`;
        const { id } = await enqueueNotification({ id: `teams-${jobNumber(index)}`, to: 'ops', text }, { queue: client });
        jobIds.set(text, id);
    }
    throttleAfter = THROTTLE_AFTER.min + Math.floor(random() * THROTTLE_AFTER.spread);
    await eventually(`${throttleAfter} deliveries`, () => (new Set(deliveredTexts(teams.received(WEBHOOK))).size >= throttleAfter ? true : undefined), DRAIN_DEADLINE_MS, () => hosts.outputs());
    const before = teams.received(WEBHOOK).length;
    teams.inject(WEBHOOK, { fault: 'throttle', times: 1 });
    await eventually('the throttled answer', () => (teams.received(WEBHOOK).slice(before).some((record) => record.fault === 'throttle') ? true : undefined), DRAIN_DEADLINE_MS, () => hosts.outputs());
    budgetAfterThrottle = await eventually(
        'budget --json to show the back-off',
        async () => {
            const report = await readBudget(storage.connectionString, settings);
            budgetReadAt = report.at;
            const ops = report.webhooks.find((webhook) => webhook.alias === 'ops');
            return ops !== undefined && ops.consecutiveThrottles >= 1 ? ops : undefined;
        },
        BUDGET_DEADLINE_MS,
        () => hosts.outputs(),
    );

    const ids = new Set(jobIds.values());
    await eventually(
        'every job delivered or dead-lettered',
        async () => {
            const letters = (await store.listDeadLetters()).filter((letter) => letter.jobId !== undefined && ids.has(letter.jobId));
            const reached = new Set(deliveredTexts(teams.received(WEBHOOK)));
            if (![...jobIds].every(([text, id]) => reached.has(text) || letters.some((letter) => letter.jobId === id))) {
                return undefined;
            }
            deadLetters = letters;
            return true;
        },
        DRAIN_DEADLINE_MS,
        () => `delivered so far: ${deliveredTexts(teams.received(WEBHOOK)).join(', ')}\n${hosts.outputs()}`,
    );
    records = teams.received(WEBHOOK);
    const faults = records.filter((record) => record.fault !== undefined).map((record) => record.fault);
    console.log(`teams: ${records.length} posts, faults: ${JSON.stringify(Object.fromEntries([...new Set(faults)].map((fault) => [fault, faults.filter((other) => other === fault).length])))}; throttled after ${throttleAfter} deliveries`);
}, DRAIN_DEADLINE_MS * 2 + 60_000);

afterAll(() => tearDownScenario(hosts, () => sim?.stop(), () => azurite?.stop()));

describe(`${JOBS} jobs to a webhook that resets, hangs, answers 503 and wrapped 500 at ${Math.round(FAULT_RATE * 100)} % each and throttles once`, () => {
    it('saw every kind of fault', () => {
        const kinds = new Set(records.map((record) => record.fault));
        expect(kinds.has('throttle')).toBe(true);
        expect(records.filter((record) => record.fault !== undefined && record.fault !== 'throttle').length).toBeGreaterThan(0);
    });

    it('delivers every job, or dead-letters it only once its retries ran out, with the reason', () => {
        const reached = new Set(deliveredTexts(records));
        const missing = [...jobIds].filter(([text, id]) => !reached.has(text) && !deadLetters.some((letter) => letter.jobId === id));
        expect(missing).toEqual([]);
        for (const letter of deadLetters) {
            expect(letter.reason).toMatch(/^Still failing after \d+ s of retries: /);
        }
    });

    it('re-sends a job only when Teams took it but answered after the POST timed out', () => {
        const delivered = records.filter((record) => record.outcome === 'delivered');
        for (const duplicate of duplicatedTexts(delivered)) {
            const lateAnswers = delivered.filter((record) => record.fault === 'hang' && receivedText(record) === duplicate.text).length;
            expect(duplicate.copies - 1, duplicate.text).toBeLessThanOrEqual(lateAnswers);
        }
    });

    it('delivers in createdAt order, re-sent jobs aside', () => {
        const texts = deliveredTexts(records);
        const firstArrivals = texts.filter((text, index) => texts.indexOf(text) === index);
        expect(firstArrivals).toEqual([...firstArrivals].sort());
    });

    it('posts nothing to the webhook until the throttle back-off is over', () => {
        const throttled = records.filter((record) => record.fault === 'throttle' || record.outcome === 'throttled');
        expect(throttled.length).toBeGreaterThan(0);
        for (const answer of throttled) {
            const early = records.filter((record) => record.at > answer.at && record.at < answer.at + THROTTLE_BACKOFF_MS);
            expect(early.map((record) => record.at - answer.at)).toEqual([]);
        }
    });

    it('shows the back-off in budget --json right after the throttled answer', () => {
        expect(budgetAfterThrottle?.consecutiveThrottles).toBeGreaterThanOrEqual(1);
        expect(budgetAfterThrottle?.blockedUntil).toBeGreaterThan(budgetReadAt);
    });

    it('never exceeds any sliding window', () => {
        expect(simulator().violations(WEBHOOK)).toEqual([]);
        expect(simulator().stats(WEBHOOK).throttled).toBe(0);
    });

    it('keeps the host running', () => {
        expect(host?.exitStatus()).toBeUndefined();
    });
});
