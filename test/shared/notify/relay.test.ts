import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRelayAction, isMissingMessage, keysToRecord, MAX_RELAY_MESSAGE_ID_LENGTH, relayBody, relayMessageId } from '../../../shared/notify/relay.js';

const recorded = (messageId: string) => ({ messageId, recordedAt: 0 });

describe('decideRelayAction', () => {
    it('updates the card recorded for the updateKey, before anything else', () => {
        expect(decideRelayAction({ updateKey: 'u', threadKey: 't' }, { update: recorded('m1'), thread: recorded('root') })).toEqual({ action: 'update', messageId: 'm1' });
    });

    it('replies to the thread root when only the threadKey has a message', () => {
        expect(decideRelayAction({ updateKey: 'u', threadKey: 't' }, { thread: recorded('root') })).toEqual({ action: 'reply', parentMessageId: 'root' });
    });

    it('posts when nothing is recorded, or the job has no keys', () => {
        expect(decideRelayAction({ updateKey: 'u' }, {})).toEqual({ action: 'post' });
        expect(decideRelayAction({}, { update: recorded('m1'), thread: recorded('root') })).toEqual({ action: 'post' });
    });
});

describe('keysToRecord', () => {
    it('records the updateKey after any action, and the threadKey only for a post (the root)', () => {
        expect(keysToRecord({ updateKey: 'u', threadKey: 't' }, { action: 'post' })).toEqual([
            { kind: 'update', key: 'u' },
            { kind: 'thread', key: 't' },
        ]);
        expect(keysToRecord({ updateKey: 'u', threadKey: 't' }, { action: 'reply', parentMessageId: 'root' })).toEqual([{ kind: 'update', key: 'u' }]);
        expect(keysToRecord({}, { action: 'post' })).toEqual([]);
    });
});

describe('relayBody', () => {
    it('adds the relay field to the Workflows envelope, keeping the rest', () => {
        const envelope = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard' } }] };
        expect(JSON.parse(relayBody(JSON.stringify(envelope), { action: 'update', messageId: 'm1', jobId: 'deploy-4711' }))).toEqual({
            ...envelope,
            relay: { action: 'update', messageId: 'm1', jobId: 'deploy-4711' },
        });
    });

    it('refuses a body that is not a JSON object', () => {
        expect(() => relayBody('[1]', { action: 'post', jobId: 'j' })).toThrow(TypeError);
    });
});

describe('relayMessageId', () => {
    it('reads the id of a 200 answer', () => {
        expect(relayMessageId({ status: 200, body: '{"messageId":"1700000000123"}' })).toBe('1700000000123');
        expect(relayMessageId({ status: 200, body: '{"messageId":1700000000123}' })).toBe('1700000000123');
    });

    it('finds none in a 202, a 200 without an id, a failure or a hostile body', () => {
        expect(relayMessageId({ status: 202, body: '' })).toBeUndefined();
        expect(relayMessageId({ status: 202, body: '{"messageId":"1"}' })).toBeUndefined();
        expect(relayMessageId({ status: 200, body: '' })).toBeUndefined();
        expect(relayMessageId({ status: 200, body: '{"messageId":""}' })).toBeUndefined();
        expect(relayMessageId({ status: 200, body: `{"messageId":"${'x'.repeat(MAX_RELAY_MESSAGE_ID_LENGTH + 1)}"}` })).toBeUndefined();
        expect(relayMessageId({ status: 200, body: '{"messageId":{"id":"1"}}' })).toBeUndefined();
        expect(relayMessageId({ failure: 'timeout', detail: 'x' })).toBeUndefined();
    });

    it('never throws, and returns a short non-empty string or nothing, whatever the answer', () => {
        fc.assert(
            fc.property(fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.json(), fc.record({ messageId: fc.jsonValue() }).map((value) => JSON.stringify(value))), (status, body) => {
                const id = relayMessageId({ status, body });
                expect(id === undefined || (id.trim() !== '' && id.length <= MAX_RELAY_MESSAGE_ID_LENGTH)).toBe(true);
            }),
        );
    });
});

describe('isMissingMessage', () => {
    it('is a 404 to an update or a reply, never to a post', () => {
        expect(isMissingMessage({ status: 404, body: '' }, { action: 'update', messageId: 'm' })).toBe(true);
        expect(isMissingMessage({ status: 404, body: '' }, { action: 'reply', parentMessageId: 'm' })).toBe(true);
        expect(isMissingMessage({ status: 404, body: '' }, { action: 'post' })).toBe(false);
        expect(isMissingMessage({ status: 400, body: '' }, { action: 'update', messageId: 'm' })).toBe(false);
    });
});
