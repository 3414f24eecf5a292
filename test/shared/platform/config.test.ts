import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configurationDefaults, loadConfig } from '../../../shared/config.js';
import { senderSettings } from '../../../shared/notify/sender.js';
import { DEFAULT_DIGEST_AFTER_MS, DEFAULT_LEASE_MS, DEFAULT_ORDER_SETTLE_MS } from '../../../shared/notify/settings.js';
import { DEFAULT_MENTION_MAX_AGE_SECONDS, DEFAULT_MENTION_REPLY_BUDGET_MS, mentionScopeSetting, parseMentionScope, parseOutgoingWebhookSecrets } from '../../../shared/mention/settings.js';
import { refusedWith } from '../../support/configuration-problems.js';

const TOKEN = 'vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=';
const OTHER_TOKEN = Buffer.alloc(32, 7).toString('base64');

/** The problems loadConfig refuses `env` with; fails the test when it accepts it. */
const problemsOf = (env: Record<string, string>): readonly string[] => refusedWith(() => loadConfig(env));

describe('loadConfig', () => {
    it('defaults to development storage, the notifications queue and a 4 s reply budget', () => {
        const config = loadConfig({});
        expect(config.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
        expect(config.queues.notifications).toBe('notifications');
        expect(config.queues.poison).toBe('notifications-poison');
        expect(config.mention.replyBudgetMs).toBe(DEFAULT_MENTION_REPLY_BUDGET_MS);
        expect(config.mention.keys).toEqual([]);
    });

    it('returns a frozen object', () => {
        const config = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: TOKEN });
        expect(Object.isFrozen(config)).toBe(true);
        expect(Object.isFrozen(config.mention.keys)).toBe(true);
    });

    it('freezes every section to the bottom: lists, maps and their values', () => {
        const config = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: TOKEN, TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c' });
        for (const section of Object.values(config)) {
            expect(Object.isFrozen(section)).toBe(true);
        }
        expect(Object.isFrozen(config.delivery.profiles.workflows.perConnection)).toBe(true);
        expect(Object.isFrozen(config.targets.allowedHosts[0])).toBe(true);
        expect(Object.isFrozen(config.targets.webhooks)).toBe(true);
        expect(Object.isFrozen(config.targets.webhooks.get('ops'))).toBe(true);
        expect(Object.isFrozen(config.mention.scopes.get('default'))).toBe(true);
        expect(() => {
            (config.delivery as { guardMs: number }).guardMs = 0;
        }).toThrow(TypeError);
    });

    it('gives the sender its defaults: config.delivery of an empty environment is senderSettings with the same guard, timeout and retry age', () => {
        const { delivery } = loadConfig({});
        expect(senderSettings({ guardMs: delivery.guardMs, timeoutMs: delivery.timeoutMs, retryMaxAgeMs: delivery.retryMaxAgeMs })).toEqual(delivery);
        expect(configurationDefaults()).toMatchObject({
            DELIVERY_LEASE_SECONDS: String(DEFAULT_LEASE_MS / 1_000),
            DIGEST_AFTER_SECONDS: String(DEFAULT_DIGEST_AFTER_MS / 1_000),
            ORDER_SETTLE_MS: String(DEFAULT_ORDER_SETTLE_MS),
        });
    });

    it('reads a bare token as the key named default', () => {
        const [key] = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: TOKEN }).mention.keys;
        expect(key?.name).toBe('default');
        expect(key?.key.equals(Buffer.from(TOKEN, 'base64'))).toBe(true);
    });

    it('reads several named tokens for rotation', () => {
        const keys = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: ` contoso:${TOKEN} , next:${OTHER_TOKEN}` }).mention.keys;
        expect(keys.map((key) => key.name)).toEqual(['contoso', 'next']);
    });

    it('refuses a token that does not decode to 32 bytes, naming the key but not the value', () => {
        const short = Buffer.alloc(16, 1).toString('base64');
        const problems = problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `ops:${short}` });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain('TEAMS_OUTGOING_WEBHOOK_SECRETS');
        expect(problems[0]).toContain('32 bytes');
        expect(problems.join()).not.toContain(short);
    });

    it('never prints a secret in the error message', () => {
        const almost = TOKEN.slice(0, -2) + '!=';
        try {
            loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `a:${almost}`, TEAMS_WEBHOOK_OPS: 'not a url with secret-sig' });
            expect.unreachable();
        } catch (thrown) {
            const message = (thrown as Error).message;
            expect(message).not.toContain(almost);
            expect(message).not.toContain('secret-sig');
            expect(message).toContain('TEAMS_WEBHOOK_OPS');
        }
    });

    it('refuses a token name used twice', () => {
        expect(problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `a:${TOKEN},a:${OTHER_TOKEN}` })[0]).toContain('used twice');
    });

    it('reports every problem at once', () => {
        const problems = problemsOf({
            TEAMS_OUTGOING_WEBHOOK_SECRETS: 'x:short=',
            TEAMS_WEBHOOK_OPS: 'ftp://example.com',
            AzureWebJobsStorage: 'nonsense',
        });
        expect(problems).toHaveLength(3);
    });

    it('reads webhook aliases case-insensitively', () => {
        const config = loadConfig({ TEAMS_WEBHOOK_Ops: 'https://contoso.webhook.office.com/webhookb2/abc' });
        expect(config.targets.webhooks.get('ops')?.hostname).toBe('contoso.webhook.office.com');
    });

    it('refuses an invalid queue name, naming the key', () => {
        expect(problemsOf({ NOTIFICATIONS_QUEUE: 'Bad_Queue' })[0]).toMatch(/^NOTIFICATIONS_QUEUE/);
    });

    it.each(['0', '-5', '1.5', 'soon', '6000'])('refuses a reply budget of %s', (value) => {
        expect(problemsOf({ MENTION_REPLY_BUDGET_MS: value })[0]).toContain('MENTION_REPLY_BUDGET_MS');
    });

    it('accepts identity-based storage settings', () => {
        const config = loadConfig({ AzureWebJobsStorage__accountName: 'relaystore' });
        expect(config.storage).toEqual({ kind: 'identity', accountName: 'relaystore' });
    });
});

