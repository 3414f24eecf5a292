// Settings precedence, %SETTING% expressions, local.settings.json, PORT, HOST and the request body limit.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
    applyEnvironment,
    DEFAULT_REQUEST_BODY_SIZE_LIMIT,
    hostFromEnvironment,
    isLoopback,
    planEnvironment,
    portFromEnvironment,
    readLocalSettings,
    requestBodyLimitFromEnvironment,
    resolveSettingExpressions,
} from '../../../tools/devhost/settings.js';

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

describe('hostFromEnvironment', () => {
    it('listens on 127.0.0.1 when HOST is unset or blank', () => {
        expect(hostFromEnvironment({})).toEqual({ host: '127.0.0.1', loopback: true });
        expect(hostFromEnvironment({ HOST: '  ' })).toEqual({ host: '127.0.0.1', loopback: true });
    });

    it.each([
        ['0.0.0.0', '0.0.0.0', false],
        ['::', '::', false],
        ['[::1]', '::1', true],
        ['localhost', 'localhost', true],
        ['127.0.0.2', '127.0.0.2', true],
        ['192.168.1.20', '192.168.1.20', false],
        ['devbox.internal', 'devbox.internal', false],
    ])('reads HOST=%s as %s, loopback %s', (value, host, loopback) => {
        expect(hostFromEnvironment({ HOST: value })).toEqual({ host, loopback });
    });

    it.each(['http://0.0.0.0', '0.0.0.0:7071', 'two words', 'a/b', '[::1', 'x'.repeat(254)])('refuses HOST=%s, naming the setting', (value) => {
        expect(() => hostFromEnvironment({ HOST: value })).toThrow(/^HOST must be an IP address or a host name/);
    });

    it('gives an address or a named refusal for any value, and calls loopback only what is', () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.ipV4(), fc.ipV6(), fc.domain()), (value) => {
                let result: { host: string; loopback: boolean };
                try {
                    result = hostFromEnvironment({ HOST: value });
                } catch (error) {
                    expect((error as Error).message).toMatch(/^HOST must be /);
                    expect((error as Error).message.length).toBeLessThan(200);
                    return;
                }
                expect(result.host).toMatch(/^[A-Za-z0-9.:_-]+$/);
                expect(result.loopback).toBe(isLoopback(result.host));
            }),
            { numRuns: 1_000 },
        );
    });
});

describe('isLoopback', () => {
    it('knows 127.0.0.0/8, ::1, its IPv4-mapped form and localhost', () => {
        for (const host of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
            expect(isLoopback(host), host).toBe(true);
        }
    });

    it('calls no other address loopback', () => {
        for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', '127.example.com', 'localhost.example.com']) {
            expect(isLoopback(host), host).toBe(false);
        }
        fc.assert(
            fc.property(fc.ipV4(), (address) => {
                expect(isLoopback(address)).toBe(address.startsWith('127.'));
            }),
        );
    });
});

describe('requestBodyLimitFromEnvironment', () => {
    it("defaults to the Functions host's 100 MiB", () => {
        expect(requestBodyLimitFromEnvironment({})).toBe(DEFAULT_REQUEST_BODY_SIZE_LIMIT);
        expect(DEFAULT_REQUEST_BODY_SIZE_LIMIT).toBe(104_857_600);
    });

    it('reads FUNCTIONS_REQUEST_BODY_SIZE_LIMIT in bytes', () => {
        expect(requestBodyLimitFromEnvironment({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1048576' })).toBe(1_048_576);
    });

    it('reads any whole number of bytes and refuses anything else, naming the setting', () => {
        fc.assert(
            fc.property(fc.oneof(fc.nat().map(String), fc.string({ unit: 'binary', maxLength: 20 }), fc.double().map(String)), (value) => {
                const text = value.trim();
                if (text === '') {
                    expect(requestBodyLimitFromEnvironment({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: value })).toBe(DEFAULT_REQUEST_BODY_SIZE_LIMIT);
                } else if (/^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))) {
                    expect(requestBodyLimitFromEnvironment({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: value })).toBe(Number(text));
                } else {
                    expect(() => requestBodyLimitFromEnvironment({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: value })).toThrow(/^FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a whole number of bytes/);
                }
            }),
            { numRuns: 1_000 },
        );
    });
});
