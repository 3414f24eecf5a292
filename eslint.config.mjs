// Type-aware lint for the whole project.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The areas of shared/, lowest first: each may import only the ones before it. */
const AREAS = ['platform', 'cards', 'notify', 'mention'];
/**
 * The public surfaces of the areas: index.ts, azure.ts (what loads the Azure Storage SDKs), settings.ts (an
 * area's section of the configuration) and platform/config.ts (the configuration's machinery).
 */
const SURFACES = String.raw`(${AREAS.join('|')})/(index|azure|settings)\.js$|platform/config\.js$`;
/** An import of shared/ from functions/ or tools/ that goes around an area's public surface. */
const AROUND_SURFACE = {
    regex: String.raw`^(\.\./)+shared/(?!${SURFACES})(${AREAS.join('|')})/`,
    message: 'Import an area of shared/ only through its index.ts (or azure.ts, settings.ts, or platform/config.ts).',
};
/** The areas below mention, which never import the composed configuration (`shared/config.ts`): it imports every area's settings.ts. */
const BELOW_COMPOSITION = ['platform', 'cards', 'notify'];
/** An import of the composed configuration from an area below it. */
const COMPOSITION = {
    regex: String.raw`^(\.\./)+config\.js$`,
    message: 'Only functions/, tools/ and shared/mention import shared/config.ts; the areas below take their section of the configuration as an argument.',
};
/** An import of tools/ from the shipped code. */
const TOOLS = { regex: String.raw`^(\.\./)+tools/`, message: 'functions/ and shared/ never import tools/: it does not ship.' };

/** The no-restricted-imports patterns of the files in shared/<area>/. */
function areaPatterns(area) {
    const below = AREAS.slice(0, AREAS.indexOf(area));
    const above = AREAS.slice(AREAS.indexOf(area) + 1);
    return [
        TOOLS,
        ...(above.length > 0 ? [{ regex: String.raw`^(\.\./)+(${above.join('|')})/`, message: `shared/${area} does not import ${above.map((name) => `shared/${name}`).join(', ')}: the areas stack ${AREAS.join(' < ')}.` }] : []),
        ...(below.length > 0 ? [{ regex: String.raw`^(\.\./)+(?!${SURFACES})(${below.join('|')})/`, message: 'Import another area of shared/ only through its index.ts (or azure.ts, settings.ts, or platform/config.ts).' }] : []),
        ...(BELOW_COMPOSITION.includes(area) ? [COMPOSITION] : []),
    ];
}

/**
 * The rules that apply `patterns`: no-restricted-imports for import and export declarations, and
 * no-restricted-syntax for dynamic `import('...')`, which no-restricted-imports does not look at (the
 * selector's regex cannot hold a `/`, so it is written `\x2F`).
 */
function importRules(patterns) {
    return {
        'no-restricted-imports': ['error', { patterns }],
        'no-restricted-syntax': ['error', ...patterns.map(({ regex, message }) => ({ selector: `ImportExpression[source.value=/${regex.replaceAll('/', String.raw`\x2F`)}/]`, message }))],
    };
}

/** The import rules of the layout, one config object per folder (a later object replaces the rule, it does not add to it). */
export function boundaries() {
    return [
        { files: ['functions/**/*.ts'], rules: importRules([TOOLS, AROUND_SURFACE]) },
        { files: ['tools/**/*.ts'], rules: importRules([AROUND_SURFACE]) },
        ...AREAS.map((area) => ({ files: [`shared/${area}/**/*.ts`], rules: importRules(areaPatterns(area)) })),
        {
            // The composition point of the configuration: it reads each area's section from its settings.ts, nothing else.
            files: ['shared/config.ts'],
            rules: importRules([
                TOOLS,
                { regex: String.raw`^\./(?!(${AREAS.join('|')})/settings\.js$|platform/config\.js$)`, message: 'shared/config.ts composes the areas\' settings.ts and platform/config.ts only.' },
            ]),
        },
    ];
}

export default tseslint.config(
    { ignores: ['dist/', 'node_modules/', 'coverage/', 'bin/', '.azurite/'] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
        },
    },
    // The layout's import rules (README, "Layout"; docs/ARCHITECTURE.md): functions/ and shared/ never import tools/;
    // the areas of shared/ stack platform < cards < notify < mention, each importing only those below it, and only
    // through their public surface (index.ts, or azure.ts for what loads the Azure Storage SDKs).
    ...boundaries(),
    {
        files: ['**/*.mjs', '**/*.js'],
        ...tseslint.configs.disableTypeChecked,
    },
);
