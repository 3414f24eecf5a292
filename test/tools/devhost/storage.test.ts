// Storage connections: lookup order, the emulator shorthand, identity-based settings, and key-free descriptions.
import { describe, expect, it } from 'vitest';
import { describeConnection, expandConnectionString, isDevelopmentStorage, resolveConnectionString } from '../../../tools/devhost/storage.js';
import { resolveFunctionFiles } from '../../../tools/devhost/function-files.js';
import { developmentConnectionString } from '../../../tools/devhost/azurite-process.js';
import { expandConnectionString as expandAppConnectionString } from '../../../shared/platform/azure.js';
import { FIXTURE_APP } from './fixture-app.js';

describe('resolveConnectionString', () => {
    it('reads the setting, then AzureWebJobs<name>', () => {
        expect(resolveConnectionString('Jobs', { Jobs: 'a' })).toBe('a');
        expect(resolveConnectionString('Jobs', { AzureWebJobsJobs: 'b' })).toBe('b');
    });

    it('explains that identity-based connections are not supported locally', () => {
        expect(() => resolveConnectionString('AzureWebJobsStorage', { AzureWebJobsStorage__accountName: 'acct' })).toThrow(
            /identity-based \(AzureWebJobsStorage__accountName\)/,
        );
    });

    it('names a missing setting', () => {
        expect(() => resolveConnectionString('Other', {})).toThrow(/"Other" is not configured/);
    });
});

describe('development storage', () => {
    it('recognises UseDevelopmentStorage=true and expands it to the emulator ports', () => {
        expect(isDevelopmentStorage('UseDevelopmentStorage=true')).toBe(true);
        expect(isDevelopmentStorage('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k')).toBe(false);
        expect(expandConnectionString('UseDevelopmentStorage=true')).toContain('QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1');
    });

    it('expands UseDevelopmentStorage=true as the app does', () => {
        expect(expandConnectionString('UseDevelopmentStorage=true')).toBe(`${expandAppConnectionString('UseDevelopmentStorage=true')};`);
    });

    it('builds the development account string for an emulator on other ports and another host', () => {
        expect(developmentConnectionString({ blobPort: 1, queuePort: 2, tablePort: 3 }, 'azurite')).toBe(
            'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
                'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
                'BlobEndpoint=http://azurite:1/devstoreaccount1;QueueEndpoint=http://azurite:2/devstoreaccount1;TableEndpoint=http://azurite:3/devstoreaccount1;',
        );
    });

    it('describes a connection without its key', () => {
        const text = describeConnection('DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=c2VjcmV0==;EndpointSuffix=core.windows.net');
        expect(text).toBe('account prod');
    });
});

describe('resolveFunctionFiles', () => {
    it('expands a dir/*.js glob into sorted files', async () => {
        const files = await resolveFunctionFiles('functions/*.js', FIXTURE_APP);
        expect(files.map((file) => file.slice(FIXTURE_APP.length + 1))).toEqual([
            'functions/echo.js',
            'functions/failing.js',
            'functions/health.js',
            'functions/recorder.js',
            'functions/ticker.js',
        ]);
    });

    it('finds nothing for a folder that does not exist', async () => {
        expect(await resolveFunctionFiles('missing/*.js', FIXTURE_APP)).toEqual([]);
    });
});
