// One bad job is that job's outcome: dead-lettered at once, or retried a few times and then dead-lettered; the jobs behind it go on.
import { describe, expect, it } from 'vitest';
import { drainWebhook, MAX_UNEXPECTED_FAILURE_ATTEMPTS } from '../../../shared/notify/sender.js';
import type { NotificationJob } from '../../../shared/notify/jobs.js';
import { MAX_JSON_DEPTH } from '../../../shared/platform/json-depth.js';
import { webhookKey } from '../../../shared/notify/webhook-target.js';
import { START, type Bench, useBenches } from './harness.js';
import { nestedContainers } from '../../support/deep-cards.js';

const openBench = useBenches();

const ordinary = (count: number, from = 1) =>
    Array.from({ length: count }, (_, index) => ({ id: `job-${from + index}`, to: 'ops', text: `message ${from + index}`, createdAt: START + from + index }));

function sentTexts(b: Bench, webhook = 'ops'): string[] {
    return b.sim
        .received(webhook)
        .filter((request) => request.outcome === 'delivered')
        .map((request) => {
            const json = request.json as { text?: string };
            return json.text ?? request.bodyText;
        });
}

describe('a job that cannot be sent', () => {
    it('dead-letters a job of 1,200 nested Containers at once, naming the depth, and delivers the three jobs behind it', async () => {
        const b = await openBench();
        await b.enqueue(...ordinary(3));
        const key = await b.storeDirectly({ id: 'deep', to: 'ops', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [nestedContainers(1_200)] } }, START);
        const result = await drainWebhook(key, b.deps());
        expect(result).toEqual({ kind: 'idle', sent: 3 });
        expect(sentTexts(b)).toEqual(['message 1', 'message 2', 'message 3']);
        const [letter] = await b.store.listDeadLetters();
        expect(letter).toMatchObject({ jobId: 'deep', source: 'delivery', attempts: 0 });
        expect(letter?.reason).toBe(`The job is too deeply nested: adaptiveCard.body[0].items…: nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays)`);
    });

    it.each<[string, Omit<Partial<NotificationJob>, 'id' | 'to'>, RegExp]>([
        ['template data its template does not take', { card: { template: 'alert', data: { title: 'CPU' } } }, /card data does not fit the "alert" template: card.data.severity: required/],
        ['an unknown template', { card: { template: 'gone', data: {} } }, /unknown template "gone"/],
        ['an unknown element', { adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'Fancy' }] } }, /Unknown element type "Fancy"/],
        ['a mention without its entity', { adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: '<at>Ann</at>' }] } }, /<at>Ann<\/at> has no mention entity/],
        ['a payload over the safe size', { text: 'x'.repeat(30_000) }, /over the 24576-byte safe limit/],
    ])('dead-letters %s stored before it was checked, naming the problem, and goes on', async (_what, content, reason) => {
        const b = await openBench();
        await b.enqueue(...ordinary(2));
        const key = await b.storeDirectly({ id: 'bad', to: 'ops', ...content }, START);
        await drainWebhook(key, b.deps());
        expect(sentTexts(b)).toEqual(['message 1', 'message 2']);
        const [letter] = await b.store.listDeadLetters();
        expect(letter?.jobId).toBe('bad');
        expect(letter?.reason).toMatch(reason);
    });
});

