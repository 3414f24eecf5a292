// `npm run package`: the zip holds exactly the runtime app, loads on its own, and matches what `.funcignore` lets Core Tools publish.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFuncignore, type FuncignoreRules } from '../../tools/scripts/funcignore.js';

/** The app folder. */
const APP_ROOT = join(import.meta.dirname, '..', '..');

/** The zip `npm run package` writes (package.json `name` + `.zip`). */
const ZIP_PATH = join(APP_ROOT, 'teams-relay.zip');

/** Build, production install and zip together take about 20 s here; leave room for a slow registry. */
const PACKAGE_TIMEOUT_MS = 75_000;

/** Loading every module of the unpacked app in a child process. */
const LOAD_TIMEOUT_MS = 30_000;

/** End of central directory signature (APPNOTE.TXT 4.3.16). */
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;

/** Central directory file header signature (APPNOTE.TXT 4.3.12). */
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;

/** Fixed length of a central directory file header before its name. */
const CENTRAL_DIRECTORY_HEADER_BYTES = 46;

/** Zip "version made by" host system for Unix (APPNOTE.TXT 4.4.2.2). */
const ZIP_HOST_UNIX = 3;

/** `S_IFREG | 0644`. */
const REGULAR_FILE_MODE = 0o100644;

/** The function file whose imports must stay light: Teams gives a mention 5 s, cold start included. */
const MENTION_FILE = 'dist/functions/mention.js';

/** Packages the mention path must not load: they belong to the queue and card paths. */
const HEAVY_ON_MENTION = ['@azure/storage-queue', '@azure/data-tables', 'adaptivecards-templating'] as const;

/** Packages that dist/shared/platform/storage.js imports at module level, so loading every module shows them to the recorder. */
const STATICALLY_LOADED_SDKS = ['@azure/storage-queue', '@azure/data-tables'] as const;

/** Development tools that must be neither in the package nor resolvable from it. */
const DEVELOPMENT_PACKAGES = ['vitest', 'typescript', 'azurite', 'eslint', 'azure-functions-core-tools'] as const;

/** Marker the loader hook echoes, so every resolution before it has been reported. */
const RESOLVE_MARKER = 'package-test:flush';

/** One central directory entry, as an extractor on Linux reads it. */
interface ZipEntry {
    readonly name: string;
    readonly hostSystem: number;
    readonly mode: number;
}

/** A binding of a registered function, as `@azure/functions` passes it to `registerFunction`. */
interface Binding {
    readonly type: string;
    readonly direction: string;
    readonly [option: string]: unknown;
}

/** What the child process reports after loading the unpacked app. */
interface LoadReport {
    readonly loaded: string[];
    readonly failures: { file: string; error: string }[];
    readonly registrations: { name: string; bindings: Record<string, Binding> }[];
    readonly mentionModules: string[];
    readonly allModules: string[];
    readonly lookupPaths: string[];
    readonly resolvableDevelopmentPackages: string[];
    readonly functionsLibrary: string;
}

/** Reads names and Unix modes from the central directory (the zip's own index, independent of any extractor). */
function readCentralDirectory(zip: Buffer): ZipEntry[] {
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end < 0 || zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) throw new Error('no end of central directory');
    const count = zip.readUInt16LE(end + 10);
    let offset = zip.readUInt32LE(end + 16);
    const entries: ZipEntry[] = [];
    for (let index = 0; index < count; index += 1) {
        if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`bad central directory header ${index}`);
        const nameLength = zip.readUInt16LE(offset + 28);
        const extraLength = zip.readUInt16LE(offset + 30);
        const commentLength = zip.readUInt16LE(offset + 32);
        const start = offset + CENTRAL_DIRECTORY_HEADER_BYTES;
        entries.push({
            name: zip.toString('utf8', start, start + nameLength),
            hostSystem: zip.readUInt8(offset + 5),
            mode: zip.readUInt32LE(offset + 38) >>> 16,
        });
        offset = start + nameLength + extraLength + commentLength;
    }
    return entries;
}

