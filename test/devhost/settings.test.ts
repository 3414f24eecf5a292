// Settings precedence, %SETTING% expressions, local.settings.json and PORT.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
    applyEnvironment,
    planEnvironment,
    portFromEnvironment,
    readLocalSettings,
    resolveSettingExpressions,
} from '../../devhost/settings.js';

describe('planEnvironment', () => {
    it('never lets local.settings.json override the environment', () => {
        expect(planEnvironment({ current: { A: 'env' }, localValues: { A: 'local', B: 'local' }, overrides: {} })).toEqual({ B: 'local' });
    });

    it('lets explicit overrides win over both', () => {
        expect(planEnvironment({ current: { A: 'env' }, localValues: { A: 'local', B: 'local' }, overrides: { A: 'o', B: 'o' } })).toEqual({
            A: 'o',
            B: 'o',
        });
    });

    it('changes nothing when an override equals the environment', () => {
        expect(planEnvironment({ current: { A: 'same' }, localValues: { A: 'local' }, overrides: { A: 'same' } })).toEqual({});
    });
});

describe('applyEnvironment', () => {
    it('restores previous values and removes added ones', () => {
        process.env['DEVHOST_TEST_EXISTING'] = 'before';
        const restore = applyEnvironment({ DEVHOST_TEST_EXISTING: 'during', DEVHOST_TEST_NEW: 'during' });
        expect(process.env['DEVHOST_TEST_NEW']).toBe('during');
        restore();
        expect(process.env['DEVHOST_TEST_EXISTING']).toBe('before');
        expect(process.env['DEVHOST_TEST_NEW']).toBeUndefined();
        Reflect.deleteProperty(process.env, 'DEVHOST_TEST_EXISTING');
    });
});

describe('resolveSettingExpressions', () => {
    it('replaces %NAME% with the setting', () => {
        expect(resolveSettingExpressions('%Q%-x', { Q: 'jobs' })).toBe('jobs-x');
        expect(resolveSettingExpressions('plain', {})).toBe('plain');
    });

    it('names a missing setting', () => {
        expect(() => resolveSettingExpressions('%NOTIFICATIONS_QUEUE%', {})).toThrow(/"NOTIFICATIONS_QUEUE"/);
    });
});

describe('portFromEnvironment', () => {
    it('defaults to 7071 and reads PORT', () => {
        expect(portFromEnvironment({})).toBe(7071);
        expect(portFromEnvironment({ PORT: '8080' })).toBe(8080);
    });

    it('rejects a PORT that is not a port', () => {
        expect(() => portFromEnvironment({ PORT: 'http' })).toThrow(/PORT.*"http"/);
    });
});

describe('readLocalSettings', () => {
    let dir: string | undefined;
    afterEach(async () => {
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('returns the Values as strings and nothing when the file is missing', async () => {
        dir = await mkdtemp(join(tmpdir(), 'devhost-settings-'));
        expect(await readLocalSettings(dir)).toEqual({});
        await writeFile(join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { A: 'x', N: 3, B: true } }));
        expect(await readLocalSettings(dir)).toEqual({ A: 'x', N: '3', B: 'true' });
    });

    it('names the file when it is not JSON', async () => {
        dir = await mkdtemp(join(tmpdir(), 'devhost-settings-'));
        await writeFile(join(dir, 'local.settings.json'), '{ nope');
        await expect(readLocalSettings(dir)).rejects.toThrow(/local\.settings\.json is not valid JSON/);
    });
});
