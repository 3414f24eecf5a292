/**
 * The real sender over hostile job streams: good jobs mixed with deep, invalid, oversize, mismatched,
 * odd-Unicode, duplicate and failing ones, accepted through the queue path or put straight into the
 * outbox. Every job ends delivered or dead-lettered within a bounded number of drains, good jobs are
 * delivered in createdAt order, no drain throws, and nothing Teams would refuse or drop is posted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { acceptQueueMessage, resolveSendTarget } from '../../shared/notify/accept.js';
import type { PostToWebhook } from '../../shared/notify/post.js';
import { drainWebhook, MAX_UNEXPECTED_FAILURE_ATTEMPTS, senderSettings, type SenderDeps } from '../../shared/notify/sender.js';
import type { DeliveryEvent } from '../../shared/platform/telemetry.js';
import { notificationJobSchema, type NotificationJob } from '../../shared/notify/jobs.js';
import { webhookKey } from '../../shared/notify/webhook-target.js';
import { connectorUnavailable, workflowsFaultAnswers } from '../../tools/simulator/answers.js';
import { judgeConnectorRequest, judgeWorkflowsRequest, type EndpointPolicy, type Verdict, type WebhookRateState } from '../../tools/simulator/endpoint.js';
import { TEAMS_CONNECTION_LIMITS, TEAMS_MAX_MESSAGE_BYTES, TEAMS_WEBHOOK_LIMITS } from '../../tools/simulator/limits.js';
import { connectorPath, dialectOfPath, workflowsPathAndQuery } from '../../tools/simulator/routes.js';
import { FixedWindowCounter, SlidingWindowLog } from '../../tools/simulator/windows.js';
import { ManualClock, START } from '../shared/notify/harness.js';
import { createMemoryOutboxStore } from '../support/memory-outbox.js';
import { nestedContainers } from '../support/deep-cards.js';

const ALIASES = ['ops', 'flow'] as const;
type Alias = (typeof ALIASES)[number];

/** A connector and a Workflows webhook, at the paths the simulator's judges recognise. */
const config = loadConfig({
    TEAMS_WEBHOOK_OPS: `https://contoso.webhook.office.com${connectorPath('ops')}`,
    TEAMS_WEBHOOK_FLOW: `https://prod-27.westeurope.logic.azure.com${workflowsPathAndQuery('flow')}`,
});
const KEYS: Readonly<Record<Alias, string>> = {
    ops: webhookKey(new URL(config.targets.webhooks.get('ops')?.href ?? '')),
    flow: webhookKey(new URL(config.targets.webhooks.get('flow')?.href ?? '')),
};

/** Jobs whose id starts so make target resolution throw, as a bug of ours would. */
const FAILING_ID_PREFIX = 'boom-';

/** What a job carries besides its id, target and createdAt. */
type Content = Omit<NotificationJob, 'id' | 'to' | 'createdAt'>;

interface Kind {
    readonly name: string;
    readonly good: boolean;
    readonly content: fc.Arbitrary<Content>;
}

/** Pieces of text that have tripped up text handling elsewhere: surrogates, direction marks, zero-width, bindings. */
const oddPiece = fc.constantFrom('\ud800', '\udc00', '\u{1F680}', '\u202e', '\u200f', '\u200b', '\ufeff', 'مرحبا', 'שלום', 'e\u0301', '${title}', '$root', '\u0000', '**', '\n\n', 'é'.repeat(50));
/** Text with odd pieces in it, and never a `<`, so it holds no `<at>` mention. */
const oddText = fc
    .tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(oddPiece, { maxLength: 4 }))
    .map(([text, pieces]) => `Notice ${[text, ...pieces].join(' ')}`.replace(/</g, '‹'));

const card = (body: unknown[], extra: Record<string, unknown> = {}): Content => ({ adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body, ...extra } });
const ann = { type: 'mention', text: '<at>Ann</at>', mentioned: { id: '29:ann', name: 'Ann' } };

