// Start-up: `npm start` refuses to run with an invalid setting, naming the key and never its value.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type TestAzurite } from '../support/azurite.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let azurite: TestAzurite;

beforeAll(async () => {
    azurite = await startAzurite();
});
afterAll(async () => {
    await azurite.stop();
});

describe('start-up with an invalid configuration', () => {
    it('exits 1 naming the bad key, without printing the secret', () => {
        const secret = 'dGhpcyBpcyBub3QgMzIgYnl0ZXM=';
        const run = spawnSync(process.execPath, ['dist/devhost/main.js', '--cwd', ROOT], {
            cwd: ROOT,
            encoding: 'utf8',
            timeout: 60_000,
            env: { PATH: process.env.PATH ?? '', PORT: '0', AzureWebJobsStorage: azurite.connectionString, TEAMS_OUTGOING_WEBHOOK_SECRETS: `ops:${secret}` },
        });
        const output = `${run.stdout}${run.stderr}`;
        expect(run.status).toBe(1);
        expect(output).toContain('TEAMS_OUTGOING_WEBHOOK_SECRETS entry 1 ("ops"): the token must be base64 of 32 bytes');
        expect(output).not.toContain(secret);
    });
});