/** Registers the loader hook that reports every ESM resolution back to the main thread. */
const HOOKS_SOURCE = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, nextResolve) {
    if (specifier === ${JSON.stringify(RESOLVE_MARKER)}) {
        port.postMessage(specifier);
        return { url: 'data:text/javascript,', shortCircuit: true };
    }
    const result = await nextResolve(specifier, context);
    port.postMessage(result.url);
    return result;
}
`;

/**
 * Runs in the unpacked app folder: stands in for the worker's "@azure/functions-core" (recording
 * `registerFunction` calls), imports the mention file first and notes every module loaded so far,
 * then the other files of package.json "main", then every other built module, and prints a report.
 */
const HARNESS_SOURCE = `
import Module, { createRequire, register } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const appDir = process.cwd();
const [hooksUrl, firstFile, ...developmentPackages] = process.argv.slice(2);
const resolved = [];
const { port1, port2 } = new MessageChannel();
let flushed;
port1.on('message', (url) => {
    if (url === ${JSON.stringify(RESOLVE_MARKER)}) flushed?.();
    else resolved.push(url);
});
register(hooksUrl, { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
const flush = () => new Promise((done) => { flushed = done; import.meta.resolve(${JSON.stringify(RESOLVE_MARKER)}); });

const registrations = [];
let programmingModel;
const core = {
    version: '4.0.0-package-test',
    Disposable: class { dispose() {} },
    setProgrammingModel(model) { programmingModel = model; },
    getProgrammingModel() { return programmingModel; },
    registerFunction(metadata) { registrations.push(metadata); return { dispose() {} }; },
    registerHook() { return { dispose() {} }; },
    log() {},
};
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
    return request === '@azure/functions-core' ? core : originalLoad.call(this, request, parent, isMain);
};

const appRequire = createRequire(join(appDir, 'package.json'));
const report = {
    loaded: [], failures: [], registrations, mentionModules: [], allModules: [],
    lookupPaths: appRequire.resolve.paths('@azure/functions') ?? [],
    resolvableDevelopmentPackages: [],
    functionsLibrary: appRequire.resolve('@azure/functions'),
};
for (const name of developmentPackages) {
    try { appRequire.resolve(name); report.resolvableDevelopmentPackages.push(name); } catch {}
}
const load = async (file) => {
    try { await import(pathToFileURL(join(appDir, file)).href); report.loaded.push(file); }
    catch (error) { report.failures.push({ file, error: String(error?.stack ?? error) }); }
};
const walk = (folder) => readdirSync(join(appDir, folder), { withFileTypes: true })
    .flatMap((item) => item.isDirectory() ? walk(folder + '/' + item.name) : [folder + '/' + item.name]);

const main = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).main;
const mainFolder = main.slice(0, main.lastIndexOf('/'));
const mainPattern = new RegExp('^' + main.split('*').map((part) => part.replace(/[.+?^$()|[\\]\\\\{}]/g, '\\\\$&')).join('[^/]*') + '$');
const mainFiles = walk(mainFolder).filter((file) => mainPattern.test(file)).sort();

