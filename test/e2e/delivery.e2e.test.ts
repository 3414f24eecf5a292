// End to end: notification jobs through the `npm start` host to the Teams simulator, over real storage and a real clock.
import { randomBytes } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../shared/notify/outbox/index.js';
import { enqueueNotification } from '../../shared/notify/producer.js';
import { webhookKey } from '../../shared/notify/webhook-target.js';
import { PER_SECOND_LIMIT } from '../../tools/simulator/index.js';
import { deliveredTexts, eventually, receivedText, uniqueQueueName, type AppHost } from './app-host.js';
import { simulatorSettings, useScenario } from './scenario.js';

/** Jobs in the ordering test: five seconds of sending at Teams' 4 per second. */
const ORDERED_JOBS = 20;
/** Generous deadline for a handful of deliveries on a busy machine. */
const FEW_DELIVERIES_MS = 15_000;
/** The throttle back-off is 30 s (README: "30 s doubling up to 1 h"), plus a wake-up and a send. */
const AFTER_THROTTLE_MS = 50_000;
/** The first throttle blocks the webhook for 30 s; allow 1 s for the time between Teams' answer and the record. */
const MIN_THROTTLE_BLOCK_MS = 29_000;

const scenario = useScenario();
const { hosts } = scenario;

beforeAll(() => scenario.store.ensureTables());

afterEach(() => hosts.stopAll());

