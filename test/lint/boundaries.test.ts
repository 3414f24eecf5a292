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
        ['shared/platform/config.ts', "import { DEFAULT_JITTER_GUARD_MS } from '../notify/limiter.js';"],
        ['shared/platform/config.ts', "import { targetsSection } from '../notify/settings.js';"],
        ['shared/platform/config.ts', "import { mentionSection } from '../mention/settings.js';"],
        ['shared/platform/config.ts', "import { getConfig } from '../config.js';"],
        ['shared/notify/runtime.ts', "import { getConfig } from '../config.js';"],
        ['shared/cards/example.ts', "export const load = () => import('../config.js');"],
        ['shared/config.ts', "import { drainWebhook } from './notify/sender.js';"],
        ['shared/config.ts', "import { validateJob } from './notify/index.js';"],
        ['shared/config.ts', "import { runCli } from '../tools/cli/main.js';"],
        ['functions/example.ts', "import { limitProfiles } from '../shared/notify/limit-profiles.js';"],
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
        ['functions/example.ts', "import { trackEvent } from '../shared/platform/index.js';\nimport { getConfig } from '../shared/config.js';"],
        ['functions/example.ts', "import { createQueueClient } from '../shared/platform/azure.js';"],
        ['shared/mention/example.ts', "import { readBudgets } from '../notify/index.js';\nimport { deliveryRuntime } from '../notify/azure.js';"],
        ['shared/mention/commands/builtin/example.ts', "import { helpCardTemplate } from '../../../cards/index.js';"],
        ['shared/notify/outbox/example.ts', "import { nonNull } from '../../platform/index.js';\nimport { nextSendTime } from '../limiter.js';"],
        ['shared/notify/example.ts', "import { renderCardTemplate } from '../cards/index.js';"],
        ['shared/platform/config.ts', "import { ConfigurationError } from './errors.js';"],
        ['shared/platform/example.ts', "import { SystemError } from './errors.js';"],
        ['shared/notify/settings.ts', "import { defineSection } from '../platform/config.js';\nimport { limitProfiles } from './limit-profiles.js';"],
        ['shared/mention/settings.ts', "import { defineSection } from '../platform/config.js';"],
        ['shared/mention/commands/builtin/example.ts', "import { getConfig } from '../../../config.js';\nimport { WEBHOOK_SETTING_PREFIX } from '../../../notify/settings.js';"],
        ['shared/config.ts', "import { composeConfig } from './platform/config.js';\nimport { targetsSection } from './notify/settings.js';\nimport { mentionSection } from './mention/settings.js';"],
        ['tools/cli/example.ts', "import { loadConfig } from '../../shared/config.js';\nimport { parseOutgoingWebhookSecrets } from '../../shared/mention/settings.js';"],
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

describe('the configuration', () => {
    it('has no exception: shared/platform/config.ts is held to the rules of every file of shared/platform', async () => {
        expect(boundaries().filter((entry) => entry.files?.flat().some((glob) => glob.startsWith('shared/platform/') && glob !== 'shared/platform/**/*.ts'))).toEqual([]);
        const eslint = new ESLint({ cwd: ROOT });
        const config = (await eslint.calculateConfigForFile(join(ROOT, 'shared', 'platform', 'config.ts'))) as Linter.Config;
        const other = (await eslint.calculateConfigForFile(join(ROOT, 'shared', 'platform', 'example.ts'))) as Linter.Config;
        expect(config.rules?.['no-restricted-imports']).toEqual(other.rules?.['no-restricted-imports']);
    });

    it('shared/platform imports no other part of shared/, in any of its files', () => {
        const platform = join(ROOT, 'shared', 'platform');
        const imports = readdirSync(platform)
            .filter((name) => name.endsWith('.ts'))
            .flatMap((name) => [...readFileSync(join(platform, name), 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((match) => `${name}: ${match[1] ?? ''}`));
        expect(imports.length).toBeGreaterThan(0);
        expect(imports.filter((line) => line.includes(": ../"))).toEqual([]);
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
