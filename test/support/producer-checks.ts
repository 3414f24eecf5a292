/** Checks on what a producer's converter made, in its unit tests: its one job, and whether both kinds of destination accept it. */
import { beforeAll, expect } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { checkJob } from '../../shared/notify/accept.js';
import type { Conversion, ProducedJob } from '../../shared/notify/producers/conversion.js';
import { producerJob } from '../../shared/notify/producers/endpoint.js';
import { CONNECTOR_WEBHOOK_URL, WORKFLOWS_WEBHOOK_URL } from './http-requests.js';

/** A configuration with an alias of each dialect: `ops` (a connector) and `flow` (Workflows). */
export const BOTH_DIALECTS_CONFIG = loadConfig({ TEAMS_WEBHOOK_OPS: CONNECTOR_WEBHOOK_URL, TEAMS_WEBHOOK_FLOW: WORKFLOWS_WEBHOOK_URL });

/** The one job a conversion holds, failing the test for anything else. */
export function onlyJob(conversion: Conversion): ProducedJob {
    expect(conversion.kind).toBe('jobs');
    const jobs = conversion.kind === 'jobs' ? conversion.jobs : [];
    expect(jobs).toHaveLength(1);
    return jobs[0] as ProducedJob;
}

/** Sends the job to both kinds of destination through the same checks the endpoint and the sender make. */
export async function expectDeliverable(producer: string, job: ProducedJob): Promise<void> {
    for (const to of ['ops', 'flow']) {
        const checked = await checkJob(producerJob(producer, to, job), BOTH_DIALECTS_CONFIG);
        expect(checked.ok ? [] : checked.problems).toEqual([]);
    }
}

/**
 * Name/value fact rows, in order, as a card's `facts` holds them.
 *
 * @example
 * factRows({ Alerts: '2 firing', team: 'infra' }); // [{ name: 'Alerts', value: '2 firing' }, { name: 'team', value: 'infra' }]
 */
export function factRows(facts: Readonly<Record<string, string>>): { name: string; value: string }[] {
    return Object.entries(facts).map(([name, value]) => ({ name, value }));
}

/**
 * The one job of a conversion made once, in `beforeAll`, for the tests of the enclosing `describe`
 * that all read the same sample; `data` is its card data.
 *
 * @example
 * const firing = convertedOnce(() => convert(fixture('firing')));
 * it('is critical', () => expect(firing.data.severity).toBe('critical'));
 */
export function convertedOnce<J extends { readonly data: Record<string, unknown> }>(convert: () => Promise<J>): { readonly job: J; readonly data: Record<string, unknown> } {
    let converted: J | undefined;
    beforeAll(async () => {
        converted = await convert();
    });
    const job = (): J => {
        if (converted === undefined) {
            throw new Error('The sample is converted in beforeAll');
        }
        return converted;
    };
    return {
        get job() {
            return job();
        },
        get data() {
            return job().data;
        },
    };
}
