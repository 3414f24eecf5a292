// The CLI's list of verbs: every verb file is listed once, under the name its command declares.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../../../tools/cli/verbs.js';

/** The verb files in tools/cli/commands/, without their extension. */
const VERB_FILES = readdirSync(new URL('../../../tools/cli/commands/', import.meta.url))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length));

describe('VERBS', () => {
    it('lists every file of tools/cli/commands/ once, under its file name', () => {
        expect(VERBS.map((verb) => verb.name).sort()).toEqual([...VERB_FILES].sort());
    });

    it('names lower-case words', () => {
        for (const verb of VERBS) expect(verb.name).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
    });

    it.each(VERBS.map((verb) => [verb.name, verb] as const))('loads %s, whose command carries that name, a summary and a usage', async (name, verb) => {
        const command = (await verb.load()).default;
        expect(command.name).toBe(name);
        expect(command.summary).not.toBe('');
        expect(command.usage).toMatch(new RegExp(`^Usage: teams-relay ${name}\\b`));
    });
});