await load(firstFile);
await flush();
report.mentionModules = [...resolved, ...Object.keys(appRequire.cache)];
for (const file of mainFiles.filter((file) => file !== firstFile)) await load(file);
for (const file of walk('dist').filter((file) => file.endsWith('.js') && !mainFiles.includes(file)).sort()) await load(file);
await flush();
report.allModules = [...resolved, ...Object.keys(appRequire.cache)];
port1.close();
process.stdout.write(JSON.stringify(report));
`;

let workRoot = '';
let appDir = '';
let entries: ZipEntry[] = [];
let report: LoadReport;
let funcignore: FuncignoreRules;

beforeAll(() => {
    // `npm run package` is the build followed by this script. The test run's global setup has built
    // dist/ already; building again here would rewrite files other test files are loading.
    const run = spawnSync(process.execPath, ['dist/tools/scripts/package.js'], { cwd: APP_ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`packaging failed:\n${run.stdout}\n${run.stderr}`);
    funcignore = compileFuncignore(readFileSync(join(APP_ROOT, '.funcignore'), 'utf8'));

    const zip = readFileSync(ZIP_PATH);
    entries = readCentralDirectory(zip);
    workRoot = mkdtempSync(join(tmpdir(), 'teams-relay-package-test-'));
    appDir = join(workRoot, 'app');
    for (const [name, content] of Object.entries(unzipSync(new Uint8Array(zip)))) {
        const target = join(appDir, name);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
    }

    const harnessDir = join(workRoot, 'harness');
    mkdirSync(harnessDir);
    writeFileSync(join(harnessDir, 'hooks.mjs'), HOOKS_SOURCE);
    writeFileSync(join(harnessDir, 'load.mjs'), HARNESS_SOURCE);
    const child = spawnSync(
        process.execPath,
        [join(harnessDir, 'load.mjs'), pathToFileURL(join(harnessDir, 'hooks.mjs')).href, MENTION_FILE, ...DEVELOPMENT_PACKAGES],
        { cwd: appDir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: LOAD_TIMEOUT_MS },
    );
    if (child.status !== 0) throw new Error(`loading the unpacked app failed:\n${child.stdout}\n${child.stderr}`);
    report = JSON.parse(child.stdout) as LoadReport;
}, PACKAGE_TIMEOUT_MS + LOAD_TIMEOUT_MS);

afterAll(() => {
    if (workRoot !== '') rmSync(workRoot, { recursive: true, force: true });
});

function triggerOf(name: string): Binding {
    const registration = report.registrations.find((candidate) => candidate.name === name);
    const trigger = Object.values(registration?.bindings ?? {}).find((binding) => binding.type.endsWith('Trigger'));
    if (trigger === undefined) throw new Error(`no trigger registered for "${name}"`);
    return trigger;
}

describe('npm run package', () => {
    it('holds only host.json, the package files, dist/, templates/ and node_modules/ at the top', () => {
        const tops = new Set(entries.map(({ name }) => name.split('/')[0]));
        expect([...tops].sort()).toEqual(['dist', 'host.json', 'node_modules', 'package-lock.json', 'package.json', 'templates']);
        expect(entries.map(({ name }) => name)).toContain('host.json');
    });

    it('ships every file of templates/, the custom card templates the app reads at start', () => {
        const files = readdirSync(join(APP_ROOT, 'templates'), { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile())
            .map((entry) => relative(APP_ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
        expect(files.length).toBeGreaterThan(0);
        expect(entries.map(({ name }) => name).filter((name) => name.startsWith('templates/')).sort()).toEqual(files.sort());
    });

    it('ships the built function files and no other part of dist/ than functions/ and shared/', () => {
        const names = entries.map(({ name }) => name);
        expect(names.filter((name) => /^dist\/functions\/[^/]+\.js$/.test(name)).sort()).toEqual(
            ['deliver', 'health', 'hooks-alertmanager', 'hooks-azure-monitor', 'hooks-github', 'hooks-grafana', 'invocation-hooks', 'mention', 'notifications', 'sweep', 'wake'].map((name) => `dist/functions/${name}.js`),
        );
        const distFolders = new Set(names.filter((name) => name.startsWith('dist/')).map((name) => name.split('/')[1]));
        expect([...distFolders].sort()).toEqual(['functions', 'shared']);
    });

    it('leaves out sources, type declarations, source maps, tests, local settings and executable links', () => {
        const unwanted = entries
            .map(({ name }) => name)
            .filter((name) => /\.(ts|mts|cts|map)$/.test(name) || /(^|\/)(test|\.bin)\//.test(name) || name.endsWith('local.settings.json'));
        expect(unwanted).toEqual([]);
    });

    it('leaves out development packages and Core Tools', () => {
        const devDependencies = Object.keys(
            (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies,
        );
        for (const name of new Set([...DEVELOPMENT_PACKAGES, ...devDependencies])) {
            expect(entries.some((entry) => entry.name.startsWith(`node_modules/${name}/`)), name).toBe(false);
        }
    });

    it('writes forward-slash entries of regular files with Unix mode 0644', () => {
        expect(entries.length).toBeGreaterThan(0);
        expect(entries.filter(({ name }) => name.includes('\\') || name.startsWith('/') || name.includes('..'))).toEqual([]);
        expect(entries.filter(({ hostSystem, mode }) => hostSystem !== ZIP_HOST_UNIX || mode !== REGULAR_FILE_MODE)).toEqual([]);
    });
});

describe('the unpacked package, alone in a fresh Node process', () => {
    it('cannot reach the repository or any development package', () => {
        expect(relative(APP_ROOT, appDir).startsWith('..')).toBe(true);
        // Node's own global folder (`<prefix>/lib/node`) belongs to the Node installation, which CI may keep
        // inside the working copy (.ci/run's Node 22): it is not the repository.
        const nodeGlobalFolder = resolve(process.execPath, '..', '..', 'lib', 'node');
        expect(report.lookupPaths.filter((path) => path.startsWith(APP_ROOT) && path !== nodeGlobalFolder)).toEqual([]);
        expect(report.resolvableDevelopmentPackages).toEqual([]);
        expect(report.functionsLibrary.startsWith(join(appDir, 'node_modules', '@azure', 'functions'))).toBe(true);
    });

    it('loads every built module without a missing dependency', () => {
        expect(report.failures).toEqual([]);
        expect(report.loaded).toContain(MENTION_FILE);
        expect(report.loaded.length).toBe(entries.filter(({ name }) => name.startsWith('dist/') && name.endsWith('.js')).length);
    });

    it('registers exactly the functions of the app with their triggers', () => {
        expect(report.registrations.map(({ name }) => name).sort()).toEqual(['deliver', 'health', 'hooks-alertmanager', 'hooks-azure-monitor', 'hooks-github', 'hooks-grafana', 'mention', 'notifications', 'sweep', 'wake']);
        expect(triggerOf('mention')).toMatchObject({ type: 'httpTrigger', methods: ['POST'], route: 'mention', authLevel: 'anonymous' });
        expect(triggerOf('health')).toMatchObject({ type: 'httpTrigger', methods: ['GET'], route: 'health', authLevel: 'anonymous' });
        expect(triggerOf('notifications')).toMatchObject({ type: 'httpTrigger', methods: ['POST'], route: 'notifications', authLevel: 'function' });
        expect(triggerOf('hooks-alertmanager')).toMatchObject({ type: 'httpTrigger', methods: ['POST'], route: 'hooks/alertmanager', authLevel: 'function' });
        expect(triggerOf('hooks-grafana')).toMatchObject({ type: 'httpTrigger', methods: ['POST'], route: 'hooks/grafana', authLevel: 'function' });
        expect(triggerOf('deliver')).toMatchObject({ type: 'queueTrigger', queueName: 'notifications', connection: 'AzureWebJobsStorage' });
        expect(triggerOf('wake')).toMatchObject({ type: 'queueTrigger', queueName: 'notifications-wakeup', connection: 'AzureWebJobsStorage' });
        expect(triggerOf('sweep')).toMatchObject({ type: 'timerTrigger', schedule: '0 */1 * * * *' });
    });

    it('sees the modules a file loads, through both ESM and CommonJS', () => {
        expect(report.mentionModules.some((module) => module.includes('/node_modules/@azure/functions/'))).toBe(true);
        for (const name of STATICALLY_LOADED_SDKS) {
            expect(report.allModules.some((module) => module.includes(`/node_modules/${name}/`)), name).toBe(true);
        }
    });

    it('keeps the storage SDKs and the card templating out of the mention cold start', () => {
        for (const name of HEAVY_ON_MENTION) {
            expect(entries.some((entry) => entry.name === `node_modules/${name}/package.json`), name).toBe(true);
            expect(report.mentionModules.filter((module) => module.includes(`/node_modules/${name}/`)), name).toEqual([]);
        }
    });
});

describe('.funcignore', () => {
    it('lets Core Tools publish every file the package holds', () => {
        expect(entries.map(({ name }) => name).filter((name) => !funcignore.accepts(name))).toEqual([]);
    });

    it('drops every built file the package leaves out', () => {
        const walk = (folder: string): string[] =>
            readdirSync(join(APP_ROOT, folder), { withFileTypes: true }).flatMap((item) =>
                item.isDirectory() ? walk(`${folder}/${item.name}`) : [`${folder}/${item.name}`],
            );
        const packaged = new Set(entries.map(({ name }) => name));
        expect(walk('dist').filter((name) => !packaged.has(name) && funcignore.accepts(name))).toEqual([]);
    });

    it('drops every source file of the repository outside host.json, the package files and templates/', () => {
        const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: APP_ROOT, encoding: 'utf8' });
        expect(listed.status).toBe(0);
        const published = listed.stdout
            .split('\n')
            .filter((name) => name !== '' && funcignore.accepts(name));
        expect(published.filter((name) => !name.startsWith('templates/')).sort()).toEqual(['host.json', 'package-lock.json', 'package.json']);
    });

    it('drops local state, development packages and Core Tools as the package does', () => {
        const representative = [
            'local.settings.json',
            'local.settings.json.example',
            'teams-relay.zip',
            '.azurite/__azurite_db_queue__.json',
            '__azurite_db_table__.json',
            'coverage/index.html',
            'dist/test/deploy/package.test.js',
            'dist/tools/devhost/main.js',
            'dist/functions/mention.js.map',
            'dist/shared/platform/config.d.ts',
            'node_modules/.bin/tsc',
            'node_modules/zod/src/index.ts',
            'node_modules/@azure/functions/types/index.d.ts',
            ...DEVELOPMENT_PACKAGES.map((name) => `node_modules/${name}/package.json`),
        ];
        expect(representative.filter((path) => funcignore.accepts(path))).toEqual([]);
    });
});

describe('compileFuncignore', () => {
    it('matches a pattern from the start of the path only, as Core Tools does', () => {
        const rules = compileFuncignore('*.ts\n');
        expect(rules.accepts('index.ts')).toBe(false);
        expect(rules.accepts('functions/mention.ts')).toBe(true);
    });

    it('reads * as at least one character', () => {
        const rules = compileFuncignore('tsconfig*.json\n');
        expect(rules.accepts('tsconfig.json')).toBe(true);
        expect(rules.accepts('tsconfig.build.json')).toBe(false);
    });

    it('lets a negated line win over every exclusion, wherever it stands', () => {
        const rules = compileFuncignore('!dist/**/*.js\ndist/**/*.map\n');
        expect(rules.accepts('dist/functions/mention.js.map')).toBe(true);
    });
});
