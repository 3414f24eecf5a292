// End to end: two `npm start` hosts drain a backlog whose createdAt is an hour old, in createdAt order, three webhooks at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredTexts, eventually, uniqueQueueName } from './app-host.js';
import { enqueueNumberedJob, jobNumber, simulatorSettings, useScenario } from './scenario.js';

/** Jobs in the backlog: more than the 60 that Teams allows in 30 s, so the drain spans several windows. */
const JOBS = 100;
/** The scenario runs this many times, each with new hosts, a new queue and a new webhook. */
const ROUNDS = [1, 2, 3] as const;
/** 100 jobs need about 40 s at Teams' limits (60 in the first 30 s); the rest is slack for a busy two-core machine. */
const DRAIN_DEADLINE_MS = 120_000;
/** The backlog was created an hour before the hosts started (a producer's backlog, or an app that was down). */
const BACKLOG_AGE_MS = 3_600_000;

/** Digits of a job number in the jobs' texts and ids. */
const JOB_DIGITS = 3;

const scenario = useScenario();

/** Pairs of deliveries where a later-created job went before an earlier one. */
function inversions(texts: readonly string[], order: readonly string[]): number {
    const rank = new Map(order.map((text, index) => [text, index]));
    let count = 0;
    for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
            if ((rank.get(texts[i] ?? '') ?? -1) > (rank.get(texts[j] ?? '') ?? -1)) {
                count += 1;
            }
        }
    }
    return count;
}

describe.each(ROUNDS)(`two hosts draining a ${JOBS}-job backlog created an hour ago, round %i`, (round) => {
    const webhook = `backlog-${round}`;
    /** The job texts in createdAt order. */
    const expected: string[] = [];
    let delivered: string[] = [];

    beforeAll(async () => {
        const { sim: teams, hosts } = scenario;
        const queue = uniqueQueueName(`backlog${round}`);
        const client = scenario.queue(queue);
        // The backlog is on the queue before any host runs, its createdAt an hour old.
        const createdAt = Date.now() - BACKLOG_AGE_MS;
        for (let index = 0; index < JOBS; index++) {
            const { text } = await enqueueNumberedJob(client, webhook, jobNumber(index, JOB_DIGITS), { createdAt: createdAt + index });
            expected.push(text);
        }
        const settings = {
            ...simulatorSettings(queue, { ops: teams.connectorUrl(webhook) }),
            // Every job goes alone, so the order of the posts is the order of the jobs.
            DIGEST_AFTER_SECONDS: '0',
        };
        await Promise.all([scenario.startHost(settings), scenario.startHost(settings)]);
        await eventually(
            `${JOBS} deliveries to ${webhook}`,
            () => (new Set(deliveredTexts(teams.received(webhook))).size >= JOBS ? true : undefined),
            DRAIN_DEADLINE_MS,
            () => `${deliveredTexts(teams.received(webhook)).length} delivered\n${hosts.outputs()}`,
        );
        delivered = deliveredTexts(teams.received(webhook));
        await hosts.stopAll();
    }, DRAIN_DEADLINE_MS + 60_000);

    afterAll(() => scenario.hosts.stopAll());

    it('posts every job exactly once', () => {
        expect([...delivered].sort()).toEqual([...expected].sort());
    });

    it('posts the jobs in createdAt order, with no inversion', () => {
        expect(inversions(delivered, expected)).toBe(0);
        expect(delivered).toEqual(expected);
    });

    it('stays within every sliding window and is never throttled', () => {
        expect(scenario.sim.violations(webhook)).toEqual([]);
        expect(scenario.sim.stats(webhook)).toMatchObject({ throttled: 0, rejected: 0, fault: 0 });
    });
});
