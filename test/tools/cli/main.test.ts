// The dispatcher: help for the CLI and each verb, unknown verbs and flags, and the real `bin/teams-relay.js`.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectRefused, runMain } from './run-main.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/teams-relay.js', import.meta.url));

describe('teams-relay', () => {
    it('lists every verb with --help and exits 0', async () => {
        const result = await runMain(['--help']);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^ {2}send {2}.+\n {2}sign {2}.+$/m);
    });

    it('prints a verb\'s flags with <verb> --help and exits 0', async () => {
        const result = await runMain(['send', '--help']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(/^Usage: teams-relay send --to <alias\|url>/);
    });

    it('leads the send help with Workflows URLs, in their 2026 shape, and calls connector URLs retired', async () => {
        const { stdout } = await runMain(['send', '--help']);
        const workflows = stdout.indexOf('/powerautomate/automations/direct/cu/<n>/workflows/<id>/triggers/manual/paths/invoke?api-version=1');
        const connector = stdout.indexOf('webhook.office.com');
        expect(workflows).toBeGreaterThan(0);
        expect(connector).toBeGreaterThan(workflows);
        expect(stdout).toMatch(/Microsoft retired them/);
        expect(stdout).toMatch(/--message-card <file> +a JSON file holding a legacy MessageCard \(retired connector URLs only\)/);
    });

    it('prints a verb\'s flags with help <verb>', async () => {
        const result = await runMain(['help', 'sign']);
        expect(result.stdout).toMatch(/^Usage: teams-relay sign /);
    });

    it('prints a verb\'s help even when other flags are wrong', async () => {
        const result = await runMain(['sign', '--bogus', '-h']);
        expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: teams-relay sign /) as unknown });
    });

    it.each([
        ['prints the usage on stderr and exits 2 without a verb', [], 'Usage: teams-relay <command>'],
        ['exits 2 when a flag misses its value', ['sign', '--text'], "Option '--text <value>' argument missing"],
        ['exits 2 on a positional argument', ['send', 'ops', 'hi'], "Unexpected argument 'ops'"],
    ])('%s', async (_, argv, message) => {
        expectRefused(await runMain(argv), message);
    });

    it.each([
        ['an unknown verb and the known ones', ['deploy'], 'teams-relay: unknown command "deploy". Commands: budget, deadletters, outbox, preview, send, sign, templates. Run "teams-relay --help" for usage.'],
        ['an unknown flag of a verb', ['send', '--to', 'ops', '--txt', 'hi'], 'teams-relay send: Unknown option \'--txt\'\nRun "teams-relay send --help" for usage.'],
    ])('exits 2 naming %s', async (_, argv, stderr) => {
        const result = await runMain(argv);
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(stderr);
    });

    it('runs from bin/teams-relay.js as a real process', async () => {
        const { stdout } = await run(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
        expect(stdout).toContain('Usage: teams-relay <command> [flags]');
    });

    it('propagates the exit code from bin/teams-relay.js', async () => {
        const failure = await run(process.execPath, [BIN, 'deploy'], { encoding: 'utf8' }).catch((error: unknown) => error);
        expect(failure).toMatchObject({ code: 2 });
    });
});
