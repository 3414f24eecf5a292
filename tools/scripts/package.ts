/** `npm run package`: writes `<name>.zip`, the deployable app (host.json, package files, built dist/, production node_modules). */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { compileFuncignore, type FuncignoreRules } from './funcignore.js';
import { DEFAULT_CARD_TEMPLATES_DIR } from '../../shared/cards/index.js';
import { findAppRoot } from '../../shared/platform/index.js';

/** Top-level files of the package. package-lock.json is never loaded, but lets `func ... publish --build remote` install the same tree. */
const PACKAGE_ROOT_FILES = ['host.json', 'package.json', 'package-lock.json'] as const;

/** The build output folder (`tsc -p tsconfig.build.json`); `.funcignore` drops its development-only parts. */
const BUILD_FOLDER = 'dist';

/** The installed dependencies folder, taken from a production-only install rather than the working tree. */
const DEPENDENCIES_FOLDER = 'node_modules';

/** Installs exactly the lockfile's production tree: no devDependencies, no Core Tools (optional), no install scripts. */
const PRODUCTION_INSTALL_ARGS = ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'] as const;

/** Zip "version made by" host system for Unix (APPNOTE.TXT 4.4.2.2), so extractors on Linux apply the modes below. */
const ZIP_HOST_UNIX = 3;

/** A regular file readable by everyone (`S_IFREG | 0644`), in the high half of the external attributes. */
const REGULAR_FILE_ATTRIBUTES = 0o100644 * 0x1_0000;

/** Entries a zip without Zip64 records can hold (fflate writes none). */
const MAX_ZIP_ENTRIES = 0xffff;

/** Bytes in a mebibyte, for the summary line. */
const BYTES_PER_MIB = 1024 * 1024;

/** A file to put in the package. */
interface PackageFile {
    /** The entry name: relative to the app folder, forward slashes. */
    readonly entry: string;
    /** Where the file is on disk. */
    readonly source: string;
}

/** What `createPackage` wrote. */
interface PackageSummary {
    readonly zipPath: string;
    readonly fileCount: number;
    readonly zipBytes: number;
    readonly unpackedBytes: number;
}

interface PackageManifest {
    readonly name: string;
    readonly main: string;
}

function readManifest(appRoot: string): PackageManifest {
    const parsed = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as Partial<PackageManifest>;
    if (typeof parsed.name !== 'string' || typeof parsed.main !== 'string') {
        throw new Error('package.json needs a "name" and a "main" glob to package the app');
    }
    return { name: parsed.name, main: parsed.main };
}

/** The files under `folder` whose entry names the rules accept; symlinks are refused unless excluded. */
function collectFiles(folder: string, entryPrefix: string, rules: FuncignoreRules): PackageFile[] {
    const files: PackageFile[] = [];
    const visit = (directory: string, prefix: string): void => {
        for (const item of readdirSync(directory, { withFileTypes: true })) {
            const source = join(directory, item.name);
            const entry = `${prefix}/${item.name}`;
            if (item.isDirectory()) {
                visit(source, entry);
            } else if (rules.accepts(entry)) {
                if (!item.isFile()) throw new Error(`${entry} is not a regular file; the package holds regular files only`);
                files.push({ entry, source });
            }
        }
    };
    visit(folder, entryPrefix);
    return files;
}

/** The custom card templates (`templates/`, the default `CARD_TEMPLATES_DIR`), when the app has any: the app reads them at start. */
function templateFiles(appRoot: string, rules: FuncignoreRules): PackageFile[] {
    const folder = join(appRoot, DEFAULT_CARD_TEMPLATES_DIR);
    return existsSync(folder) ? collectFiles(folder, DEFAULT_CARD_TEMPLATES_DIR, rules) : [];
}

/** Matches entry names against a `main` glob such as `dist/functions/*.js` (`*` within one folder). */
function globExpression(glob: string): RegExp {
    const source = glob
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*');
    return new RegExp(`^${source}$`);
}

/**
 * Refuses build output without a source beside it: `tsc` never deletes, so a removed function would
 * linger in dist/ and still register.
 */
