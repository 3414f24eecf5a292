import { describe, expect, it } from 'vitest';
import { signGitHubBody, verifyGitHubSignature } from '../../../shared/notify/producers/github-signature.js';
import { fixtureBytes } from '../../support/fixtures.js';

/** GitHub's documented test values ("Validating webhook deliveries", "Testing the webhook payload validation"). */
const DOCUMENTED = {
    secret: "It's a Secret to Everybody",
    payload: Buffer.from('Hello, World!'),
    signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
} as const;

describe('GitHub webhook signature', () => {
    it("gives GitHub's documented signature for its test secret and payload", () => {
        expect(signGitHubBody(DOCUMENTED.payload, DOCUMENTED.secret)).toBe(DOCUMENTED.signature);
    });

    it("accepts GitHub's documented signature", () => {
        expect(verifyGitHubSignature(DOCUMENTED.payload, DOCUMENTED.signature, DOCUMENTED.secret)).toEqual({ ok: true });
    });

    it('accepts a signature over the exact bytes of a real payload file', () => {
        const body = fixtureBytes('producers/github/ping.json');
        expect(verifyGitHubSignature(body, signGitHubBody(body, 'hook-secret'), 'hook-secret')).toEqual({ ok: true });
    });

    it('refuses everything when no secret is configured (fail closed)', () => {
        expect(verifyGitHubSignature(DOCUMENTED.payload, DOCUMENTED.signature, undefined)).toEqual({ ok: false, reason: 'no_secret' });
        expect(verifyGitHubSignature(DOCUMENTED.payload, DOCUMENTED.signature, '')).toEqual({ ok: false, reason: 'no_secret' });
    });

    it.each([undefined, null, '', '   '])('refuses a missing header (%j)', (header) => {
        expect(verifyGitHubSignature(DOCUMENTED.payload, header, DOCUMENTED.secret)).toEqual({ ok: false, reason: 'missing_header' });
    });

    it.each([
        ['the SHA-1 header format', 'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59'],
        ['no prefix', DOCUMENTED.signature.slice('sha256='.length)],
        ['one digit short', DOCUMENTED.signature.slice(0, -1)],
        ['one digit too many', `${DOCUMENTED.signature}0`],
        ['a non-hex digit', `${DOCUMENTED.signature.slice(0, -1)}g`],
        ['base64 instead of hex', 'sha256=dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc='],
    ])('refuses a malformed header: %s', (_what, header) => {
        expect(verifyGitHubSignature(DOCUMENTED.payload, header, DOCUMENTED.secret)).toEqual({ ok: false, reason: 'malformed_header' });
    });

    it('refuses a signature made with another secret', () => {
        expect(verifyGitHubSignature(DOCUMENTED.payload, DOCUMENTED.signature, 'another secret')).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('refuses a signature over other bytes, however small the change', () => {
        expect(verifyGitHubSignature(Buffer.from('Hello, World! '), DOCUMENTED.signature, DOCUMENTED.secret)).toEqual({ ok: false, reason: 'mismatch' });
    });
});
