// Configuration consistency: the zod schema's keys against local.settings.json.example, the README and the Bicep.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTIFICATIONS_QUEUE_NAME } from '../../functions/deliver.js';
import { WAKEUP_QUEUE_NAME } from '../../functions/wake.js';
import { hostFromEnvironment, requestBodyLimitFromEnvironment } from '../../tools/devhost/settings.js';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/platform/http.js';
import { CONFIGURATION_KEYS, SECRET_CONFIGURATION_KEYS, configurationDefaults, loadConfig } from '../../shared/config.js';
import { DEFAULT_NOTIFICATIONS_QUEUE } from '../../shared/platform/config.js';
import { MAX_NOTIFICATIONS_QUEUE_CHARS, MIN_QUEUE_NAME_CHARS } from '../../shared/platform/queue-names.js';
import { DEAD_LETTER_TABLE_NAME, OUTBOX_TABLE_NAME, wakeupQueueName } from '../../shared/platform/storage.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): Promise<string> => readFile(join(ROOT, path), 'utf8');

/** Keys the Functions platform reads itself; the schema rightly knows nothing of them. */
const PLATFORM_KEYS: Readonly<Record<string, string>> = {
    FUNCTIONS_WORKER_RUNTIME: 'selects the language worker for func start; on Flex Consumption the runtime is functionAppConfig.runtime',
    FUNCTIONS_EXTENSION_VERSION: 'the Functions host version; Flex Consumption fixes it',
    APPLICATIONINSIGHTS_CONNECTION_STRING: 'where the host sends telemetry',
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'makes the host authenticate to Application Insights with the managed identity (local auth is off)',
    AzureWebJobsStorage__credential: 'tells the host to use a managed identity for AzureWebJobsStorage; the app infers identity from the other __ keys',
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: "the host's own limit on a request body, which it reads whole before a function runs; npm start honours it too",
};

/** Keys only the local host behind `npm start` reads: never app settings of the function app. */
const LOCAL_HOST_KEYS: Readonly<Record<string, string>> = {
    HOST: 'the address npm start listens on; the Functions host in Azure has no such setting',
};

/** Settings Flex Consumption rejects; the runtime and deployment live in functionAppConfig instead. */
const FLEX_REJECTED_SETTINGS = [
    'FUNCTIONS_WORKER_RUNTIME',
    'FUNCTIONS_EXTENSION_VERSION',
    'FUNCTIONS_WORKER_RUNTIME_VERSION',
    'WEBSITE_RUN_FROM_PACKAGE',
    'WEBSITE_NODE_DEFAULT_VERSION',
    'SCM_DO_BUILD_DURING_DEPLOYMENT',
    'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
    'WEBSITE_CONTENTSHARE',
] as const;

/** Schema keys local.settings.json.example leaves out on purpose. */
const NOT_IN_LOCAL_SETTINGS: Readonly<Record<string, string>> = {
    AzureWebJobsStorage__accountName: 'identity-based storage needs a managed identity; locally AzureWebJobsStorage (the emulator) is used, and it wins over these keys anyway',
    AzureWebJobsStorage__queueServiceUri: 'as AzureWebJobsStorage__accountName (an empty value would not even be a URL)',
    AzureWebJobsStorage__tableServiceUri: 'as AzureWebJobsStorage__accountName (an empty value would not even be a URL)',
    AzureWebJobsStorage__clientId: 'as AzureWebJobsStorage__accountName',
    'TEAMS_CONNECTION_<ALIAS>': 'optional, for Workflows aliases only: without it the example alias belongs to the connection "default"',
};

/** Schema keys the Bicep leaves out on purpose. */
const NOT_IN_INFRA: Readonly<Record<string, string>> = {
    AzureWebJobsStorage: 'a connection string needs shared keys, which the storage account disables; the AzureWebJobsStorage__* identity settings replace it, and a connection string would win over them',
};

/** `TEAMS_WEBHOOK_<ALIAS>` and `TEAMS_WEBHOOK_${toUpper(alias)}` both become `TEAMS_WEBHOOK_<>`, so a family compares as one key. */
const familyOf = (key: string): string => key.replace(/<[^>]*>/g, '<>').replace(/\$\{[^}]*\}/g, '<>');