describe('an unexpected error while preparing a job', () => {
    /** Target resolution that throws for the job `bad`, as a bug of ours or a library would. */
    function failingFor(b: Bench, error: () => Error) {
        const deps = b.deps();
        return {
            ...deps,
            resolveTarget: (job: Parameters<typeof deps.resolveTarget>[0]) => {
                if (job.jobId === 'bad') {
                    throw error();
                }
                return deps.resolveTarget(job);
            },
        };
    }

    it(`records each failure on the job, backs off, and dead-letters it after ${MAX_UNEXPECTED_FAILURE_ATTEMPTS} attempts with the error; the jobs behind it wait, then go`, async () => {
        const b = await openBench();
        await b.enqueue({ id: 'bad', to: 'ops', text: 'never', createdAt: START }, ...ordinary(3));
        const key = webhookKey(new URL(b.config.targets.webhooks.get('ops')?.href ?? ''));
        const deps = { ...failingFor(b, () => new RangeError('Maximum call stack size exceeded')), settings: { ...b.deps().settings, maxInlineWaitMs: 0 } };

        const first = await drainWebhook(key, deps);
        expect(first.kind).toBe('waiting');
        expect(sentTexts(b)).toEqual([]);
        const failing = await b.store.headJob(key);
        expect(failing).toMatchObject({ jobId: 'bad', attempts: 1, firstAttemptAt: START, lastReason: 'RangeError: Maximum call stack size exceeded' });
        expect(failing?.notBefore).toBeGreaterThan(START);
        expect(b.wakeups.at(-1)?.at).toBe(failing?.notBefore);

        for (let drain = 0; drain < MAX_UNEXPECTED_FAILURE_ATTEMPTS * 2 && (await b.store.countJobs(key)) > 0; drain++) {
            b.clock.time = Math.max(b.clock.time, b.wakeups.at(-1)?.at ?? 0);
            await drainWebhook(key, deps);
        }
        expect(sentTexts(b)).toEqual(['message 1', 'message 2', 'message 3']);
        const [letter] = await b.store.listDeadLetters();
        expect(letter).toMatchObject({ jobId: 'bad', attempts: MAX_UNEXPECTED_FAILURE_ATTEMPTS, firstAttemptAt: START });
        expect(letter?.reason).toBe(`Could not be prepared for sending, ${MAX_UNEXPECTED_FAILURE_ATTEMPTS} attempts: RangeError: Maximum call stack size exceeded`);
        const retries = b.events.filter((event) => event.event === 'retrying' && event.jobId === 'bad');
        expect(retries.map((event) => event.attempt)).toEqual(Array.from({ length: MAX_UNEXPECTED_FAILURE_ATTEMPTS - 1 }, (_, index) => index + 1));
    });

    it('delivers the job once the error goes away before its attempts run out', async () => {
        const b = await openBench();
        await b.enqueue({ id: 'bad', to: 'ops', text: 'flaky', createdAt: START }, ...ordinary(1));
        const key = webhookKey(new URL(b.config.targets.webhooks.get('ops')?.href ?? ''));
        let failures = 2;
        const deps = b.deps();
        await drainWebhook(key, {
            ...deps,
            resolveTarget: (job) => {
                if (job.jobId === 'bad' && failures > 0) {
                    failures -= 1;
                    throw new TypeError('cannot read properties of undefined');
                }
                return deps.resolveTarget(job);
            },
        });
        expect(sentTexts(b)).toEqual(['flaky', 'message 1']);
        expect(await b.store.listDeadLetters()).toEqual([]);
    });
});

describe('digests with a bad job in the backlog', () => {
    it('never embeds a card that breaks the rules: the backlog before it goes as digests, it is dead-lettered alone, the rest follow, in order', async () => {
        const b = await openBench();
        const jobs = Array.from({ length: 130 }, (_, index) => ({ id: `job-${index}`, to: 'ops', text: `Disk usage on db-${index} is 91%`, createdAt: START + index }));
        const [key = ''] = await b.enqueue(...jobs);
        // A card no webhook can show, stored as an older version could have left it.
        await b.storeDirectly({ id: 'bad-card', to: 'ops', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'x', size: 'Hugee' }] } }, START + 70);
        const result = await drainWebhook(key, b.deps({ settings: { digestAfterMs: 10_000 } }));
        expect(result.kind).toBe('idle');
        const carried = b.sim.received('ops').map((request) => Array.from({ length: 130 }, (_, index) => index).filter((index) => request.bodyText.includes(`db-${index} is`)));
        expect(carried.flat()).toEqual(Array.from({ length: 130 }, (_, index) => index));
        expect(carried.filter((indexes) => indexes.length > 1).length).toBeGreaterThan(0);
        expect(b.sim.received('ops').some((request) => request.bodyText.includes('Hugee'))).toBe(false);
        const [letter] = await b.store.listDeadLetters();
        expect(letter).toMatchObject({ jobId: 'bad-card' });
        expect(letter?.reason).toMatch(/body\[0\]\.size: Invalid value "Hugee"/);
    });
});
