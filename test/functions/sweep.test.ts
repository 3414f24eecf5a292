// The sweep's timer as the local host registers it from the built app: on SWEEP_SCHEDULE as the configuration reads it, its default when blank, a bad one refused.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configurationDefaults, loadConfig } from '../../shared/config.js';
import { developmentConnectionString, startLocalHost, type LocalHost } from '../../tools/devhost/index.js';
import { freePort, recordingLog } from '../tools/devhost/fixture-app.js';

/** The repository, whose built `dist/functions/sweep.js` the host loads (the test run builds `dist/` first). */
const REPO = join(import.meta.dirname, '..', '..');

let host: LocalHost | undefined;

afterEach(async () => {
    await host?.stop();
    host = undefined;
});

/** Starts the local host on the sweep alone with `SWEEP_SCHEDULE` set to `setting`; the schedule its timer runs on. */
async function sweepScheduleWith(setting: string): Promise<string | undefined> {
    // Timer triggers need no storage locally; the connection only has to be well formed.
    const [blobPort, queuePort, tablePort] = await Promise.all([freePort(), freePort(), freePort()]);
    host = await startLocalHost({
        cwd: REPO,
        port: 0,
        functionFiles: ['dist/functions/sweep.js'],
        env: { SWEEP_SCHEDULE: setting, AzureWebJobsStorage: developmentConnectionString({ blobPort, queuePort, tablePort }) },
        log: recordingLog().log,
    });
    const sweep = host.functions.find((fn) => fn.name === 'sweep');
    return sweep?.kind === 'timer' ? sweep.schedule : undefined;
}

describe('the sweep timer', () => {
    it('runs on SWEEP_SCHEDULE, trimmed, the schedule the configuration reads', async () => {
        const setting = ' 0 0 9 * * Mon-Fri ';
        expect(await sweepScheduleWith(setting)).toBe('0 0 9 * * Mon-Fri');
        expect(loadConfig({ SWEEP_SCHEDULE: setting }).sweep.schedule).toBe('0 0 9 * * Mon-Fri');
    });

    it('runs on the configuration’s default, every minute, when SWEEP_SCHEDULE is blank', async () => {
        expect(await sweepScheduleWith('  ')).toBe(configurationDefaults().SWEEP_SCHEDULE);
        expect(configurationDefaults().SWEEP_SCHEDULE).toBe('0 */1 * * * *');
    });

    it('hands a schedule the configuration refuses to the host as written, which refuses the timer by name', async () => {
        await expect(sweepScheduleWith('every minute')).rejects.toThrow(/^Timer function "sweep": /);
        expect(() => loadConfig({ SWEEP_SCHEDULE: 'every minute' })).toThrow(/SWEEP_SCHEDULE must be an NCRONTAB expression with 6 fields/);
    });
});
