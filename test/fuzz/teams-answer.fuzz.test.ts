/** Properties of classifying Teams' answers beyond the HTTP ones: transport failures, and bodies that are not well-formed UTF-16. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyTeamsResponse, RECORDED_BODY_MAX_BYTES, type WebhookDialect } from '../../shared/notify/teams-answer.js';

const dialect = fc.constantFrom<WebhookDialect>('connector', 'workflows');
/** UTF-16 of any kind, lone surrogates included, as an error message or a decoded body may hold. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 1_500 });

describe('classifyTeamsResponse', () => {
    it('calls any transport failure transient and records at most 1 KB of its detail', () => {
        fc.assert(
            fc.property(fc.constantFrom('timeout', 'reset', 'network' as const), fc.option(fc.oneof(anyUtf16, fc.string({ unit: 'binary', maxLength: 1_500 })), { nil: undefined }), dialect, (failure, detail, kind) => {
                const verdict = classifyTeamsResponse(detail === undefined ? { failure } : { failure, detail }, kind);
                expect(verdict.outcome).toBe('transient');
                expect(verdict.status).toBeUndefined();
                expect(verdict.body).toBeUndefined();
                const recorded = verdict.detail ?? '';
                expect(Buffer.byteLength(recorded, 'utf8')).toBeLessThanOrEqual(RECORDED_BODY_MAX_BYTES);
                expect((detail ?? '').startsWith(recorded)).toBe(true);
            }),
            { numRuns: 300 },
        );
    });

    it('records at most 1 KB of a body holding lone surrogates, as a prefix of it', () => {
        fc.assert(
            fc.property(fc.integer({ min: 100, max: 599 }), anyUtf16, dialect, (status, body, kind) => {
                const recorded = classifyTeamsResponse({ status, body }, kind).body ?? '';
                expect(Buffer.byteLength(recorded, 'utf8')).toBeLessThanOrEqual(RECORDED_BODY_MAX_BYTES);
                expect(body.startsWith(recorded)).toBe(true);
            }),
            { numRuns: 300 },
        );
    });
});