/** The schema key a concrete key belongs to (its family for `TEAMS_WEBHOOK_OPS`), or undefined. */
function schemaKeyOf(key: string): string | undefined {
    for (const schemaKey of CONFIGURATION_KEYS) {
        const family = familyOf(schemaKey);
        if (family === familyOf(key)) {
            return schemaKey;
        }
        if (family.endsWith('<>') && key.startsWith(family.slice(0, -2)) && /^[A-Za-z0-9_]+$/.test(key.slice(family.length - 2))) {
            return schemaKey;
        }
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// A small reader for the Bicep these tests rely on: comments, single-quoted strings with ${...}
// interpolations, nested brackets, `key: value` entries separated by new lines, `param` lines with
// defaults, `var` objects, and `union(...)` / `toObject(...)` over them. Anything else it meets where
// app settings are expected makes it throw, so a change the reader does not understand fails loudly.
// ---------------------------------------------------------------------------------------------

/** Index just past the single-quoted string starting at `start` (a `'`), skipping `${...}` interpolations. */
function skipString(text: string, start: number): number {
    let i = start + 1;
    while (i < text.length) {
        const char = text[i];
        if (char === '\\') {
            i += 2;
        } else if (char === "'") {
            return i + 1;
        } else if (char === '$' && text[i + 1] === '{') {
            i = skipBalanced(text, i + 1);
        } else {
            i += 1;
        }
    }
    throw new Error(`unterminated string at ${start}`);
}

/** Index just past the bracket that closes the one at `start`, skipping strings and comments. */
function skipBalanced(text: string, start: number): number {
    const closing: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
    const stack: string[] = [];
    let i = start;
    while (i < text.length) {
        const char = text[i] ?? '';
        if (char === "'") {
            i = skipString(text, i);
            continue;
        }
        if (char === '/' && text[i + 1] === '/') {
            i = text.indexOf('\n', i);
            if (i === -1) return text.length;
            continue;
        }
        const close = closing[char];
        if (close !== undefined) {
            stack.push(close);
        } else if (char === stack.at(-1)) {
            stack.pop();
            if (stack.length === 0) return i + 1;
        }
        i += 1;
    }
    throw new Error(`unbalanced bracket at ${start}`);
}

/** The text without `//` comments (strings kept intact). */
function stripComments(text: string): string {
    let out = '';
    let i = 0;
    while (i < text.length) {
        if (text[i] === "'") {
            const end = skipString(text, i);
            out += text.slice(i, end);
            i = end;
        } else if (text[i] === '/' && text[i + 1] === '/') {
            const end = text.indexOf('\n', i);
            i = end === -1 ? text.length : end;
        } else {
            out += text.charAt(i);
            i += 1;
        }
    }
    return out;
}

interface Entry {
    readonly key: string;
    readonly value: string;
}

/** The `key: value` entries at the top level of an object literal `{ ... }` (a key is an identifier or a quoted string). */
function objectEntries(objectText: string): Entry[] {
    const text = objectText.trim();
    if (!text.startsWith('{') || skipBalanced(text, 0) !== text.length) {
        throw new Error(`not an object literal: ${text.slice(0, 60)}`);
    }
    const entries: Entry[] = [];
    let i = 1;
    const end = text.length - 1;
    while (i < end) {
        const rest = text.slice(i, end);
        const skipped = /^[\s,]*/.exec(rest)?.[0].length ?? 0;
        i += skipped;
        if (i >= end) break;
        let key: string;
        if (text[i] === "'") {
            const close = skipString(text, i);
            key = text.slice(i + 1, close - 1);
            i = close;
        } else {
            const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
            if (match === null) throw new Error(`unexpected object entry: ${text.slice(i, i + 40)}`);
            key = match[0];
            i += key.length;
        }
        if (key === 'resource' && /^\s+\w/.test(text.slice(i))) {
            // A nested child resource declaration: `resource name 'type' = [if (...)] {...}` or `= [for ...]`.
            i = text.indexOf('=', i) + 1;
            i += /^\s*/.exec(text.slice(i))?.[0].length ?? 0;
            if (text.startsWith('if', i)) {
                i = skipBalanced(text, text.indexOf('(', i));
                i += /^\s*/.exec(text.slice(i))?.[0].length ?? 0;
            }
            i = skipBalanced(text, i);
            continue;
        }
        const colon = /^\s*:\s*/.exec(text.slice(i));
        if (colon === null) throw new Error(`no ':' after key ${key}`);
        i += colon[0].length;
        const start = i;
        while (i < end && text[i] !== '\n' && text[i] !== ',') {
            const char = text[i] ?? '';
            i = char === "'" ? skipString(text, i) : '{[('.includes(char) ? skipBalanced(text, i) : i + 1;
        }
        entries.push({ key, value: text.slice(start, i).trim() });
    }
    return entries;
}

/** The entries of an object literal `{ ... }` as a map from key to value expression. */
function entryMap(objectText: string): Map<string, string> {
    return new Map(objectEntries(objectText).map(({ key, value }) => [key, value]));
}

/** Expects each key of `expected` to have exactly its value expression in `entries`. */
function expectEntries(entries: ReadonlyMap<string, string>, expected: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(expected)) {
        expect(entries.get(key), key).toBe(value);
    }
}

/** The top-level, comma-separated arguments of the call `name(...)` that `expression` is. */
function callArguments(expression: string, name: string): string[] {
    const text = expression.trim();
    if (!text.startsWith(`${name}(`) || skipBalanced(text, name.length) !== text.length) {
        throw new Error(`not a ${name}(...) call: ${text.slice(0, 60)}`);
    }
    const args: string[] = [];
    let i = name.length + 1;
    let start = i;
    const end = text.length - 1;
    while (i < end) {
        const char = text[i] ?? '';
        if (char === ',') {
            args.push(text.slice(start, i).trim());
            start = i + 1;
            i += 1;
        } else {
            i = char === "'" ? skipString(text, i) : '{[('.includes(char) ? skipBalanced(text, i) : i + 1;
        }
    }
    args.push(text.slice(start, end).trim());
    return args;
}

/** The value of `<keyword> <name> ... = <value>` at the top level of a Bicep file (`var`, `param`). */
function declaration(bicep: string, keyword: 'var' | 'param', name: string): { type: string; value: string | undefined } | undefined {
    const match = new RegExp(`^${keyword} ${name}\\b([^=\\n]*)(=[ \\t]*)?`, 'm').exec(bicep);
    if (match === null) return undefined;
    const type = (match[1] ?? '').trim();
    if (match[2] === undefined) return { type, value: undefined };
    let i = match.index + match[0].length;
    const start = i;
    while (i < bicep.length && bicep[i] !== '\n') {
        const char = bicep[i] ?? '';
        i = char === "'" ? skipString(bicep, i) : '{[('.includes(char) ? skipBalanced(bicep, i) : i + 1;
    }
    return { type, value: bicep.slice(start, i).trim() };
}

/** The body `{ ... }` of the resource of a type (any API version) whose entries match `where`. */
function resourceBodies(bicep: string, type: string): string[] {
    const pattern = new RegExp(`^resource \\w+ '${type.replace(/[./]/g, '\\$&')}@[^']+'[^{\\n]*\\{`, 'gm');
    return [...bicep.matchAll(pattern)].map((match) => {
        const open = match.index + match[0].length - 1;
        return bicep.slice(open, skipBalanced(bicep, open));
    });
}

/** One app setting as the Bicep writes it: its key (families as `TEAMS_WEBHOOK_<>`), and its value expression. */
type AppSettings = ReadonlyMap<string, string>;

/** Keys and value expressions of an app-settings expression: an object literal, a `var`, `union(...)` or `toObject(array, x => 'key', x => value)`. */
function settingsOf(bicep: string, expression: string): Map<string, string> {
    const text = expression.trim();
    if (text.startsWith('{')) {
        return new Map(objectEntries(text).map(({ key, value }) => [familyOf(key), value]));
    }
    if (text.startsWith('union(')) {
        return new Map(callArguments(text, 'union').flatMap((arg) => [...settingsOf(bicep, arg)]));
    }
    if (text.startsWith('toObject(')) {
        const [, keyLambda, valueLambda] = callArguments(text, 'toObject');
        const key = /^\w+\s*=>\s*'(.*)'$/s.exec(keyLambda ?? '')?.[1];
        const value = /^\w+\s*=>\s*(.*)$/s.exec(valueLambda ?? '')?.[1];
        if (key === undefined || value === undefined) throw new Error(`toObject without key and value lambdas: ${text}`);
        return new Map([[familyOf(key), value.trim()]]);
    }
    if (/^[A-Za-z_]\w*$/.test(text)) {
        const value = declaration(bicep, 'var', text)?.value;
        if (value === undefined) throw new Error(`no var ${text}`);
        return settingsOf(bicep, value);
    }
    throw new Error(`app settings expression not understood: ${text.slice(0, 60)}`);
}

/** The app settings of the `Microsoft.Web/sites/config` resource named `appsettings`. */
function appSettingsOf(bicep: string): AppSettings {
    const configs = resourceBodies(bicep, 'Microsoft.Web/sites/config')
        .map(objectEntries)
        .filter((entries) => entries.some(({ key, value }) => key === 'name' && value === "'appsettings'"));
    expect(configs).toHaveLength(1);
    const properties = configs[0]?.find(({ key }) => key === 'properties')?.value;
    if (properties === undefined) throw new Error('the appsettings resource has no properties');
    return settingsOf(bicep, properties);
}

/** The `params: { ... }` a module declaration of `main.bicep` passes. */
function moduleParams(bicep: string, symbol: string): Map<string, string> {
    const match = new RegExp(`^module ${symbol} '[^']+' = \\{`, 'm').exec(bicep);
    if (match === null) throw new Error(`no module ${symbol}`);
    const open = match.index + match[0].length - 1;
    const body = objectEntries(bicep.slice(open, skipBalanced(bicep, open)));
    const params = body.find(({ key }) => key === 'params')?.value;
    if (params === undefined) throw new Error(`module ${symbol} has no params`);
    return entryMap(params);
}

/** Evaluates a Bicep string literal or a `param` reference, given the parameters' values. */
function evaluateString(expression: string, params: Readonly<Record<string, string>>): string {
    const text = expression.trim();
    const lookup = (name: string): string => {
        const value = params[name];
        if (value === undefined) throw new Error(`no value for ${name}`);
        return value;
    };
    if (/^[A-Za-z_]\w*$/.test(text)) return lookup(text);
    const literal = /^'(.*)'$/s.exec(text)?.[1];
    if (literal === undefined) throw new Error(`not a string: ${text}`);
    return literal.replace(/\$\{\s*([A-Za-z_]\w*)\s*\}/g, (_, name: string) => lookup(name));
}

/** The elements of an array literal `[a, 'b', ...]` on one line or several. */
function arrayElements(expression: string): string[] {
    const text = expression.trim();
    if (!text.startsWith('[') || skipBalanced(text, 0) !== text.length) throw new Error(`not an array: ${text}`);
    return callArguments(`a(${text.slice(1, -1).replace(/\n/g, ',')})`, 'a').filter((element) => element !== '');
}

/** A parameter's default as the string an app setting would hold (`'x'` → `x`, `4000` → `4000`). */
function defaultOf(bicep: string, name: string): string | undefined {
    const value = declaration(bicep, 'param', name)?.value;
    if (value === undefined) return undefined;
    return /^'(.*)'$/s.exec(value)?.[1] ?? value;
}

/** Rows of the README table under `## Configuration`: the backticked keys of the first column. */
function readmeConfigurationKeys(readme: string): { keys: string[]; mentioned: string } {
    const start = readme.indexOf('\n## Configuration\n');
    expect(start).toBeGreaterThan(-1);
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end === -1 ? undefined : end);
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    return {
        keys: rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1] ?? ''),
        mentioned: rows.join('\n'),
    };
}

