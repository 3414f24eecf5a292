// Limit profiles: the built-in windows with their sources, the LIMITS_* overrides, and which Teams connection a Workflows URL belongs to.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ConfigurationError } from '../../../shared/platform/errors.js';
import {
    CONNECTOR_PROFILE,
    DEFAULT_LIMIT_PROFILES,
    formatLimits,
    limitProfiles,
    MAX_SENDS_PER_LONGEST_WINDOW,
    parseLimits,
    sendsAllowedInLongestWindow,
    teamsConnectionOf,
    WORKFLOWS_CONNECTION_LIMITS,
    WORKFLOWS_PROFILE,
} from '../../../shared/notify/limit-profiles.js';
import { TEAMS_WEBHOOK_LIMITS } from '../../../shared/notify/limiter.js';

const FLOW_A = 'https://prod-27.westeurope.logic.azure.com:443/workflows/aaa/triggers/manual/paths/invoke?api-version=2016-06-01&sig=a';
const FLOW_B = 'https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations/direct/cu/2/workflows/bbb/triggers/manual/paths/invoke?api-version=1&sig=b';
const CONNECTOR = 'https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d';

function problemsOf(env: Record<string, string>): string[] {
    try {
        loadConfig(env);
        return [];
    } catch (thrown) {
        if (thrown instanceof ConfigurationError) return [...thrown.problems];
        throw thrown;
    }
}

describe('the built-in profiles', () => {
    it('pace a connector URL by the five windows of Teams’ table and no connection', () => {
        expect(formatLimits(CONNECTOR_PROFILE.perUrl)).toBe('4/1,60/30,100/3600,150/7200,1800/86400');
        expect(CONNECTOR_PROFILE.perConnection).toEqual([]);
    });

    it('pace a Workflows URL by the same five, and its connection by 100 calls/60 s and 25 Flow bot posts/300 s', () => {
        expect(WORKFLOWS_PROFILE.perUrl).toBe(TEAMS_WEBHOOK_LIMITS);
        expect(formatLimits(WORKFLOWS_CONNECTION_LIMITS)).toBe('100/60,25/300');
        expect(DEFAULT_LIMIT_PROFILES.workflows.perConnection).toBe(WORKFLOWS_CONNECTION_LIMITS);
    });
});

describe('parseLimits', () => {
    it('reads count/seconds pairs, ordered by window length', () => {
        expect(parseLimits(' 25 / 300 , 100/60', 'LIMITS_WORKFLOWS_CONNECTION', [])).toEqual([
            { windowMs: 60_000, max: 100 },
            { windowMs: 300_000, max: 25 },
        ]);
    });

    it.each([
        ['', 'must be count/seconds'],
        ['25', 'must be count/seconds'],
        ['25/300,', 'window 2: must be count/seconds'],
        ['-1/60', 'must be count/seconds'],
        ['1.5/60', 'must be count/seconds'],
        ['0/60', 'the count must be from 1 to 18000'],
        ['20000/86400', 'the count must be from 1 to 18000'],
        ['25/0', 'the seconds must be from 1 to 86400'],
        ['25/86401', 'the seconds must be from 1 to 86400'],
        ['25/300,30/300', 'a 300 s window is given twice'],
        ['1,2,3,4,5,6,7,8,9,10,11', 'at most 10 windows'],
        ['4/1', 'allow 4 sends'],
    ])('refuses %j, naming the key and the window', (value, problem) => {
        const problems: string[] = [];
        const parsed = parseLimits(value, 'LIMITS_X', problems);
        if (value === '4/1') {
            // One short window alone is fine: it allows only 4 sends in its longest window.
            expect(parsed).toEqual([{ windowMs: 1_000, max: 4 }]);
            return;
        }
        expect(parsed).toBeUndefined();
        expect(problems.join('\n')).toContain('LIMITS_X');
        expect(problems.join('\n')).toContain(problem);
    });

    it('refuses windows that together allow more sends in the longest window than a send log holds', () => {
        const problems: string[] = [];
        expect(parseLimits('100/1,10000/86400', 'LIMITS_CONNECTOR', problems)).toBeUndefined();
        expect(problems[0]).toMatch(/LIMITS_CONNECTOR: the windows allow 10000 sends in the longest window; at most 3000/);
    });

    it('accepts exactly what it says, for any hostile text: every window positive and bounded, or a named problem', () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.array(fc.tuple(fc.integer({ min: -5, max: 100_000 }), fc.integer({ min: -5, max: 100_000 })), { maxLength: 12 }).map((pairs) => pairs.map(([count, seconds]) => `${count}/${seconds}`).join(','))), (value) => {
                const problems: string[] = [];
                const parsed = parseLimits(value, 'LIMITS_X', problems);
                if (parsed === undefined) {
                    return problems.length > 0 && problems.every((problem) => problem.startsWith('LIMITS_X'));
                }
                return (
                    problems.length === 0 &&
                    parsed.length > 0 &&
                    parsed.every((limit) => limit.max >= 1 && limit.windowMs >= 1_000 && limit.windowMs <= 86_400_000) &&
                    sendsAllowedInLongestWindow(parsed) <= MAX_SENDS_PER_LONGEST_WINDOW
                );
            }),
            { numRuns: 2_000 },
        );
    });
});

