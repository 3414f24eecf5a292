import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseActivity } from '../../../shared/mention/activity.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_COMMANDS, remainingBudgetMs, runWithDeadline, type CommandInput, type MentionCaller, type MentionCommand } from '../../../shared/mention/commands/index.js';
import { answerMention } from '../../../shared/mention/mention.js';

const activity = parseActivity({
    type: 'message',
    from: { id: '29:ann', name: 'Ann Smith', aadObjectId: 'aad-1' },
    conversation: { id: '19:chan@thread.skype;messageid=1', tenantId: 'tenant-1' },
    channelData: { teamsChannelId: '19:chan@thread.skype', teamsTeamId: '19:team@thread.skype', tenant: { id: 'tenant-1' } },
});

/** A mention signed with the only token, which sees every webhook. */
const CALLER: MentionCaller = { tokenName: 'default', scope: { kind: 'all' } };

async function run(name: string, overrides: Partial<CommandInput> = {}) {
    const commands = BUILTIN_COMMANDS;
    const command = commands.find((candidate) => candidate.name === name);
    if (!command) {
        throw new Error(`no command ${name}`);
    }
    return command.run({ activity, args: [], argText: '', caller: CALLER, receivedAt: 1000, now: () => 1042, signal: new AbortController().signal, commands, ...overrides });
}

const answer = (command: string, commands: MentionCommand[], budgetMs = 4000, receivedAt = 0, now: () => number = () => 0) =>
    answerMention(
        { command, args: [], argText: '', text: command },
        { activity, commands, caller: CALLER, budgetMs, receivedAt, now, logError: () => undefined },
    );

afterEach(() => {
    vi.useRealTimers();
});

describe('built-in commands', () => {
    it('are listed in one array, one file each', () => {
        expect(BUILTIN_COMMANDS.map((command) => command.name)).toEqual(['help', 'ping', 'status', 'whoami']);
    });

    it('list every file of builtin/, each under its file name, a lower-case word', () => {
        const files = readdirSync(join(import.meta.dirname, '..', '..', '..', 'shared', 'mention', 'commands', 'builtin'))
            .filter((file) => file.endsWith('.ts'))
            .map((file) => file.slice(0, -'.ts'.length));
        expect(BUILTIN_COMMANDS.map((command) => command.name).sort()).toEqual(files.sort());
        for (const command of BUILTIN_COMMANDS) expect(command.name).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
    });

    it('ping answers pong with the server time', async () => {
        expect(await run('ping')).toEqual({ text: 'pong (server took 42 ms)' });
    });

    it('whoami shows the sender and the team, channel and tenant ids', async () => {
        const reply = await run('whoami');
        expect('text' in reply && reply.text).toContain('Ann Smith');
        for (const id of ['19:team@thread.skype', '19:chan@thread.skype', 'tenant-1', 'aad-1']) {
            expect(JSON.stringify(reply)).toContain(id);
        }
    });

    it('help renders a card listing every command from the template', async () => {
        const reply = await run('help');
        expect('card' in reply).toBe(true);
        const json = JSON.stringify(reply);
        for (const name of ['help', 'ping', 'whoami', 'Lists the commands']) {
            expect(json).toContain(name);
        }
        expect(json).not.toContain('${');
    });
});

describe('answerMention', () => {
    const slow: MentionCommand = { name: 'slow', summary: 's', run: () => new Promise(() => undefined) };
    const broken: MentionCommand = { name: 'broken', summary: 'b', run: () => { throw new Error('boom'); } };
    const submitting: MentionCommand = {
        name: 'submit',
        summary: 's',
        run: () => ({ card: { type: 'AdaptiveCard', actions: [{ type: 'Action.Submit' }] } }),
    };

    it('points an unknown command at help', async () => {
        expect((await answer('frobnicate', [])).text).toMatch(/don't know the command `frobnicate`.*help/);
    });

    it('answers an empty mention with a hint', async () => {
        expect((await answer('', [])).text).toContain('help');
    });

    it('says it is still working when a command outlives the budget', async () => {
        vi.useFakeTimers();
        const pending = answer('slow', [slow], 4000);
        await vi.advanceTimersByTimeAsync(4000);
        expect((await pending).text).toMatch(/Still working on `slow`/);
    });

    /** A command that answers after 1 s on the (fake) timers. */
    const oneSecond: MentionCommand = { name: 'second', summary: 's', run: () => new Promise((resolve) => setTimeout(() => { resolve({ text: 'done' }); }, 1_000)) };

    // A 4 s budget; the request arrived `spentMs` before the command starts (at 10 s on the fake clock), then the timers run `waitMs`.
    it.each([
        // Reading and verifying the body took 3.5 s of the 4 s: the command has 0.5 s, so one that
        // needs 1 s is answered "still working" after 0.5 s.
        { behaviour: 'counts the budget from when the request arrived, not from when the command started', command: oneSecond, spentMs: 3_500, waitMs: 500, text: /Still working on `second`/ },
        { behaviour: 'lets a command that fits in what is left of the budget answer', command: oneSecond, spentMs: 2_500, waitMs: 1_000, text: /^done$/ },
        { behaviour: 'gives a command that starts after the budget is spent no time at all', command: slow, spentMs: 5_000, waitMs: 0, text: /Still working on `slow`/ },
    ])('$behaviour', async ({ command, spentMs, waitMs, text }) => {
        vi.useFakeTimers({ now: 10_000 });
        const pending = answer(command.name, [command], 4_000, 10_000 - spentMs, () => Date.now());
        await vi.advanceTimersByTimeAsync(waitMs);
        expect((await pending).text).toMatch(text);
    });

    it('answers a failing command politely without its error', async () => {
        const reply = await answer('broken', [broken]);
        expect(reply.text).toMatch(/Sorry, `broken` failed/);
        expect(reply.text).not.toContain('boom');
    });

    it('replaces a reply that breaks the rules', async () => {
        expect((await answer('submit', [submitting])).text).toMatch(/Sorry, `submit` failed/);
    });
});

describe('remainingBudgetMs', () => {
    it('subtracts the time since the request arrived from the budget', () => {
        expect(remainingBudgetMs(4_000, 1_000, 1_250)).toBe(3_750);
    });

    it('is never negative, and a clock that went back gives no extra time', () => {
        expect(remainingBudgetMs(4_000, 1_000, 9_000)).toBe(0);
        expect(remainingBudgetMs(4_000, 1_000, 500)).toBe(4_000);
    });
});

describe('runWithDeadline', () => {
    it('aborts the signal when the budget runs out', async () => {
        vi.useFakeTimers();
        let seen: AbortSignal | undefined;
        const pending = runWithDeadline((signal) => {
            seen = signal;
            return new Promise<never>(() => undefined);
        }, 100);
        await vi.advanceTimersByTimeAsync(100);
        expect(await pending).toEqual({ done: false });
        expect(seen?.aborted).toBe(true);
    });

    it('returns the value of work that finishes in time', async () => {
        expect(await runWithDeadline(() => 7, 100)).toEqual({ done: true, value: 7 });
    });
});