describe('parseOutgoingWebhookSecrets', () => {
    it('ignores empty entries', () => {
        expect(parseOutgoingWebhookSecrets(` , ${TOKEN}, `).keys).toHaveLength(1);
    });
});

describe('MENTION_MAX_AGE_SECONDS', () => {
    it('defaults to five minutes', () => {
        expect(loadConfig({}).mention.maxAgeMs).toBe(DEFAULT_MENTION_MAX_AGE_SECONDS * 1_000);
        expect(DEFAULT_MENTION_MAX_AGE_SECONDS).toBe(300);
    });

    it('is read in seconds', () => {
        expect(loadConfig({ MENTION_MAX_AGE_SECONDS: '60' }).mention.maxAgeMs).toBe(60_000);
    });

    it.each(['0', '9', '3601', '1.5', 'five minutes', '-300'])('refuses %s, naming the key', (value) => {
        expect(problemsOf({ MENTION_MAX_AGE_SECONDS: value })[0]).toMatch(/^MENTION_MAX_AGE_SECONDS must be a whole number from 10 to 3600$/);
    });
});

describe('ALLOW_URL_TARGETS', () => {
    it('is off by default', () => {
        expect(loadConfig({}).targets.allowUrlTargets).toBe(false);
        expect(loadConfig({ ALLOW_URL_TARGETS: ' ' }).targets.allowUrlTargets).toBe(false);
    });

    it.each([
        ['true', true],
        ['TRUE', true],
        [' false ', false],
        ['False', false],
    ])('reads %j', (value, expected) => {
        expect(loadConfig({ ALLOW_URL_TARGETS: value }).targets.allowUrlTargets).toBe(expected);
    });

    it('refuses anything but true or false, naming the key and never guessing', () => {
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (value) => {
                const word = value.trim().toLowerCase();
                if (word === 'true' || word === 'false' || word === '') {
                    expect(loadConfig({ ALLOW_URL_TARGETS: value }).targets.allowUrlTargets).toBe(word === 'true');
                } else {
                    expect(problemsOf({ ALLOW_URL_TARGETS: value })).toEqual(['ALLOW_URL_TARGETS must be true or false']);
                }
            }),
            { numRuns: 300 },
        );
    });
});