const files = async () => {
    const [main, api, storage, secrets, parameters, example, readme] = await Promise.all([
        read('infra/main.bicep'),
        read('infra/app/api.bicep'),
        read('infra/core/storage/storage-account.bicep'),
        read('infra/app/secrets.bicep'),
        read('infra/main.parameters.json'),
        read('local.settings.json.example'),
        read('README.md'),
    ]);
    const localValues = (JSON.parse(example) as { Values: Record<string, string> }).Values;
    return {
        main: stripComments(main),
        api: stripComments(api),
        storage: stripComments(storage),
        secrets: stripComments(secrets),
        parameters: JSON.parse(parameters) as { parameters: Record<string, { value: unknown }> },
        localValues,
        readme,
    };
};

describe('the Bicep reader', () => {
    it('reads keys and values of union, var and toObject app settings, ignoring comments', () => {
        const bicep = [
            "var more = toObject(items(names), n => 'TEAMS_WEBHOOK_${toUpper(n.key)}', n => '@Microsoft.KeyVault(SecretUri=${n.value})')",
            "resource s 'Microsoft.Web/sites/config@2024-04-01' = {",
            "  name: 'appsettings'",
            '  properties: union({',
            "    // A: 'not a key'",
            "    A: 'https://x/${y}' // trailing",
            "    'B': string(f({ c: 1 }))",
            '  }, more)',
            '}',
        ].join('\n');
        const settings = appSettingsOf(stripComments(bicep));
        expect([...settings]).toEqual([
            ['A', "'https://x/${y}'"],
            ['B', 'string(f({ c: 1 }))'],
            ['TEAMS_WEBHOOK_<>', "'@Microsoft.KeyVault(SecretUri=${n.value})'"],
        ]);
    });

    it('fails on an app settings expression it does not understand', () => {
        const bicep = "resource s 'Microsoft.Web/sites/config@2024-04-01' = {\n  name: 'appsettings'\n  properties: shallowMerge([a, b])\n}";
        expect(() => appSettingsOf(bicep)).toThrow(/not understood/);
    });
});

