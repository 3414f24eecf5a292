/** Reading what a producer's converter made, in tests: its one job and card data, and the payload the sender would build of it. */
import type { Conversion, ProducedJob } from '../../../shared/notify/producers/conversion.js';
import { buildTeamsPayload } from '../../../shared/notify/payload.js';
import { fixtureBytes } from '../../support/fixtures.js';

/** A producer fixture as parsed JSON, e.g. `alertmanager/firing`. */
export type ProducerPayload = Record<string, unknown> & { alerts: Record<string, unknown>[] };

/** `test/fixtures/producers/<name>.json`, parsed. */
export function producerFixture(name: string): ProducerPayload {
    return JSON.parse(fixtureBytes(`producers/${name}.json`).toString('utf8')) as ProducerPayload;
}

/** The one job a conversion holds, with its card data; throws for anything else. */
export async function onlyJob(conversion: Promise<Conversion>): Promise<ProducedJob & { data: Record<string, unknown> }> {
    const converted = await conversion;
    const [job] = converted.kind === 'jobs' && converted.jobs.length === 1 ? converted.jobs : [];
    if (job === undefined) {
        throw new TypeError(`expected one job, got ${JSON.stringify(converted).slice(0, 300)}`);
    }
    return { ...job, data: job.card.data };
}

/** The size of the job's Workflows payload, once the sender has built it for both dialects (which throws when it would refuse it). */
export async function sendableBytes(job: ProducedJob): Promise<number> {
    const valid = { to: 'ops', card: { template: job.card.template, data: { ...job.card.data } } };
    await buildTeamsPayload(valid, 'connector');
    return (await buildTeamsPayload(valid, 'workflows')).bytes;
}