const KINDS: readonly Kind[] = [
    { name: 'text', good: true, content: oddText.map((text) => ({ text })) },
    { name: 'template', good: true, content: fc.tuple(oddText, oddText).map(([title, text]) => ({ card: { template: 'message', data: { title, text } } })) },
    { name: 'card', good: true, content: oddText.map((text) => card([{ type: 'TextBlock', text, wrap: true }, { type: 'FactSet', facts: [{ title: 'a', value: text }] }])) },
    { name: 'mention', good: true, content: oddText.map((text) => card([{ type: 'TextBlock', text: `${text} <at>Ann</at>` }], { msteams: { entities: [ann] } })) },
    { name: 'messageCard', good: true, content: oddText.map((text) => ({ messageCard: { '@type': 'MessageCard', summary: 'Summary', text } })) },
    { name: 'deep', good: false, content: fc.constantFrom(40, 1_200).map((count) => card([nestedContainers(count)])) },
    { name: 'invalid', good: false, content: fc.constant(card([{ type: 'TextBlock', text: 'x', size: 'Hugee' }])) },
    { name: 'unknown element', good: false, content: fc.constant(card([{ type: 'Fancy', text: 'x' }])) },
    { name: 'oversize', good: false, content: fc.constantFrom('x', 'é', '\u{1F680}').map((unit) => ({ text: unit.repeat(26_000) })) },
    { name: 'template data', good: false, content: fc.constantFrom<Content>({ card: { template: 'alert', data: { title: 'CPU' } } }, { card: { template: 'gone', data: {} } }) },
    { name: 'mention mismatch', good: false, content: fc.constantFrom(card([{ type: 'TextBlock', text: '<at>Bob</at>' }], { msteams: { entities: [ann] } }), card([{ type: 'TextBlock', text: 'no one' }], { msteams: { entities: [ann] } })) },
    { name: 'submit', good: false, content: fc.constant(card([{ type: 'TextBlock', text: 'x' }], { actions: [{ type: 'Action.Submit', title: 'Go' }] })) },
];

/** One job of the stream, before ids and times are given out. */
interface Draw {
    readonly kind: Kind;
    readonly content: Content;
    readonly to: Alias;
    /** Put straight into the outbox rather than accepted from the queue. */
    readonly direct: boolean;
    /** Reuse the id of an earlier job (by position, modulo), or a fresh id. */
    readonly reuse: number | undefined;
    /** A fresh id with characters outside ASCII. */
    readonly oddId: boolean;
    /** Target resolution throws for it (an unexpected error); it always goes alone. */
    readonly failing: boolean;
}

/** Good jobs three times as often as each hostile kind, so a stream has a backlog to digest and order to keep. */
const kind = fc.oneof(...KINDS.map((each) => ({ arbitrary: fc.constant(each), weight: each.good ? 3 : 1 })));

const draw: fc.Arbitrary<Draw> = kind
    .chain((kind) =>
        fc.record({
            kind: fc.constant(kind),
            content: kind.content,
            to: fc.constantFrom(...ALIASES),
            direct: fc.boolean(),
            reuse: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.nat(), weight: 1 }),
            oddId: fc.boolean(),
            failing: kind.good ? fc.integer({ min: 0, max: 9 }).map((draw) => draw < 2) : fc.constant(false),
        }),
    );

/** Teams as the simulator judges it, without a server: fixed windows, sizes, rendering, and injected 5xx faults. */
function teamsStandIn(clock: ManualClock, faultyPosts: ReadonlySet<number>) {
    const policy: EndpointPolicy = { maxBytes: TEAMS_MAX_MESSAGE_BYTES, countThrottled: true, blockAfterThrottleMs: 0, throttleWording: () => 'plain' };
    const rates = new Map<string, WebhookRateState>();
    // One Teams connection behind the flow, as when one person made it.
    const connection = new SlidingWindowLog(TEAMS_CONNECTION_LIMITS);
    const verdicts: Verdict[] = [];
    let posts = 0;
    const post: PostToWebhook = (url, body) => {
        posts += 1;
        const dialect = dialectOfPath(url.pathname);
        if (faultyPosts.has(posts) || dialect === undefined) {
            return Promise.resolve(dialect === 'workflows' ? workflowsFaultAnswers[503] : connectorUnavailable);
        }
        let rate = rates.get(url.pathname);
        if (rate === undefined) {
            rate = { counter: new FixedWindowCounter(TEAMS_WEBHOOK_LIMITS, [0]), blockedUntil: Number.NEGATIVE_INFINITY };
            rates.set(url.pathname, rate);
        }
        const received = { text: body, byteLength: Buffer.byteLength(body, 'utf8'), truncated: false };
        const verdict = dialect === 'connector' ? judgeConnectorRequest(received, rate, clock.now(), policy) : judgeWorkflowsRequest(received, rate, connection, clock.now(), policy);
        verdicts.push(verdict);
        return Promise.resolve({ status: verdict.answer.status, body: verdict.answer.body });
    };
    return { post, verdicts };
}