describe('every configuration key of the schema', () => {
    it('is in local.settings.json.example, the identity-based storage keys excepted', async () => {
        const { localValues } = await files();
        const expected = CONFIGURATION_KEYS.filter((key) => !(key in NOT_IN_LOCAL_SETTINGS));
        const present = new Set(Object.keys(localValues).map((key) => schemaKeyOf(key)));
        expect(expected.filter((key) => !present.has(key))).toEqual([]);
        expect(Object.keys(NOT_IN_LOCAL_SETTINGS).filter((key) => key in localValues)).toEqual([]);
    });

    it("is in the README's configuration table", async () => {
        const { readme } = await files();
        const { keys, mentioned } = readmeConfigurationKeys(readme);
        const missing = CONFIGURATION_KEYS.filter((key) => !keys.includes(key) && !mentioned.includes(`\`${key}\``));
        expect(missing).toEqual([]);
    });

    it('is an app setting of the function app, AzureWebJobsStorage excepted', async () => {
        const { api } = await files();
        const settings = appSettingsOf(api);
        const missing = CONFIGURATION_KEYS.filter((key) => !(key in NOT_IN_INFRA) && !settings.has(familyOf(key)));
        expect(missing).toEqual([]);
        expect(Object.keys(NOT_IN_INFRA).filter((key) => settings.has(key))).toEqual([]);
    });
});