describe('limitProfiles', () => {
    it('keeps the built-in windows for unset or blank settings', () => {
        expect(limitProfiles({ LIMITS_CONNECTOR: '  ' })).toEqual(DEFAULT_LIMIT_PROFILES);
    });

    it('replaces each list of windows on its own', () => {
        const profiles = limitProfiles({ LIMITS_WORKFLOWS_CONNECTION: '100/60,20/300', LIMITS_WORKFLOWS: '2/1,1800/86400' });
        expect(formatLimits(profiles.workflows.perConnection)).toBe('100/60,20/300');
        expect(formatLimits(profiles.workflows.perUrl)).toBe('2/1,1800/86400');
        expect(profiles.connector).toEqual(CONNECTOR_PROFILE);
    });

    it('fails start-up naming every wrong key', () => {
        expect(problemsOf({ LIMITS_CONNECTOR: 'fast', LIMITS_WORKFLOWS_CONNECTION: '25/0' })).toEqual([
            'LIMITS_CONNECTOR window 1: must be count/seconds, e.g. 25/300',
            'LIMITS_WORKFLOWS_CONNECTION window 1: the seconds must be from 1 to 86400 (the send log keeps 24 h)',
        ]);
    });
});

describe('TEAMS_CONNECTION_<ALIAS>', () => {
    it('puts every Workflows alias without it, and every Workflows {url} target, on the connection default', () => {
        const config = loadConfig({ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_WEBHOOK_B: FLOW_B });
        expect(teamsConnectionOf(new URL(FLOW_A), config.targets.connections)).toBe('default');
        expect(teamsConnectionOf(new URL(FLOW_B), config.targets.connections)).toBe('default');
        expect(teamsConnectionOf(new URL(`${FLOW_A}x`), config.targets.connections)).toBe('default');
    });

    it('names a connection, case-insensitively, and gives a connector URL none', () => {
        const config = loadConfig({ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_WEBHOOK_B: FLOW_B, TEAMS_CONNECTION_A: 'Ada', teams_connection_b: 'grace', TEAMS_WEBHOOK_OPS: CONNECTOR });
        expect(teamsConnectionOf(new URL(FLOW_A), config.targets.connections)).toBe('ada');
        expect(teamsConnectionOf(new URL(FLOW_B), config.targets.connections)).toBe('grace');
        expect(teamsConnectionOf(new URL(CONNECTOR), config.targets.connections)).toBeUndefined();
    });

    it('gives one URL under two aliases one connection, whichever alias a job names', () => {
        const config = loadConfig({ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_WEBHOOK_ALSO_A: FLOW_A, TEAMS_CONNECTION_A: 'ada', TEAMS_CONNECTION_ALSO_A: 'ada' });
        expect(teamsConnectionOf(new URL(FLOW_A), config.targets.connections)).toBe('ada');
    });

    it.each([
        [{ TEAMS_CONNECTION_NOPE: 'ada' }, 'TEAMS_CONNECTION_NOPE: no TEAMS_WEBHOOK_NOPE is configured for alias "nope"'],
        [{ TEAMS_WEBHOOK_OPS: CONNECTOR, TEAMS_CONNECTION_OPS: 'ada' }, 'TEAMS_CONNECTION_OPS: TEAMS_WEBHOOK_OPS is a connector URL; only a Workflows URL posts through a Teams connection'],
        [{ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_CONNECTION_A: 'ada lovelace' }, "TEAMS_CONNECTION_A: the connection name must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"],
        [{ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_CONNECTION_A: '' }, "TEAMS_CONNECTION_A: the connection name must be 1-64 letters"],
        [{ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_CONNECTION_A: 'a|b' }, 'TEAMS_CONNECTION_A: the connection name must'],
        [{ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_WEBHOOK_B: FLOW_A, TEAMS_CONNECTION_A: 'ada', TEAMS_CONNECTION_B: 'grace' }, 'has the same URL as'],
    ])('refuses %j at start-up, naming the key', (env, problem) => {
        expect(problemsOf(env).join('\n')).toContain(problem);
    });

    it('never lets a hostile name through: a start-up problem naming the key, or a name fit for a table key', () => {
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (name) => {
                const problems = problemsOf({ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_CONNECTION_A: name });
                if (problems.length > 0) {
                    return problems.every((problem) => problem.startsWith('TEAMS_CONNECTION_A'));
                }
                const connection = teamsConnectionOf(new URL(FLOW_A), loadConfig({ TEAMS_WEBHOOK_A: FLOW_A, TEAMS_CONNECTION_A: name }).targets.connections) ?? '';
                return /^[a-z0-9][a-z0-9_.-]{0,63}$/.test(connection);
            }),
            { numRuns: 1_000 },
        );
    });
});
