// The layout's import rules (eslint.config.mjs): a forbidden import fails lint, an allowed one passes, and `npm run lint` applies them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/** The repository root. */
const ROOT = join(import.meta.dirname, '..', '..');
/** The areas of shared/. */
const AREAS = ['platform', 'cards', 'notify', 'mention'] as const;

const { boundaries } = (await import(pathToFileURL(join(ROOT, 'eslint.config.mjs')).href)) as { boundaries: () => Linter.Config[] };

/** Lints `code` as the file `path` (relative to the root) with the layout's rules only: no type information, so it runs in milliseconds. */
async function importProblems(path: string, code: string): Promise<string[]> {
    const eslint = new ESLint({
        cwd: ROOT,
        overrideConfigFile: true,
        overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries()],
    });
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
    return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('import rules', () => {
    it.each([
        ['functions/example.ts', "import { runCli } from '../tools/cli/main.js';"],
        ['shared/platform/example.ts', "import { x } from '../../tools/devhost/main.js';"],
        ['shared/notify/outbox/example.ts', "import { x } from '../../../tools/simulator/index.js';"],
        ['shared/notify/example.ts', "import { toTeamsReply } from '../mention/index.js';"],
        ['shared/notify/example.ts', "export { toTeamsReply } from '../mention/reply.js';"],
        ['shared/mention/example.ts', "import { drainWebhook } from '../notify/sender.js';"],
        ['shared/mention/commands/builtin/example.ts', "import type { OutboxJob } from '../../../notify/outbox/index.js';"],
        ['shared/platform/example.ts', "import { renderCardTemplate } from '../cards/index.js';"],
        ['shared/platform/example.ts', "import { validateJob } from '../notify/index.js';"],
        ['shared/platform/config.ts', "import { drainWebhook } from '../notify/sender.js';"],
        ['shared/platform/config.ts', "import { toTeamsReply } from '../mention/index.js';"],
        ['shared/cards/example.ts', "import { buildDigest } from '../notify/index.js';"],
        ['shared/cards/templates/example.ts', "import { toTeamsReply } from '../../mention/index.js';"],
        ['functions/example.ts', "import { drainWebhook } from '../shared/notify/sender.js';"],
        ['tools/cli/example.ts', "import { getConfig } from '../../shared/platform/errors.js';"],
        ['functions/example.ts', "export const load = () => import('../shared/notify/runtime.js');"],
        ['shared/mention/commands/builtin/example.ts', "export const load = () => import('../../../notify/budget.js');"],
        ['shared/notify/example.ts', "export const load = () => import('../mention/index.js');"],
        ['shared/platform/example.ts', "export const load = () => import('../../tools/cli/main.js');"],
    ])('refuses %s: %s', async (path, code) => {
        const problems = await importProblems(path, code);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^no-restricted-(imports|syntax): /);
    });

    it.each([
        ['functions/example.ts', "import { trackEvent } from '../shared/platform/index.js';\nimport { getConfig } from '../shared/platform/config.js';"],
        ['functions/example.ts', "import { createQueueClient } from '../shared/platform/azure.js';"],
        ['shared/mention/example.ts', "import { readBudgets } from '../notify/index.js';\nimport { deliveryRuntime } from '../notify/azure.js';"],
        ['shared/mention/commands/builtin/example.ts', "import { helpCardTemplate } from '../../../cards/index.js';"],
        ['shared/notify/outbox/example.ts', "import { nonNull } from '../../platform/index.js';\nimport { nextSendTime } from '../limiter.js';"],
        ['shared/notify/example.ts', "import { renderCardTemplate } from '../cards/index.js';"],
        ['shared/platform/config.ts', "import { DEFAULT_JITTER_GUARD_MS } from '../notify/limiter.js';"],
        ['shared/platform/example.ts', "import { SystemError } from './errors.js';"],
        ['tools/cli/example.ts', "import { startTeamsSimulator } from '../simulator/index.js';\nimport { drainWebhook } from '../../shared/notify/index.js';"],
        ['functions/example.ts', "export const load = () => Promise.all([import('../shared/notify/azure.js'), import('../shared/platform/index.js')]);"],
        ['shared/mention/commands/builtin/example.ts', "export const load = () => import('../../../notify/azure.js');"],
    ])('allows %s: %s', async (path, code) => {
        expect(await importProblems(path, code)).toEqual([]);
    });

    it('are part of the configuration `npm run lint` uses, for every area', async () => {
        const eslint = new ESLint({ cwd: ROOT });
        for (const area of AREAS) {
            const config = (await eslint.calculateConfigForFile(join(ROOT, 'shared', area, 'example.ts'))) as Linter.Config;
            const applied = config.rules?.['no-restricted-imports'] as unknown[] | undefined;
            const defined = boundaries().find((entry) => entry.files?.includes(`shared/${area}/**/*.ts`))?.rules?.['no-restricted-imports'] as unknown[] | undefined;
            // ESLint reports the severity as a number ('error' is 2); the options must be the same.
            expect(applied?.[0], area).toBe(2);
            expect(applied?.slice(1), area).toEqual(defined?.slice(1));
            expect(config.rules?.['no-restricted-syntax'], area).toHaveLength(1 + (defined?.[1] as { patterns: unknown[] }).patterns.length);
        }
        const functions = (await eslint.calculateConfigForFile(join(ROOT, 'functions', 'example.ts'))) as Linter.Config;
        expect(JSON.stringify(functions.rules?.['no-restricted-imports'])).toContain('tools/');
    });
});

describe('public surfaces', () => {
    const surfaces = AREAS.flatMap((area) => readdirSync(join(ROOT, 'shared', area)).filter((name) => ['index.ts', 'azure.ts'].includes(name)).map((name) => join('shared', area, name)));

    it('every area has an index.ts', () => {
        expect(AREAS.filter((area) => !surfaces.includes(join('shared', area, 'index.ts')))).toEqual([]);
    });

    it.each(surfaces)('%s lists its exports by name, never `export *`', (surface) => {
        const text = readFileSync(join(ROOT, surface), 'utf8');
        expect(text).not.toMatch(/export\s*\*/);
        expect(text).toMatch(/export \{\n/);
    });
});
