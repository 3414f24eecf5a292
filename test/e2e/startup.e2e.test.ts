// Start-up: `npm start` refuses to run with invalid settings, naming every bad key at once and never a secret's value.
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
    it('exits 1 naming every bad key, without printing the secret', () => {
        const secret = 'dGhpcyBpcyBub3QgMzIgYnl0ZXM=';
        const run = spawnSync(process.execPath, ['dist/tools/devhost/main.js', '--cwd', ROOT], {
            cwd: ROOT,
            encoding: 'utf8',
            timeout: 60_000,
            env: { PATH: process.env.PATH ?? '', PORT: '0', AzureWebJobsStorage: azurite.connectionString, TEAMS_OUTGOING_WEBHOOK_SECRETS: `ops:${secret}`, RATE_LIMIT_GUARD_MS: '5000' },
        });
        const output = `${run.stdout}${run.stderr}`;
        expect(run.status).toBe(1);
        expect(output).toContain('TEAMS_OUTGOING_WEBHOOK_SECRETS entry 1 ("ops"): the token must be base64 of 32 bytes');
        expect(output).toContain('RATE_LIMIT_GUARD_MS must be a whole number from 0 to 1000');
        expect(output).not.toContain(secret);
    });
});
