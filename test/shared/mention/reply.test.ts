import { describe, expect, it } from 'vitest';
import {
    cardActionTypes,
    InvalidReplyError,
    jsonByteLength,
    MAX_REPLY_BYTES,
    toTeamsReply,
    TRUNCATION_MARKER,
    type AdaptiveCard,
} from '../../../shared/mention/reply.js';

const card = (extra: Record<string, unknown>): AdaptiveCard => ({ type: 'AdaptiveCard', version: '1.4', body: [], ...extra });

describe('toTeamsReply', () => {
    it('wraps text in a message', () => {
        expect(toTeamsReply({ text: ' pong ' })).toEqual({ type: 'message', text: 'pong' });
    });

    it('refuses an empty text', () => {
        expect(() => toTeamsReply({ text: ' \n ' })).toThrow(InvalidReplyError);
    });

    it('wraps a card as an Adaptive Card attachment', () => {
        const reply = toTeamsReply({ card: card({}) });
        expect(reply.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
        expect(reply.type).toBe('message');
    });

    it('allows Action.OpenUrl and refuses any other action, however deep', () => {
        expect(() => toTeamsReply({ card: card({ actions: [{ type: 'Action.OpenUrl', url: 'https://x.test' }] }) })).not.toThrow();
        const nested = card({ body: [{ type: 'ActionSet', actions: [{ type: 'Action.Submit' }] }] });
        expect(() => toTeamsReply({ card: nested })).toThrow(/Action.Submit/);
        const select = card({ body: [{ type: 'Container', selectAction: { type: 'Action.Execute' } }] });
        expect(() => toTeamsReply({ card: select })).toThrow(/Action.Execute/);
    });

    it('truncates a long text under the limit with a marker', () => {
        const reply = toTeamsReply({ text: 'x'.repeat(100_000) });
        expect(jsonByteLength(reply)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
        expect(jsonByteLength(reply)).toBeGreaterThan(MAX_REPLY_BYTES - 8);
        expect(reply.text?.endsWith(TRUNCATION_MARKER)).toBe(true);
    });

    it('never cuts inside a multi-byte character or a surrogate pair', () => {
        const reply = toTeamsReply({ text: '🚀é'.repeat(20_000) });
        const kept = reply.text?.slice(0, -TRUNCATION_MARKER.length) ?? '';
        expect(kept).toMatch(/^(🚀é)*🚀?$/u);
        expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept);
        expect(jsonByteLength(reply)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
    });

    it('refuses a card over the size limit', () => {
        const big = card({ body: [{ type: 'TextBlock', text: 'y'.repeat(MAX_REPLY_BYTES) }] });
        expect(() => toTeamsReply({ card: big })).toThrow(/over the 24576-byte limit/);
    });
});

describe('cardActionTypes', () => {
    it('lists actions of action sets, selectActions and show-card children', () => {
        const types = cardActionTypes(
            card({ actions: [{ type: 'Action.ShowCard', card: card({ actions: [{ type: 'Action.OpenUrl' }] }) }] }),
        );
        expect(types.sort()).toEqual(['Action.OpenUrl', 'Action.ShowCard']);
    });
});