function assertNoStaleOutput(appRoot: string, distFiles: readonly PackageFile[]): void {
    const stale = distFiles
        .map(({ entry }) => entry)
        .filter((entry) => entry.endsWith('.js'))
        .filter((entry) => !existsSync(join(appRoot, entry.slice(BUILD_FOLDER.length + 1).replace(/\.js$/, '.ts'))));
    if (stale.length > 0) {
        throw new Error(`dist/ holds output of deleted sources (${stale.join(', ')}); delete dist/ and run "npm run build"`);
    }
}

function installProductionDependencies(appRoot: string, stagingFolder: string): string {
    for (const file of ['package.json', 'package-lock.json']) {
        copyFileSync(join(appRoot, file), join(stagingFolder, file));
    }
    const install = spawnSync('npm', [...PRODUCTION_INSTALL_ARGS], {
        cwd: stagingFolder,
        encoding: 'utf8',
        shell: process.platform === 'win32',
    });
    if (install.status !== 0) {
        throw new Error(`npm ${PRODUCTION_INSTALL_ARGS.join(' ')} failed:\n${install.stdout}${install.stderr}${install.error?.message ?? ''}`);
    }
    return join(stagingFolder, DEPENDENCIES_FOLDER);
}

/**
 * Builds the deployable zip of the app in `appRoot` (which must already be built): the files
 * `.funcignore` lets Core Tools publish, taken from `host.json`, `package.json`, `package-lock.json`,
 * `dist/`, `templates/` (custom card templates, when present) and a fresh production-only
 * `node_modules/` (installed from the lockfile in a temporary folder, then removed). Entries are
 * sorted, use forward slashes and carry Unix mode 0644.
 * @throws {Error} when the build is missing or stale, the install fails, or the package would be invalid.
 */
function createPackage(appRoot: string): PackageSummary {
    const manifest = readManifest(appRoot);
    const rules = compileFuncignore(readFileSync(join(appRoot, '.funcignore'), 'utf8'));
    const distFolder = join(appRoot, BUILD_FOLDER);
    if (!existsSync(distFolder)) throw new Error('dist/ is missing; run "npm run build" first');

    const distFiles = collectFiles(distFolder, BUILD_FOLDER, rules);
    assertNoStaleOutput(appRoot, distFiles);
    const mainGlob = globExpression(manifest.main);
    if (!distFiles.some(({ entry }) => mainGlob.test(entry))) {
        throw new Error(`no built file matches package.json "main" (${manifest.main}); run "npm run build" first`);
    }

    const stagingFolder = mkdtempSync(join(tmpdir(), `${manifest.name}-package-`));
    try {
        const dependencies = installProductionDependencies(appRoot, stagingFolder);
        const files: PackageFile[] = [
            ...PACKAGE_ROOT_FILES.map((entry) => ({ entry, source: join(appRoot, entry) })).filter(({ entry }) => rules.accepts(entry)),
            ...distFiles,
            ...templateFiles(appRoot, rules),
            ...collectFiles(dependencies, DEPENDENCIES_FOLDER, rules),
        ].sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));
        if (files.length > MAX_ZIP_ENTRIES) throw new Error(`${files.length} files exceed the ${MAX_ZIP_ENTRIES} a zip without Zip64 holds`);

        const entries: Zippable = {};
        let unpackedBytes = 0;
        for (const file of files) {
            const content = readFileSync(file.source);
            unpackedBytes += content.byteLength;
            entries[file.entry] = [content, { os: ZIP_HOST_UNIX, attrs: REGULAR_FILE_ATTRIBUTES, mtime: lstatSync(file.source).mtime }];
        }
        const zipPath = join(appRoot, `${manifest.name}.zip`);
        const zip = zipSync(entries);
        writeFileSync(zipPath, zip);
        return { zipPath, fileCount: files.length, zipBytes: zip.byteLength, unpackedBytes };
    } finally {
        rmSync(stagingFolder, { recursive: true, force: true });
    }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
    const summary = createPackage(findAppRoot(dirname(fileURLToPath(import.meta.url))));
    const mib = (bytes: number): string => (bytes / BYTES_PER_MIB).toFixed(1);
    console.log(
        `${summary.zipPath}: ${summary.fileCount} files, ${mib(summary.zipBytes)} MiB (${mib(summary.unpackedBytes)} MiB unpacked)`,
    );
}