describe('TEAMS_MENTION_SCOPE_<NAME>', () => {
    const twoTokens = `ops:${TOKEN},dev-team:${OTHER_TOKEN}`;

    it('lets the only token see every webhook when it is unset', () => {
        expect(loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: TOKEN }).mention.scopes.get('default')).toEqual({ kind: 'all' });
    });

    it('lets no token see anything when several are configured and their scope is unset, naming the setting to add', () => {
        const scopes = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens }).mention.scopes;
        expect(scopes.get('ops')).toEqual({ kind: 'none', setting: 'TEAMS_MENTION_SCOPE_OPS' });
        expect(scopes.get('dev-team')).toEqual({ kind: 'none', setting: 'TEAMS_MENTION_SCOPE_DEV_TEAM' });
    });

    it('reads aliases (lower-cased, deduplicated) and *', () => {
        const scopes = loadConfig({
            TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens,
            TEAMS_MENTION_SCOPE_OPS: ' Ops , alerts,,ops ',
            TEAMS_MENTION_SCOPE_DEV_TEAM: '*',
        }).mention.scopes;
        expect(scopes.get('ops')).toEqual({ kind: 'aliases', aliases: ['ops', 'alerts'] });
        expect(scopes.get('dev-team')).toEqual({ kind: 'all' });
    });

    it('limits even the only token when its scope is set', () => {
        expect(loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `ops:${TOKEN}`, TEAMS_MENTION_SCOPE_OPS: 'ops' }).mention.scopes.get('ops')).toEqual({
            kind: 'aliases',
            aliases: ['ops'],
        });
    });

    it('treats a blank value as unset', () => {
        expect(loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens, TEAMS_MENTION_SCOPE_OPS: ' , ' }).mention.scopes.get('ops')?.kind).toBe('none');
    });

    it('reads the setting name case-insensitively', () => {
        expect(loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens, teams_mention_scope_ops: '*' }).mention.scopes.get('ops')).toEqual({ kind: 'all' });
    });

    it('refuses a scope for a token that is not configured, naming the key and the settings that would work', () => {
        expect(problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens, TEAMS_MENTION_SCOPE_OPZ: '*' })).toEqual([
            'TEAMS_MENTION_SCOPE_OPZ: no token of TEAMS_OUTGOING_WEBHOOK_SECRETS has this scope setting (configured: TEAMS_MENTION_SCOPE_OPS, TEAMS_MENTION_SCOPE_DEV_TEAM)',
        ]);
        expect(problemsOf({ TEAMS_MENTION_SCOPE_OPS: '*' })[0]).toMatch(/^TEAMS_MENTION_SCOPE_OPS: .*configured: none/);
    });

    it('refuses an entry that is not an alias, naming the key and the entry', () => {
        expect(problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens, TEAMS_MENTION_SCOPE_OPS: 'ops,no spaces!' })).toEqual([
            `TEAMS_MENTION_SCOPE_OPS entry 2 ("no spaces!"): an alias is 1-64 letters, digits, '_' or '-', as in TEAMS_WEBHOOK_<ALIAS>`,
        ]);
    });

    it('refuses * mixed with aliases', () => {
        expect(problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens, TEAMS_MENTION_SCOPE_OPS: 'ops,*' })[0]).toMatch(/^TEAMS_MENTION_SCOPE_OPS: '\*' .* stands alone/);
    });

    it('refuses the same scope set twice under two spellings of the key', () => {
        expect(problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: twoTokens, TEAMS_MENTION_SCOPE_OPS: 'ops', Teams_Mention_Scope_Ops: '*' })[0]).toMatch(/configured twice/);
    });

    it('refuses two token names that share one scope setting', () => {
        expect(problemsOf({ TEAMS_OUTGOING_WEBHOOK_SECRETS: `a-b:${TOKEN},a.b:${OTHER_TOKEN}` })).toEqual([
            'TEAMS_OUTGOING_WEBHOOK_SECRETS: the names "a-b" and "a.b" share the scope setting TEAMS_MENTION_SCOPE_A_B; rename one',
        ]);
    });

    it('names the setting of a token with letters, digits, -, _ and . in its name', () => {
        expect(mentionScopeSetting('Relay-2.eu_west')).toBe('TEAMS_MENTION_SCOPE_RELAY_2_EU_WEST');
    });

    it('parses any value into aliases that are valid, or short problems that name the key', () => {
        const pieces = fc.oneof(
            fc.constantFrom('ops', 'OPS', 'alerts', '*', ' ', ',', '-', '_', 'a'.repeat(64), 'a'.repeat(65), 'ü', '\u0000', '\n', '"', 'x y'),
            fc.string({ unit: 'binary', maxLength: 8 }),
        );
        fc.assert(
            fc.property(fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join('')), (value) => {
                const { scope, problems } = parseMentionScope('TEAMS_MENTION_SCOPE_X', value);
                if (problems.length > 0) {
                    expect(scope).toBeUndefined();
                    for (const problem of problems) {
                        expect(problem.startsWith('TEAMS_MENTION_SCOPE_X')).toBe(true);
                        expect(problem.length).toBeLessThan(200);
                    }
                } else if (scope?.kind === 'aliases') {
                    expect(scope.aliases.length).toBeGreaterThan(0);
                    expect(new Set(scope.aliases).size).toBe(scope.aliases.length);
                    for (const alias of scope.aliases) {
                        expect(alias).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
                    }
                } else if (scope?.kind === 'all') {
                    expect(value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')).toEqual(['*']);
                } else {
                    expect(value.replace(/[\s,]/g, '')).toBe('');
                }
            }),
            { numRuns: 2_000 },
        );
    });

    it('gives every configured token a scope and fails start-up on any bad scope setting, for any environment', () => {
        const name = fc.constantFrom('ops', 'dev', 'a-b', 'default');
        const key = fc.oneof(name.map(mentionScopeSetting), fc.constantFrom('TEAMS_MENTION_SCOPE_', 'TEAMS_MENTION_SCOPE_NOPE', 'teams_mention_scope_ops'));
        const value = fc.oneof(fc.constantFrom('*', 'ops', 'ops,alerts', '', 'bad alias', '*,ops'), fc.string({ maxLength: 10 }));
        fc.assert(
            fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 3 }), fc.dictionary(key, value, { maxKeys: 4 }), (names, scopes) => {
                const secrets = names.map((tokenName, index) => `${tokenName}:${Buffer.alloc(32, index + 1).toString('base64')}`).join(',');
                let config;
                try {
                    config = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: secrets, ...scopes });
                } catch (thrown) {
                    expect((thrown as Error).name).toBe('ConfigurationError');
                    return;
                }
                expect([...config.mention.scopes.keys()].sort()).toEqual([...names].sort());
                const settings = names.map(mentionScopeSetting);
                expect(Object.keys(scopes).filter((setting) => !settings.includes(setting.toUpperCase()))).toEqual([]);
            }),
        );
    });
});
