// Shell quoting and the curl command `sign` prints.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { curlCommand, quoteForShell } from '../../../tools/cli/curl.js';

const run = promisify(execFile);

/** What bash makes of a quoted word: printf echoes the argument back exactly. */
async function throughBash(quoted: string): Promise<string> {
    const { stdout } = await run('bash', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' });
    return stdout;
}

describe('quoteForShell', () => {
    it.each([
        ['a single quote', "don't"],
        ['only quotes', "''"],
        ['shell syntax', '$HOME `id` $(id) \\ " ; | & * ? ~ !'],
        ['newlines and tabs', 'a\nb\tc\r\n'],
        ['multi-byte characters', '日本語 — 🚀 é'],
        ['an empty string', ''],
    ])('keeps %s literal through bash', async (_what, value) => {
        expect(await throughBash(quoteForShell(value))).toBe(value);
    });
});

describe('curlCommand', () => {
    it('sends the body with --data-binary', () => {
        const command = curlCommand({ url: 'http://localhost/', headers: {}, body: Buffer.from('{"a":1}') });
        expect(command).toContain(`--data-binary '{"a":1}'`);
    });

    it('sends a body starting with @ as --data-raw, so curl does not read a file', () => {
        const command = curlCommand({ url: 'http://localhost/', headers: {}, body: Buffer.from('@/etc/passwd') });
        expect(command).toContain(`--data-raw '@/etc/passwd'`);
    });

    it('reads bytes that are not UTF-8 from the body file', () => {
        const command = curlCommand({ url: 'http://localhost/', headers: {}, body: Buffer.from([0xff, 0xfe]), bodyFile: "/tmp/it's.bin" });
        expect(command).toContain(`--data-binary @'/tmp/it'\\''s.bin'`);
    });

    it('refuses bytes that are not UTF-8 when no file holds them', () => {
        expect(() => curlCommand({ url: 'http://localhost/', headers: {}, body: Buffer.from([0]) })).toThrow(/NUL or invalid UTF-8/);
    });
});
