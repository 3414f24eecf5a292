// End to end: notification jobs through the `npm start` host to the Teams simulator, over real storage and a real clock.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, OutboxStore } from '../../shared/notify/outbox/index.js';
import { enqueueNotification } from '../../shared/notify/producer.js';
import { webhookKey } from '../../shared/notify/webhook-target.js';
import { PER_SECOND_LIMIT, startTeamsSimulator, type TeamsSimulator } from '../../tools/simulator/index.js';
import { startAzurite, type TestAzurite } from '../support/azurite.js';
import { AppHosts, deliveredTexts, eventually, openOutboxStore, openQueue, receivedText, removeAppSnapshot, uniqueQueueName, type AppHost } from './app-host.js';

/** Jobs in the ordering test: five seconds of sending at Teams' 4 per second. */
const ORDERED_JOBS = 20;
/** Generous deadline for a handful of deliveries on a busy machine. */
const FEW_DELIVERIES_MS = 15_000;
/** The throttle back-off is 30 s (README: "30 s doubling up to 1 h"), plus a wake-up and a send. */
const AFTER_THROTTLE_MS = 50_000;
/** The first throttle blocks the webhook for 30 s; allow 1 s for the time between Teams' answer and the record. */
const MIN_THROTTLE_BLOCK_MS = 29_000;

let azurite: TestAzurite;
let sim: TeamsSimulator;
let store: OutboxStore;
const hosts = new AppHosts();

beforeAll(async () => {
    azurite = await startAzurite();
    sim = await startTeamsSimulator();
    store = openOutboxStore(azurite.connectionString);
    await store.ensureTables();
});

afterEach(async () => {
    await hosts.stopAll();
});

afterAll(async () => {
    try {
        await sim.stop();
    } finally {
        await removeAppSnapshot();
        await azurite.stop();
    }
});

