// host.json: the settings the app's guarantees rely on, as the Functions host will read them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const host = JSON.parse(readFileSync(new URL('../../host.json', import.meta.url), 'utf8')) as {
    version: string;
    extensionBundle: { id: string; version: string };
    extensions: { queues: Record<string, unknown> };
    logging: { logLevel: Record<string, string>; applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
};

describe('host.json', () => {
    it('is version 2.0 with the extension bundle range [4.*, 5.0.0)', () => {
        expect(host.version).toBe('2.0');
        expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
    });

    it('takes queue messages as they are, so plain and base64 JSON both reach the handler', () => {
        expect(host.extensions.queues.messageEncoding).toBe('none');
    });

    it('never samples away requests, exceptions or the app traces that carry failures', () => {
        const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
        expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception', 'Trace']));
        expect(host.logging.logLevel.Function).toBe('Information');
    });
});
