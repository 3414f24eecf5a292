/** Properties of text replies: any non-blank text fits in 24 KB of JSON, cut between characters, as a prefix plus the marker. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonByteLength, MAX_REPLY_BYTES, toTeamsReply, TRUNCATION_MARKER, truncateToFit } from '../../shared/mention/reply.js';

/** Characters whose JSON or UTF-8 form is longer than one byte, or that sit next to a cut badly. */
const awkward = fc.constantFrom('"', '\\', '\u0000', '\u001f', '\n', '\u2028', 'é', '€', '😀', '👩‍👩‍👧', '\ud83d\ude00', ' ');

/** Well-formed text of any length up to a few times the limit, in any script. */
const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12_000 }),
    fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), awkward), minLength: 3_000, maxLength: 12_000 }),
    fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 30_000 })).map(([piece, times]) => piece.repeat(times).slice(0, 40_000)),
    fc.tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 100 }), fc.integer({ min: 23_000, max: 26_000 }), awkward).map(([head, length, tail]) => `${head}${'a'.repeat(length)}${tail.repeat(4)}`),
);
const nonBlank = text.filter((candidate) => candidate.trim() !== '');

function replyText(reply: ReturnType<typeof toTeamsReply>): string {
    expect(typeof reply.text).toBe('string');
    return reply.text ?? '';
}

/** Checks `check` on the reply to each of 200 non-blank texts. */
function forEachTextReply(check: (reply: ReturnType<typeof toTeamsReply>, input: string) => void): void {
    fc.assert(
        fc.property(nonBlank, (input) => {
            check(toTeamsReply({ text: input }), input);
        }),
        { numRuns: 200 },
    );
}

describe('toTeamsReply with text', () => {
    it('answers any non-blank text with a message of at most 24 KB of JSON', () => {
        forEachTextReply((reply) => {
            expect(reply.type).toBe('message');
            expect(Buffer.byteLength(JSON.stringify(reply), 'utf8')).toBeLessThanOrEqual(MAX_REPLY_BYTES);
            expect(replyText(reply).trim()).not.toBe('');
        });
    });

    it('never splits a surrogate pair: the text survives a UTF-8 round trip unchanged', () => {
        forEachTextReply((reply) => {
            const sent = replyText(reply);
            expect(Buffer.from(sent, 'utf8').toString('utf8')).toBe(sent);
        });
    });

    it('keeps the trimmed text whole when it fits, and otherwise sends a prefix of it plus the marker', () => {
        forEachTextReply((reply, input) => {
            const trimmed = input.trim();
            const sent = replyText(reply);
            if (jsonByteLength({ type: 'message', text: trimmed }) <= MAX_REPLY_BYTES) {
                expect(sent).toBe(trimmed);
            } else {
                expect(sent.endsWith(TRUNCATION_MARKER)).toBe(true);
                expect(trimmed.startsWith(sent.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
            }
        });
    });

    it('cuts no more than it must: one more character would not fit', () => {
        forEachTextReply((reply, input) => {
            const trimmed = input.trim();
            const sent = replyText(reply);
            fc.pre(sent !== trimmed);
            const kept = sent.slice(0, -TRUNCATION_MARKER.length);
            const next = String.fromCodePoint(trimmed.codePointAt(kept.length) ?? 0);
            expect(jsonByteLength({ type: 'message', text: kept + next + TRUNCATION_MARKER })).toBeGreaterThan(MAX_REPLY_BYTES);
        });
    });

    it('refuses blank text instead of sending it', () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[\s\u00a0\u2028\ufeff]*$/), (blank) => {
                expect(() => toTeamsReply({ text: blank })).toThrow(/empty/);
            }),
            { numRuns: 100 },
        );
    });
});

describe('truncateToFit', () => {
    it('fits any text under any limit the marker fits in, cutting only between code points', () => {
        const measure = (candidate: string) => Buffer.byteLength(candidate, 'utf8');
        const markerBytes = measure(TRUNCATION_MARKER);
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 2_000 }), fc.integer({ min: markerBytes, max: 4_000 }), (input, maxBytes) => {
                const fitted = truncateToFit(input, maxBytes, measure);
                expect(measure(fitted)).toBeLessThanOrEqual(maxBytes);
                expect(Buffer.from(fitted, 'utf8').toString('utf8')).toBe(fitted);
                if (fitted !== input) {
                    expect(fitted.endsWith(TRUNCATION_MARKER)).toBe(true);
                    expect(input.startsWith(fitted.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
                }
            }),
            { numRuns: 500 },
        );
    });
});