describe('nothing unknown to the schema', () => {
    const known = (key: string): boolean => schemaKeyOf(key) !== undefined || key in PLATFORM_KEYS;
    const knownLocally = (key: string): boolean => known(key) || key in LOCAL_HOST_KEYS;

    it('is in local.settings.json.example', async () => {
        const { localValues } = await files();
        expect(Object.keys(localValues).filter((key) => !knownLocally(key))).toEqual([]);
    });

    it("is in the README's configuration table", async () => {
        const { readme } = await files();
        expect(readmeConfigurationKeys(readme).keys.filter((key) => !knownLocally(key))).toEqual([]);
    });

    it('is an app setting of the function app', async () => {
        const { api } = await files();
        expect([...appSettingsOf(api).keys()].filter((key) => !known(key))).toEqual([]);
    });
});

describe('the keys of the local host', () => {
    it("are in local.settings.json.example and the README's configuration table, and never app settings", async () => {
        const { localValues, readme, api } = await files();
        const { keys } = readmeConfigurationKeys(readme);
        const settings = appSettingsOf(api);
        for (const key of Object.keys(LOCAL_HOST_KEYS)) {
            expect(localValues, key).toHaveProperty(key);
            expect(keys, key).toContain(key);
            expect(settings.has(key), key).toBe(false);
        }
    });

    it('listen on loopback only in the example, as by default', async () => {
        const { localValues } = await files();
        expect(hostFromEnvironment(localValues)).toEqual({ host: '127.0.0.1', loopback: true });
    });
});

