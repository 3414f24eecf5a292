import { describe, expect, it } from 'vitest';
import { DEFAULT_MENTION_REPLY_BUDGET_MS, loadConfig, parseOutgoingWebhookSecrets } from '../../shared/config/index.js';
import { ConfigurationError } from '../../shared/errors/index.js';

const TOKEN = 'vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=';
const OTHER_TOKEN = Buffer.alloc(32, 7).toString('base64');

function problemsOf(env: Record<string, string>): readonly string[] {
    try {
        loadConfig(env);
    } catch (thrown) {
        if (thrown instanceof ConfigurationError) {
            return thrown.problems;
        }
        throw thrown;
    }
    throw new Error('expected a ConfigurationError');
}

describe('loadConfig', () => {
    it('defaults to development storage, the notifications queue and a 4 s reply budget', () => {
        const config = loadConfig({});
        expect(config.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
        expect(config.notificationsQueue).toBe('notifications');
        expect(config.poisonQueue).toBe('notifications-poison');
        expect(config.mentionReplyBudgetMs).toBe(DEFAULT_MENTION_REPLY_BUDGET_MS);
        expect(config.outgoingWebhookKeys).toEqual([]);
    });

    it('returns a frozen object', () => {
        const config = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: TOKEN });
        expect(Object.isFrozen(config)).toBe(true);
        expect(Object.isFrozen(config.outgoingWebhookKeys)).toBe(true);
    });

    it('reads a bare token as the key named default', () => {
        const [key] = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: TOKEN }).outgoingWebhookKeys;
        expect(key?.name).toBe('default');
        expect(key?.key.equals(Buffer.from(TOKEN, 'base64'))).toBe(true);
    });

    it('reads several named tokens for rotation', () => {
        const keys = loadConfig({ TEAMS_OUTGOING_WEBHOOK_SECRETS: ` contoso:${TOKEN} , next:${OTHER_TOKEN}` }).outgoingWebhookKeys;
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
        expect(config.webhooks.get('ops')?.hostname).toBe('contoso.webhook.office.com');
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
