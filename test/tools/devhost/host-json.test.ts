// host.json parsing: durations, documented defaults, and errors that name the key.
import { describe, expect, it } from 'vitest';
import { QUEUE_DEFAULTS, parseTimeSpan, toHostSettings } from '../../../tools/devhost/host-json.js';

describe('parseTimeSpan', () => {
    it.each([
        ['00:00:10', 10_000],
        ['00:01:00', 60_000],
        ['1.02:00:00', 26 * 3_600_000],
        ['00:00:00.250', 250],
        ['00:00:00', 0],
    ])('reads %s as %i ms', (text, ms) => {
        expect(parseTimeSpan(text)).toBe(ms);
    });

    it.each(['10', '00:60:00', '1:2', 'PT10S'])('rejects %s', (text) => {
        expect(() => parseTimeSpan(text)).toThrow(text);
    });
});

describe('toHostSettings', () => {
    it('applies the documented defaults to an empty host.json', () => {
        expect(toHostSettings({})).toEqual({
            routePrefix: 'api',
            queues: {
                batchSize: QUEUE_DEFAULTS.batchSize,
                newBatchThreshold: 8,
                maxPollingIntervalMs: 60_000,
                visibilityTimeoutMs: 0,
                maxDequeueCount: 5,
                messageEncoding: 'base64',
            },
        });
    });

    it('reads the project host.json shape', () => {
        const settings = toHostSettings({
            version: '2.0',
            extensions: {
                http: { routePrefix: '/relay/' },
                queues: { messageEncoding: 'none', batchSize: 4, maxPollingInterval: '00:00:02', visibilityTimeout: '00:00:10', maxDequeueCount: 7 },
            },
        });
        expect(settings).toEqual({
            routePrefix: 'relay',
            queues: { batchSize: 4, newBatchThreshold: 2, maxPollingIntervalMs: 2000, visibilityTimeoutMs: 10_000, maxDequeueCount: 7, messageEncoding: 'none' },
        });
    });

    it('allows an empty route prefix', () => {
        expect(toHostSettings({ extensions: { http: { routePrefix: '' } } }).routePrefix).toBe('');
    });

    it('names the key of an invalid value', () => {
        expect(() => toHostSettings({ extensions: { queues: { batchSize: 64 } } })).toThrow(/extensions\.queues\.batchSize/);
        expect(() => toHostSettings({ extensions: { queues: { visibilityTimeout: 'soon' } } })).toThrow(
            /extensions\.queues\.visibilityTimeout.*soon/,
        );
        expect(() => toHostSettings({ extensions: { queues: { messageEncoding: 'utf8' } } })).toThrow(/messageEncoding/);
    });
});
