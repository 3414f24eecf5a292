// Queue message decoding, trigger input, polling back-off and the retry-or-poison decision.
import { describe, expect, it } from 'vitest';
import { decodeMessageText, toTriggerInput } from '../../../tools/devhost/queue-message.js';
import { MIN_POLLING_INTERVAL_MS, failureOutcome, nextPollDelay } from '../../../tools/devhost/queue-listener.js';

describe('decodeMessageText', () => {
    it('returns the stored text as is with messageEncoding none', () => {
        expect(decodeMessageText('{"a":1}', 'none')).toEqual({ ok: true, text: '{"a":1}' });
    });

    it('decodes base64 as UTF-8', () => {
        expect(decodeMessageText(Buffer.from('{"t":"grüße"}').toString('base64'), 'base64')).toEqual({ ok: true, text: '{"t":"grüße"}' });
    });

    it('refuses text that is not base64 when messageEncoding is base64', () => {
        expect(decodeMessageText('{"a":1}', 'base64').ok).toBe(false);
        expect(decodeMessageText('abc', 'base64').ok).toBe(false);
    });
});

describe('toTriggerInput', () => {
    it('parses JSON and leaves other text a string', () => {
        expect(toTriggerInput('{"a":[1]}')).toEqual({ a: [1] });
        expect(toTriggerInput('hello world')).toBe('hello world');
    });
});

describe('nextPollDelay', () => {
    it('doubles while the queue is empty, up to the maximum', () => {
        const delays = [MIN_POLLING_INTERVAL_MS];
        for (let i = 0; i < 6; i += 1) delays.push(nextPollDelay(delays.at(-1) ?? 0, false, 1000));
        expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    });

    it('returns to the minimum once messages arrive', () => {
        expect(nextPollDelay(60_000, true, 60_000)).toBe(MIN_POLLING_INTERVAL_MS);
    });
});

describe('failureOutcome', () => {
    it('retries below maxDequeueCount and poisons at it', () => {
        expect(failureOutcome(1, 5)).toBe('retry');
        expect(failureOutcome(4, 5)).toBe('retry');
        expect(failureOutcome(5, 5)).toBe('poison');
    });
});