describe('the request body limit', () => {
    it('is the largest body an HTTP function reads, in Azure and in local.settings.json.example alike', async () => {
        const { api, localValues } = await files();
        expect(appSettingsOf(api).get('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT')).toBe(`'${MAX_REQUEST_BODY_BYTES}'`);
        expect(requestBodyLimitFromEnvironment(localValues)).toBe(MAX_REQUEST_BODY_BYTES);
    });
});

describe('local.settings.json.example', () => {
    it('is a valid configuration with a webhook alias, holding only the documented test token', async () => {
        const { localValues } = await files();
        const config = loadConfig(localValues);
        expect([...config.targets.webhooks.keys()]).toEqual(['demo']);
        expect(config.mention.keys.map((key) => key.name)).toEqual(['contoso']);
        // The docs' "contoso" test token, public by construction (docs/teams-facts.md#signature).
        expect(localValues['TEAMS_OUTGOING_WEBHOOK_SECRETS']).toBe('contoso:vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=');
        expect(config.targets.webhooks.get('demo')?.hostname).toBe('127.0.0.1');
    });
});

describe('the function app settings', () => {
    it('hold secrets only as Key Vault references', async () => {
        const { api } = await files();
        const settings = appSettingsOf(api);
        for (const key of SECRET_CONFIGURATION_KEYS) {
            expect(settings.get(familyOf(key)), key).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{[^}]+\}[^']*\)'$/);
        }
    });

    it('resolve Key Vault references with the user-assigned identity', async () => {
        const { api } = await files();
        const [site] = resourceBodies(api, 'Microsoft.Web/sites');
        const properties = entryMap(site ?? '').get('properties') ?? '';
        expect(objectEntries(properties)).toContainEqual({ key: 'keyVaultReferenceIdentity', value: 'identity.id' });
    });

    /** Parameters whose value main.bicep extends before passing it on, and why. */
    const EXTENDED_BY_MAIN: Readonly<Record<string, string>> = {
        relayFlowAliases: 'the relay flow main.bicep deploys (deployRelayFlow) joins the aliases given',
    };

    it('take every default from the schema, through parameters of main.bicep', async () => {
        const { main, api } = await files();
        const settings = appSettingsOf(api);
        const apiParams = moduleParams(main, 'api');
        const defaults = configurationDefaults();
        // A family of keys (`TEAMS_CONNECTION_<ALIAS>`) is one setting per entry of an object parameter, with no default.
        const plainKeys = CONFIGURATION_KEYS.filter(
            (key) => !key.startsWith('AzureWebJobsStorage') && !SECRET_CONFIGURATION_KEYS.includes(key) && !key.includes('<'),
        );
        expect(plainKeys.length).toBeGreaterThan(0);
        for (const key of plainKeys) {
            const value = settings.get(key) ?? '';
            const param = /^(?:string\((\w+)\)|(\w+))$/.exec(value);
            const name = param?.[1] ?? param?.[2];
            expect(name, `${key} is set from a parameter`).toBeDefined();
            if (name === undefined) continue;
            expect(declaration(api, 'param', name)?.value, `${name} has its default in main.bicep only`).toBeUndefined();
            const passed = apiParams.get(name) ?? '';
            // main.bicep may add what it deploys itself to a parameter's value, but still reads the parameter.
            expect(passed === name || (name in EXTENDED_BY_MAIN && new RegExp(`\\b${name}\\b`).test(passed)), `main.bicep passes ${name}`).toBe(true);
            expect(defaultOf(main, name), `${key} default`).toBe(defaults[key] ?? '');
        }
    });

    it('write one TEAMS_MENTION_SCOPE_<NAME> per entry of the mentionScopes parameter, none by default', async () => {
        const { main, api } = await files();
        expect(appSettingsOf(api).get('TEAMS_MENTION_SCOPE_<>')).toMatch(/^\w+\.value$/);
        expect(api).toContain("toObject(items(mentionScopes), scope => 'TEAMS_MENTION_SCOPE_${toUpper(replace(replace(scope.key, '-', '_'), '.', '_'))}'");
        expect(moduleParams(main, 'api').get('mentionScopes')).toBe('mentionScopes');
        expect(defaultOf(main, 'mentionScopes')).toBe('{}');
    });

    it('leave out what Flex Consumption rejects', async () => {
        const { api } = await files();
        const settings = appSettingsOf(api);
        expect(FLEX_REJECTED_SETTINGS.filter((key) => settings.has(key))).toEqual([]);
    });

    it('use identity-based storage with the user-assigned identity', async () => {
        const { api } = await files();
        expectEntries(appSettingsOf(api), {
            AzureWebJobsStorage__credential: "'managedidentity'",
            AzureWebJobsStorage__clientId: 'identity.properties.clientId',
            APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "'ClientId=${identity.properties.clientId};Authorization=AAD'",
        });
    });
});