/** A name no other test in this file uses, for simulator webhooks and job texts. */
function unique(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** One host on its own queue; `webhooks` maps aliases to simulator URLs. */
async function startHost(webhooks: Readonly<Record<string, string>>): Promise<{ host: AppHost; queue: string }> {
    const queue = uniqueQueueName('jobs');
    const settings: Record<string, string> = { ALLOWED_WEBHOOK_HOSTS: '127.0.0.1:*', NOTIFICATIONS_QUEUE: queue };
    for (const [alias, url] of Object.entries(webhooks)) {
        settings[`TEAMS_WEBHOOK_${alias.toUpperCase()}`] = url;
    }
    const host = await hosts.start({ storage: azurite.connectionString, settings });
    return { host, queue };
}

function explain(name: string): () => string {
    return () => `simulator records of ${name}: ${JSON.stringify(sim.received(name).map(({ outcome, status, answer, bodyText }) => ({ outcome, status, answer, bodyText })))}\n${hosts.outputs()}`;
}

/** Waits until webhook `name` has received `count` delivered requests; returns their texts in arrival order. */
function waitForDelivered(name: string, count: number, timeoutMs = FEW_DELIVERIES_MS): Promise<string[]> {
    return eventually(
        `${count} deliveries to ${name}`,
        () => {
            const texts = deliveredTexts(sim.received(name));
            return texts.length >= count ? texts : undefined;
        },
        timeoutMs,
        explain(name),
    );
}

async function deadLettersMatching(predicate: (letter: DeadLetter) => boolean): Promise<DeadLetter[]> {
    return (await store.listDeadLetters()).filter(predicate);
}

describe('delivery of notification jobs through npm start', { timeout: 60_000 }, () => {
    it('answers POST /api/notifications with 202 and the job id, then delivers the job to the connector webhook', async () => {
        const name = unique('http');
        const { host } = await startHost({ ops: sim.connectorUrl(name) });
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

    it('delivers a plain JSON queue message', async () => {
        const name = unique('plain');
        const { queue } = await startHost({ ops: sim.connectorUrl(name) });
        const text = `plain ${name}`;
        await openQueue(azurite.connectionString, queue).sendMessage(JSON.stringify({ to: 'ops', text }));
        expect(await waitForDelivered(name, 1)).toEqual([text]);
    });

    it('delivers a base64-encoded JSON queue message', async () => {
        const name = unique('base64');
        const { queue } = await startHost({ ops: sim.connectorUrl(name) });
        const text = `base64 ${name}`;
        const message = Buffer.from(JSON.stringify({ to: 'ops', text }), 'utf8').toString('base64');
        await openQueue(azurite.connectionString, queue).sendMessage(message);
        expect(await waitForDelivered(name, 1)).toEqual([text]);
    });

    it('sends a Workflows alias the Adaptive Card envelope with contentUrl null', async () => {
        const name = unique('flow');
        const { queue } = await startHost({ flow: sim.workflowsUrl(name) });
        const text = `workflow ${name}`;
        await openQueue(azurite.connectionString, queue).sendMessage(JSON.stringify({ to: 'flow', text }));
        expect(await waitForDelivered(name, 1)).toEqual([text]);
        const [record] = sim.received(name);
        expect(record?.status).toBe(202);
        expect(record?.json).toMatchObject({
            type: 'message',
            attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard' } }],
        });
    });

    it(`delivers ${ORDERED_JOBS} jobs to one webhook in createdAt order, at most 4 in any second, with none throttled`, async () => {
        const name = unique('order');
        const { queue } = await startHost({ ops: sim.connectorUrl(name) });
        const client = openQueue(azurite.connectionString, queue);
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
        expect(sim.stats(name)).toMatchObject({ delivered: ORDERED_JOBS, throttled: 0, total: ORDERED_JOBS });
        expect(sim.violations(name)).toEqual([]);
        expect(sim.violations(name, [PER_SECOND_LIMIT], ['delivered', 'throttled', 'rejected', 'fault'])).toEqual([]);
    });

    it('dead-letters invalid queue messages with reasons naming each problem, never moving them to the poison queue', async () => {
        const name = unique('invalid');
        const { queue } = await startHost({ ops: sim.connectorUrl(name) });
        const client = openQueue(azurite.connectionString, queue);
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
        const poison = openQueue(azurite.connectionString, `${queue}-poison`);
        const poisoned = (await poison.exists()) ? (await poison.getProperties()).approximateMessagesCount : 0;
        expect(poisoned).toBe(0);
        expect(sim.received(name)).toEqual([]);
    });

    it('dead-letters a job Teams refuses with a 200-wrapped 413, with status and body, and delivers the next job', async () => {
        const name = unique('large');
        const { queue } = await startHost({ ops: sim.connectorUrl(name) });
        const client = openQueue(azurite.connectionString, queue);
        sim.inject(name, { fault: 'wrapped413', times: 1 });
        const refused = await enqueueNotification({ to: 'ops', text: `refused ${name}` }, { queue: client });
        await enqueueNotification({ to: 'ops', text: `next ${name}` }, { queue: client });

        await waitForDelivered(name, 1);
        expect(sim.received(name).map((record) => [record.fault ?? record.outcome, receivedText(record)])).toEqual([
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
        const name = unique('throttle');
        const url = sim.connectorUrl(name);
        const key = webhookKey(new URL(url));
        const { queue } = await startHost({ ops: url });
        sim.inject(name, { fault: 'throttle', times: 1 });
        const text = `throttled once ${name}`;
        const job = await enqueueNotification({ to: 'ops', text }, { queue: openQueue(azurite.connectionString, queue) });

        const [throttled] = await eventually('the throttled request', () => {
            const records = sim.received(name);
            return records.length > 0 ? records : undefined;
        }, FEW_DELIVERIES_MS, explain(name));
        expect(throttled?.fault).toBe('throttle');
        const state = await eventually('the back-off to be recorded', async () => {
            const current = await store.readState(key);
            return current.consecutiveThrottles > 0 ? current : undefined;
        }, FEW_DELIVERIES_MS, () => hosts.outputs());
        expect(state.consecutiveThrottles).toBe(1);
        expect(state.blockedUntil).toBeGreaterThanOrEqual((throttled?.at ?? 0) + MIN_THROTTLE_BLOCK_MS);
        expect(await store.countJobs(key)).toBe(1);

        expect(await waitForDelivered(name, 1, AFTER_THROTTLE_MS)).toEqual([text]);
        const delivered = sim.received(name)[1];
        expect(delivered?.at).toBeGreaterThanOrEqual(state.blockedUntil);
        expect(await deadLettersMatching((letter) => letter.jobId === job.id)).toEqual([]);
        await eventually('the outbox to be empty', async () => ((await store.countJobs(key)) === 0 ? true : undefined), FEW_DELIVERIES_MS);
    }, AFTER_THROTTLE_MS + 3 * FEW_DELIVERIES_MS);
});
