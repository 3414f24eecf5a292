/** An invalid configuration reports every problem at once, each naming its key and none showing a secret. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ConfigurationError } from '../../../shared/platform/errors.js';

/** The error loadConfig throws for `env`; fails the test when it accepts it. */
function configurationError(env: Record<string, string>): ConfigurationError {
    try {
        loadConfig(env);
    } catch (thrown) {
        if (thrown instanceof ConfigurationError) return thrown;
        throw thrown;
    }
    throw new Error('expected the configuration to be refused');
}

/** A secret-looking value that cannot occur in any message by chance. */
const secretValue = fc.stringMatching(/^[A-Za-z0-9]{24,40}$/).map((random) => `Secret${random}`);

/**
 * One bad setting per key the app checks, each built around a random value: the key it must be
 * reported under, and the parts of the value that are secret (tokens and webhook URLs).
 */
const badSettings = {
    NOTIFICATIONS_QUEUE: fc.constantFrom('Bad_Queue', 'x', 'q'.repeat(50), 'double--hyphen').map((value) => ({ value, secrets: [] })),
    MENTION_REPLY_BUDGET_MS: fc.constantFrom('0', '-5', '1.5', 'soon', '6000').map((value) => ({ value, secrets: [] })),
    DELIVERY_TIMEOUT_MS: fc.constantFrom('1', 'never').map((value) => ({ value, secrets: [] })),
    RATE_LIMIT_GUARD_MS: fc.constantFrom('-1', '1001', 'lots').map((value) => ({ value, secrets: [] })),
    ORDER_SETTLE_MS: fc.constantFrom('60001', '0.5').map((value) => ({ value, secrets: [] })),
    SWEEP_SCHEDULE: fc.constantFrom('* * *', 'every minute').map((value) => ({ value, secrets: [] })),
    AzureWebJobsStorage__queueServiceUri: fc.constantFrom('not a url', 'queue service').map((value) => ({ value, secrets: [] })),
    TEAMS_OUTGOING_WEBHOOK_SECRETS: secretValue.map((secret) => ({ value: `ops:${secret}`, secrets: [secret] })),
    TEAMS_WEBHOOK_OPS: secretValue.map((secret) => ({ value: `https://evil.example.com/webhookb2/${secret}?sig=${secret}`, secrets: [secret] })),
    TEAMS_WEBHOOK_DEV: secretValue.map((secret) => ({ value: `not a url ${secret}`, secrets: [secret] })),
} as const;

type BadKey = keyof typeof badSettings;

describe('an invalid configuration', () => {
    it('names every bad key at once, with no value of a secret', () => {
        const token = 'dGhpcyBpcyBub3QgMzIgYnl0ZXM=';
        const url = 'https://evil.example.com/webhookb2/abc?sig=hidden';
        const error = configurationError({
            NOTIFICATIONS_QUEUE: 'Bad_Queue',
            RATE_LIMIT_GUARD_MS: '5000',
            SWEEP_SCHEDULE: '* * *',
            TEAMS_OUTGOING_WEBHOOK_SECRETS: `ops:${token}`,
            TEAMS_WEBHOOK_OPS: url,
        });
        expect(error.problems).toEqual([
            expect.stringMatching(/^NOTIFICATIONS_QUEUE /),
            expect.stringMatching(/^RATE_LIMIT_GUARD_MS /),
            expect.stringMatching(/^SWEEP_SCHEDULE /),
            expect.stringMatching(/^TEAMS_OUTGOING_WEBHOOK_SECRETS entry 1 /),
            expect.stringMatching(/^TEAMS_WEBHOOK_OPS: /),
        ]);
        expect(error.message).not.toContain(token);
        expect(error.message).not.toContain('hidden');
        expect(error.message).not.toContain('abc');
    });

    it('reports each of any set of bad settings under its key, and never a secret', () => {
        const keys = Object.keys(badSettings) as BadKey[];
        const someBadSettings = fc
            .subarray(keys, { minLength: 1 })
            .chain((chosen) => fc.tuple(...chosen.map((key) => badSettings[key].map((bad) => ({ key, ...bad })))));
        fc.assert(
            fc.property(someBadSettings, (bad) => {
                const env = Object.fromEntries(bad.map(({ key, value }) => [key, value]));
                const error = configurationError(env);
                for (const { key, secrets } of bad) {
                    expect(error.problems.some((problem) => problem.startsWith(key))).toBe(true);
                    for (const secret of secrets) {
                        expect(error.message).not.toContain(secret);
                    }
                }
                expect(error.problems.length).toBeGreaterThanOrEqual(bad.length);
            }),
            { numRuns: 300 },
        );
    });
});