/** A job instance that went into an outbox and must come out. */
interface Instance {
    readonly good: boolean;
    readonly createdAt: number;
    readonly kind: string;
}

/** What a stream did, for properties about the stream itself. */
interface StreamRun {
    /** Digest posts made. */
    readonly digests: number;
}

async function runStream(draws: readonly Draw[], cuts: readonly number[], digestAfterMs: number, faultyPosts: ReadonlySet<number>): Promise<StreamRun> {
    const clock = new ManualClock(START);
    const store = createMemoryOutboxStore({ now: clock.now });
    const teams = teamsStandIn(clock, faultyPosts);
    const events: DeliveryEvent[] = [];
    const deps: SenderDeps = {
        store,
        post: teams.post,
        scheduleWakeup: () => Promise.resolve(),
        resolveTarget: (job) => {
            if (job.jobId.startsWith(FAILING_ID_PREFIX)) {
                throw new TypeError(`Cannot read properties of undefined (reading 'href') for ${job.jobId}`);
            }
            return resolveSendTarget(job, config);
        },
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        owner: 'fuzz',
        settings: senderSettings({ guardMs: 50, timeoutMs: 10_000, retryMaxAgeMs: 3_600_000, digestAfterMs }),
        log: (event) => events.push(event),
    };

    /** Every instance added, per webhook and job id, in the order added. */
    const instances = new Map<string, Instance[]>();
    const ids: string[] = [];
    let refused = 0;
    let drains = 0;

    async function drainAll(rounds: number): Promise<void> {
        for (let round = 0; round < rounds; round++) {
            const waits: number[] = [];
            for (const key of Object.values(KEYS)) {
                drains += 1;
                let result;
                try {
                    result = await drainWebhook(key, deps);
                } catch (thrown) {
                    throw new Error(`A drain threw: ${String(thrown)}`, { cause: thrown });
                }
                if (result.kind === 'waiting') {
                    waits.push(result.until);
                }
            }
            if (waits.length === 0) {
                return;
            }
            clock.time = Math.max(clock.time, Math.min(...waits));
        }
    }

    let position = 0;
    for (const [batch, size] of cuts.entries()) {
        for (const next of draws.slice(position, position + size)) {
            position += 1;
            const createdAt = START + position * 10;
            const reused = next.reuse === undefined ? undefined : ids[next.reuse % Math.max(1, ids.length)];
            const fresh = `${next.oddId ? 'é\u05d0\u{1F680}-' : ''}job-${position}`;
            const id = reused ?? (next.failing ? `${FAILING_ID_PREFIX}${position}` : fresh);
            ids.push(id);
            const job = { ...next.content, id, to: next.to, createdAt, ...(id.startsWith(FAILING_ID_PREFIX) ? { digest: false } : {}) } as NotificationJob;
            const key = KEYS[next.to];
            const good = next.kind.good && !id.startsWith(FAILING_ID_PREFIX);
            let added: boolean;
            if (next.direct) {
                added = (await store.addJob({ webhookKey: key, jobId: id, order: createdAt, job: notificationJobSchema.parse(job), alias: next.to, acceptedAt: clock.now() })) === 'added';
            } else {
                const result = await acceptQueueMessage(JSON.stringify(job), { messageId: `m${position}`, dequeuedAt: clock.now() }, store, config);
                expect(result.kind, `${next.kind.name} through acceptance`).toBe(next.kind.good ? 'accepted' : 'dead-lettered');
                if (result.kind === 'dead-lettered') {
                    refused += 1;
                }
                added = result.kind === 'accepted' && result.added === 'added';
            }
            if (added) {
                const list = instances.get(`${key}|${id}`) ?? [];
                list.push({ good, createdAt, kind: next.kind.name });
                instances.set(`${key}|${id}`, list);
            }
        }
        // Between batches a few drains, so later jobs meet a half-drained outbox.
        await drainAll(batch === cuts.length - 1 ? 0 : batch % 3);
    }
    const total = [...instances.values()].reduce((sum, list) => sum + list.length, 0);
    // Each instance needs at most its failing attempts plus the fault retries; the windows add rounds.
    const bound = 20 + total * MAX_UNEXPECTED_FAILURE_ATTEMPTS + faultyPosts.size * 2;
    await drainAll(bound);

    for (const key of Object.values(KEYS)) {
        expect(await store.countJobs(key), `jobs left in the outbox after ${drains} drains`).toBe(0);
    }

    // Every instance ended exactly once, as expected: good ones delivered (or, on a Workflows URL,
    // accepted by the flow), the rest dead-lettered.
    const ended = new Map<string, Instance[]>();
    const deliveredOrder = new Map<string, number[]>();
    for (const raw of events) {
        if (raw.event !== 'delivered' && raw.event !== 'flow-accepted' && raw.event !== 'dead-lettered') {
            continue;
        }
        const event = { ...raw, event: raw.event === 'flow-accepted' ? 'delivered' : raw.event };
        const id = `${event.webhookKey}|${event.jobId ?? ''}`;
        const done = ended.get(id) ?? [];
        const instance = instances.get(id)?.[done.length];
        expect(instance, `an outcome for ${id} that was never added`).toBeDefined();
        if (instance === undefined) {
            break;
        }
        done.push(instance);
        ended.set(id, done);
        expect(event.event, `${instance.kind} ${id}`).toBe(instance.good ? 'delivered' : 'dead-lettered');
        if (event.event === 'delivered') {
            deliveredOrder.set(event.webhookKey, [...(deliveredOrder.get(event.webhookKey) ?? []), instance.createdAt]);
        }
    }
    for (const [id, list] of instances) {
        expect(ended.get(id)?.length ?? 0, `outcomes of ${id}`).toBe(list.length);
    }
    for (const order of deliveredOrder.values()) {
        expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // Refused at acceptance: dead-lettered there, with the message kept.
    expect((await store.listDeadLetters()).filter((letter) => letter.source === 'validation')).toHaveLength(refused);
    // Nothing that reached Teams was refused, throttled or dropped for its content: every problem was
    // caught before the POST. (A flow's post throttled by its Teams connection is the rate limiter's
    // concern, not this property's.)
    expect(teams.verdicts.filter((verdict) => verdict.outcome !== 'delivered' || (verdict.rendered !== true && verdict.flowPost !== 'throttled'))).toEqual([]);
    return { digests: new Set(events.flatMap((event) => (event.digestId === undefined ? [] : [event.digestId]))).size };
}

describe('the sender over hostile job streams', () => {
    it('ends every job delivered or dead-lettered, delivers good jobs in createdAt order, and never throws', async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.array(draw, { minLength: 1, maxLength: 60, size: 'max' }),
                fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 4 }),
                fc.constantFrom(0, 1_000, 5_000, 60_000),
                fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 4 }),
                async (draws, cutSizes, digestAfterMs, faults) => {
                    // Batch sizes that cover the whole stream: the last batch takes the rest.
                    const cuts = [...cutSizes, draws.length];
                    await runStream(draws, cuts, digestAfterMs, new Set(faults));
                },
            ),
            { numRuns: 60 },
        );
    }, 600_000);

    it('keeps it all under a backlog big enough for digests at the default delay', async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(draw.map((each) => ({ ...each, to: 'ops' as const })), { minLength: 200, maxLength: 240 }), fc.uniqueArray(fc.integer({ min: 1, max: 80 }), { maxLength: 3 }), async (draws, faults) => {
                const run = await runStream(draws, [draws.length], 60_000, new Set(faults));
                expect(run.digests).toBeGreaterThan(0);
            }),
            { numRuns: 4 },
        );
    }, 600_000);
});