describe('secret parameters', () => {
    it('are @secure(), default to empty and are written to Key Vault only when given', async () => {
        const { main, secrets } = await files();
        for (const name of ['outgoingWebhookSecrets', 'githubWebhookSecret', 'webhooks']) {
            expect(main, name).toMatch(new RegExp(`@secure\\(\\)\\n(?:@[^\\n]*\\n)*param ${name} \\w+ = (?:''|\\{\\})\\n`));
            expect(secrets, name).toMatch(new RegExp(`@secure\\(\\)\\n(?:@[^\\n]*\\n)*param ${name} `));
        }
        expect(resourceBodies(secrets, 'Microsoft.KeyVault/vaults/secrets')).toHaveLength(3);
        expect(secrets).toMatch(/'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = if \(!empty\(outgoingWebhookSecrets\)\)/);
        expect(secrets).toMatch(/'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = if \(!empty\(githubWebhookSecret\)\)/);
        expect(secrets).toMatch(/'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = \[for webhook in items\(webhooks\): if \(!empty\(webhook\.value\)\)/);
    });

    it('are not in main.parameters.json, so azd never writes them to its .env file', async () => {
        const { parameters } = await files();
        expect(Object.keys(parameters.parameters)).not.toContain('outgoingWebhookSecrets');
        expect(Object.keys(parameters.parameters)).not.toContain('githubWebhookSecret');
        expect(Object.keys(parameters.parameters)).not.toContain('webhooks');
    });
});

describe('storage', () => {
    it('creates the queues functions/ and shared/ use', async () => {
        const { main } = await files();
        const queue = defaultOf(main, 'notificationsQueue') ?? '';
        expect(queue).toBe(DEFAULT_NOTIFICATIONS_QUEUE);
        const params = { notificationsQueue: queue };
        const queues = arrayElements(moduleParams(main, 'storage').get('queueNames') ?? '[]').map((element) => evaluateString(element, params));
        const config = loadConfig({});
        expect(queues.sort()).toEqual(
            [NOTIFICATIONS_QUEUE_NAME, config.queues.notifications, config.queues.poison, WAKEUP_QUEUE_NAME, wakeupQueueName(config.queues.notifications)]
                .filter((name, index, all) => all.indexOf(name) === index)
                .sort(),
        );
        expect(moduleParams(main, 'api').get('notificationsQueue')).toBe('notificationsQueue');
    });

    it('bounds notificationsQueue as the app bounds NOTIFICATIONS_QUEUE', async () => {
        const { main } = await files();
        expect(main).toMatch(new RegExp(`@minLength\\(${MIN_QUEUE_NAME_CHARS}\\)\\n@maxLength\\(${MAX_NOTIFICATIONS_QUEUE_CHARS}\\)\\nparam notificationsQueue `));
    });

    it('creates the tables shared/storage uses', async () => {
        const { main } = await files();
        const tables = arrayElements(moduleParams(main, 'storage').get('tableNames') ?? '[]').map((element) => evaluateString(element, {}));
        expect(tables.sort()).toEqual([DEAD_LETTER_TABLE_NAME, OUTBOX_TABLE_NAME].sort());
    });

    it('refuses shared keys and public blobs, and requires TLS 1.2', async () => {
        const { storage } = await files();
        const [account] = resourceBodies(storage, 'Microsoft.Storage/storageAccounts');
        const properties = entryMap(entryMap(account ?? '').get('properties') ?? '{}');
        expectEntries(properties, { allowSharedKeyAccess: 'false', allowBlobPublicAccess: 'false', minimumTlsVersion: "'TLS1_2'" });
    });
});

describe('Flex Consumption', () => {
    it('keeps one always-ready instance for the HTTP functions, with 2048 MB instances and a parameterised scale-out', async () => {
        const { main, api } = await files();
        const [site] = resourceBodies(api, 'Microsoft.Web/sites');
        const properties = entryMap(site ?? '').get('properties') ?? '{}';
        const entries = entryMap(entryMap(properties).get('functionAppConfig') ?? '{}');
        const scale = entryMap(entries.get('scaleAndConcurrency') ?? '{}');
        const alwaysReady = arrayElements(scale.get('alwaysReady') ?? '[]').map((element) => Object.fromEntries(entryMap(element)));
        expect(alwaysReady).toEqual([{ name: "'http'", instanceCount: '1' }]);
        expect(scale.get('maximumInstanceCount')).toBe('maximumInstanceCount');
        expect(defaultOf(main, 'maximumInstanceCount')).toBe('40');
        expect(defaultOf(main, 'instanceMemoryMB')).toBe('2048');
        const runtime = entryMap(entries.get('runtime') ?? '{}');
        expect(runtime.get('name')).toBe("'node'");
        expect(main).toMatch(/@allowed\(\['20', '22'\]\)\nparam nodeVersion string = '(20|22)'/);
    });

    it('deploys Node 22, the major version CI tests besides the machine\'s Node', async () => {
        const { main } = await files();
        expect(defaultOf(main, 'nodeVersion')).toBe('22');
        const pinned = /^NODE22_VERSION=(\d+)\.\d+\.\d+$/m.exec(await read('.ci/run'))?.[1];
        expect(pinned).toBe(defaultOf(main, 'nodeVersion'));
    });

    it('runs on an FC1 Linux plan', async () => {
        const plan = stripComments(await read('infra/core/host/flex-consumption-plan.bicep'));
        expect(plan).toMatch(/name: 'FC1'\s+tier: 'FlexConsumption'/);
        expect(plan).toMatch(/reserved: true/);
    });
});

describe('deployment entry points', () => {
    it('azure.yaml deploys this folder as TypeScript to the function app', async () => {
        const yaml = await read('azure.yaml');
        expect(yaml).toMatch(/^services:\n {2}api:\n(?: {4}.*\n|\s*#.*\n)*/m);
        for (const line of ['project: .', 'language: ts', 'host: function']) {
            expect(yaml).toContain(`    ${line}\n`);
        }
        const { api } = await files();
        expect(api).toContain("'azd-service-name': 'api'");
    });

    it("README's az deployment command sets every parameter azd fills from its environment", async () => {
        const { parameters, readme } = await files();
        const fromEnvironment = Object.entries(parameters.parameters)
            .filter(([, { value }]) => typeof value === 'string' && /\$\{\w+\}/.test(value))
            .map(([name]) => name);
        const command = /az deployment sub create[^\n]*(?:\\\n[^\n]*)*/.exec(readme)?.[0] ?? '';
        expect(command).toContain('-f infra/main.bicep');
        expect(fromEnvironment.filter((name) => !new RegExp(`\\b${name}=`).test(command))).toEqual([]);
    });

    it('main.bicep outputs the app name and the callback URL to paste into Teams', async () => {
        const { main } = await files();
        expect(main).toMatch(/^output AZURE_FUNCTION_APP_NAME string = api\.outputs\.name$/m);
        expect(main).toMatch(/^output TEAMS_CALLBACK_URL string = 'https:\/\/\$\{api\.outputs\.defaultHostName\}\/api\/mention'$/m);
    });
});
