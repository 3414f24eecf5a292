import { describe, expect, it } from 'vitest';
import { parseGitHubMentionMap } from '../../../shared/notify/producers/github-mentions.js';
import { loadConfig } from '../../../shared/config.js';
import { ConfigurationError } from '../../../shared/platform/errors.js';

function configProblems(env: Record<string, string>): string[] {
    try {
        loadConfig(env);
        return [];
    } catch (thrown) {
        return thrown instanceof ConfigurationError ? [...thrown.problems] : [String(thrown)];
    }
}

describe('TEAMS_MENTION_MAP_GITHUB', () => {
    it('maps lower-case logins to UPNs or Entra object ids', () => {
        const { map, problems } = parseGitHubMentionMap(' Octocat:ada@contoso.com , dependabot[bot]:6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b,');
        expect(problems).toEqual([]);
        expect([...map]).toEqual([
            ['octocat', 'ada@contoso.com'],
            ['dependabot[bot]', '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b'],
        ]);
    });

    it('is empty when blank', () => {
        expect(parseGitHubMentionMap('  ').map.size).toBe(0);
        expect(loadConfig({}).github.mentionMap.size).toBe(0);
    });

    it.each([
        ['no colon', 'octocat', 'entry 1: write login:upn'],
        ['a login GitHub would not allow', '-octo:ada@contoso.com', 'entry 1: write login:upn'],
        ['a user that is neither a UPN nor an object id', 'octocat:ada', 'entry 1 ("octocat"): after the colon, a UPN'],
        ['one login twice, in another case', 'octocat:ada@contoso.com,OctoCat:bob@contoso.com', 'entry 2: the login "OctoCat" is mapped twice'],
    ])('stops start-up naming the key and the entry for %s', (_what, value, problem) => {
        const problems = configProblems({ TEAMS_MENTION_MAP_GITHUB: value });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(`TEAMS_MENTION_MAP_GITHUB ${problem}`);
    });

    it('reaches the configuration as a map', () => {
        expect(loadConfig({ TEAMS_MENTION_MAP_GITHUB: 'octocat:ada@contoso.com' }).github.mentionMap.get('octocat')).toBe('ada@contoso.com');
    });
});

describe('GITHUB_WEBHOOK_SECRET', () => {
    it('is kept as written', () => {
        expect(loadConfig({ GITHUB_WEBHOOK_SECRET: " It's a Secret " }).github.webhookSecret).toBe(" It's a Secret ");
    });

    it.each([
        ['unset', {}],
        ['blank', { GITHUB_WEBHOOK_SECRET: '  ' }],
        ['a Key Vault reference that has not resolved', { GITHUB_WEBHOOK_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv-relay.vault.azure.net/secrets/github-webhook-secret/)' }],
    ])('is absent when %s, so every delivery is refused', (_what, env: Record<string, string>) => {
        expect(loadConfig(env).github.webhookSecret).toBeUndefined();
    });
});