/** A name no other test in this file uses, for simulator webhooks and job texts. */
function unique(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** One host on its own queue, sending `alias` to `url`. */
async function startHost(alias: string, url: string): Promise<{ host: AppHost; queue: string; client: QueueClient }> {
    const queue = uniqueQueueName('jobs');
    const host = await scenario.startHost(simulatorSettings(queue, { [alias]: url }));
    return { host, queue, client: scenario.queue(queue) };
}

/** A connector webhook of the simulator named after `prefix`, and one host sending alias `ops` to it. */
async function startOpsHost(prefix: string): Promise<{ name: string; host: AppHost; queue: string; client: QueueClient }> {
    const name = unique(prefix);
    return { name, ...(await startHost('ops', scenario.sim.connectorUrl(name))) };
}

function explain(name: string): () => string {
    return () => `simulator records of ${name}: ${JSON.stringify(scenario.sim.received(name).map(({ outcome, status, answer, bodyText }) => ({ outcome, status, answer, bodyText })))}\n${hosts.outputs()}`;
}

/** Waits until webhook `name` has received `count` delivered requests; returns their texts in arrival order. */
function waitForDelivered(name: string, count: number, timeoutMs = FEW_DELIVERIES_MS): Promise<string[]> {
    return eventually(
        `${count} deliveries to ${name}`,
        () => {
            const texts = deliveredTexts(scenario.sim.received(name));
            return texts.length >= count ? texts : undefined;
        },
        timeoutMs,
        explain(name),
    );
}

async function deadLettersMatching(predicate: (letter: DeadLetter) => boolean): Promise<DeadLetter[]> {
    return (await scenario.store.listDeadLetters()).filter(predicate);
}

describe('delivery of notification jobs through npm start', { timeout: 60_000 }, () => {
    it('answers POST /api/notifications with 202 and the job id, then delivers the job to the connector webhook', async () => {
        const { name, host } = await startOpsHost('http');
        const text = `Deployed **api** ${name}`;
        const response = await fetch(`${host.url}/api/notifications`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id: `deploy-${name}`, to: 'ops', text }),
        });
        expect(response.status).toBe(202);
        expect(await response.json()).toEqual({ id: `deploy-${name}` });
        expect(await waitForDelivered(name, 1)).toEqual([text]);
    });

    it.each([
        { kind: 'a plain JSON', prefix: 'plain', encode: (json: string) => json },
        { kind: 'a base64-encoded JSON', prefix: 'base64', encode: (json: string) => Buffer.from(json, 'utf8').toString('base64') },
    ])('delivers $kind queue message', async ({ prefix, encode }) => {
        const { name, client } = await startOpsHost(prefix);
        const text = `${prefix} ${name}`;
        await client.sendMessage(encode(JSON.stringify({ to: 'ops', text })));
        expect(await waitForDelivered(name, 1)).toEqual([text]);
    });

    it('sends a Workflows alias the Adaptive Card envelope with contentUrl null', async () => {
        const name = unique('flow');
        const { client } = await startHost('flow', scenario.sim.workflowsUrl(name));
        const text = `workflow ${name}`;
        await client.sendMessage(JSON.stringify({ to: 'flow', text }));
        expect(await waitForDelivered(name, 1)).toEqual([text]);
        const [record] = scenario.sim.received(name);
        expect(record?.status).toBe(202);
        expect(record?.json).toMatchObject({
            type: 'message',
            attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard' } }],
        });
    });

    it(`delivers ${ORDERED_JOBS} jobs to one webhook in createdAt order, at most 4 in any second, with none throttled`, async () => {
        const { name, client } = await startOpsHost('order');
        const expected: string[] = [];
        let previousCreatedAt = 0;
        for (let index = 1; index <= ORDERED_JOBS; index++) {
            const text = `job ${String(index).padStart(2, '0')} ${name}`;
            const { createdAt } = await enqueueNotification({ to: 'ops', text }, { queue: client });
            expect(createdAt).toBeGreaterThan(previousCreatedAt);
            previousCreatedAt = createdAt;
            expected.push(text);
        }

        expect(await waitForDelivered(name, ORDERED_JOBS, 30_000)).toEqual(expected);
        expect(scenario.sim.stats(name)).toMatchObject({ delivered: ORDERED_JOBS, throttled: 0, total: ORDERED_JOBS });
        expect(scenario.sim.violations(name)).toEqual([]);
        expect(scenario.sim.violations(name, [PER_SECOND_LIMIT], ['delivered', 'throttled', 'rejected', 'fault'])).toEqual([]);
    });

    it('dead-letters invalid queue messages with reasons naming each problem, never moving them to the poison queue', async () => {
        const { name, queue, client } = await startOpsHost('invalid');
        const messages = {
            notJson: `not json ${name}`,
            wrongShape: JSON.stringify({ to: 'ops', body: `wrong shape ${name}` }),
            unknownAlias: JSON.stringify({ to: 'nowhere', text: `unknown alias ${name}` }),
            urlTarget: JSON.stringify({ to: { url: 'https://example.com/webhookb2/x' }, text: `url target ${name}` }),
        };
        for (const message of Object.values(messages)) {
            await client.sendMessage(message);
        }

        const letters = await eventually(
            'four validation dead letters',
            async () => {
                const found = await deadLettersMatching((letter) => letter.message?.includes(name) === true);
                return found.length >= 4 ? found : undefined;
            },
            FEW_DELIVERIES_MS,
            () => hosts.outputs(),
        );
        const reasonOf = (message: string): string | undefined => letters.find((letter) => letter.message === message)?.reason;
        expect(letters.every((letter) => letter.source === 'validation')).toBe(true);
        expect(reasonOf(messages.notJson)).toMatch(/not JSON/);
        expect(reasonOf(messages.wrongShape)).toMatch(/body/);
        expect(reasonOf(messages.wrongShape)).toMatch(/content field/);
        expect(reasonOf(messages.unknownAlias)).toMatch(/unknown alias "nowhere"/);
        // ALLOW_URL_TARGETS is off by default: a {url} target is refused before its host is even looked at.
        expect(reasonOf(messages.urlTarget)).toMatch(/\{url\} targets are turned off; .*set ALLOW_URL_TARGETS=true/);

        await eventually(
            `queue ${queue} to be empty`,
            async () => ((await client.getProperties()).approximateMessagesCount === 0 ? true : undefined),
            FEW_DELIVERIES_MS,
            () => hosts.outputs(),
        );
        const poison = scenario.queue(`${queue}-poison`);
        const poisoned = (await poison.exists()) ? (await poison.getProperties()).approximateMessagesCount : 0;
        expect(poisoned).toBe(0);
        expect(scenario.sim.received(name)).toEqual([]);
    });

    it('dead-letters a job Teams refuses with a 200-wrapped 413, with status and body, and delivers the next job', async () => {
        const { name, client } = await startOpsHost('large');
        scenario.sim.inject(name, { fault: 'wrapped413', times: 1 });
        const refused = await enqueueNotification({ to: 'ops', text: `refused ${name}` }, { queue: client });
        await enqueueNotification({ to: 'ops', text: `next ${name}` }, { queue: client });

        await waitForDelivered(name, 1);
        expect(scenario.sim.received(name).map((record) => [record.fault ?? record.outcome, receivedText(record)])).toEqual([
            ['wrapped413', `refused ${name}`],
            ['delivered', `next ${name}`],
        ]);
        const [letter] = await eventually(
            'the dead letter of the refused job',
            async () => {
                const found = await deadLettersMatching((candidate) => candidate.jobId === refused.id);
                return found.length > 0 ? found : undefined;
            },
            FEW_DELIVERIES_MS,
            () => hosts.outputs(),
        );
        expect(letter).toMatchObject({ source: 'delivery', lastStatus: 200, attempts: 1 });
        expect(letter?.reason).toMatch(/413/);
        expect(letter?.lastBody).toMatch(/HTTP error 413/);
    });

    it('defers a throttled job, backs the webhook off for 30 s, then delivers it without dead-lettering it', async () => {
        const { name, client } = await startOpsHost('throttle');
        const key = webhookKey(new URL(scenario.sim.connectorUrl(name)));
        scenario.sim.inject(name, { fault: 'throttle', times: 1 });
        const text = `throttled once ${name}`;
        const job = await enqueueNotification({ to: 'ops', text }, { queue: client });

        const [throttled] = await eventually('the throttled request', () => {
            const records = scenario.sim.received(name);
            return records.length > 0 ? records : undefined;
        }, FEW_DELIVERIES_MS, explain(name));
        expect(throttled?.fault).toBe('throttle');
        const state = await eventually('the back-off to be recorded', async () => {
            const current = await scenario.store.readState(key);
            return current.consecutiveThrottles > 0 ? current : undefined;
        }, FEW_DELIVERIES_MS, () => hosts.outputs());
        expect(state.consecutiveThrottles).toBe(1);
        expect(state.blockedUntil).toBeGreaterThanOrEqual((throttled?.at ?? 0) + MIN_THROTTLE_BLOCK_MS);
        expect(await scenario.store.countJobs(key)).toBe(1);

        expect(await waitForDelivered(name, 1, AFTER_THROTTLE_MS)).toEqual([text]);
        const delivered = scenario.sim.received(name)[1];
        expect(delivered?.at).toBeGreaterThanOrEqual(state.blockedUntil);
        expect(await deadLettersMatching((letter) => letter.jobId === job.id)).toEqual([]);
        await eventually('the outbox to be empty', async () => ((await scenario.store.countJobs(key)) === 0 ? true : undefined), FEW_DELIVERIES_MS);
    }, AFTER_THROTTLE_MS + 3 * FEW_DELIVERIES_MS);
});
