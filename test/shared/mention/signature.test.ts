import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutgoingWebhookKey } from '../../../shared/mention/settings.js';
import { signTeamsBody, verifyTeamsSignature } from '../../../shared/mention/signature.js';
import { fixtureBytes, MSDOCS_EXAMPLE } from '../../support/fixtures.js';

const contoso: OutgoingWebhookKey = { name: 'contoso', key: Buffer.from(MSDOCS_EXAMPLE.token, 'base64') };
const other: OutgoingWebhookKey = { name: 'other', key: randomBytes(32) };
const body = fixtureBytes(MSDOCS_EXAMPLE.path);

describe('verifyTeamsSignature', () => {
    it('accepts the documented test vector over the exact bytes of the fixture', () => {
        expect(verifyTeamsSignature(body, MSDOCS_EXAMPLE.authorization, [contoso])).toEqual({ ok: true, keyName: 'contoso' });
    });

    it('computes the documented header value when signing', () => {
        expect(signTeamsBody(body, contoso.key)).toBe(MSDOCS_EXAMPLE.authorization);
    });

    it('refuses the vector when the body is re-serialised JSON instead of the raw bytes', () => {
        const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
        expect(verifyTeamsSignature(reserialised, MSDOCS_EXAMPLE.authorization, [contoso])).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('refuses a body with one byte changed', () => {
        const tampered = Buffer.from(body);
        tampered[100] = (tampered[100] ?? 0) ^ 1;
        expect(verifyTeamsSignature(tampered, MSDOCS_EXAMPLE.authorization, [contoso]).ok).toBe(false);
    });

    it('refuses a body with a byte appended', () => {
        const longer = Buffer.concat([body, Buffer.from(' ')]);
        expect(verifyTeamsSignature(longer, MSDOCS_EXAMPLE.authorization, [contoso]).ok).toBe(false);
    });

    it('refuses a MAC with one character changed', () => {
        const header = MSDOCS_EXAMPLE.authorization.replace('759zW', '759zX');
        expect(verifyTeamsSignature(body, header, [contoso])).toEqual({ ok: false, reason: 'mismatch' });
    });

    it.each([
        ['a missing header', undefined, 'missing_header'],
        ['an empty header', '', 'missing_header'],
        ['another scheme', MSDOCS_EXAMPLE.authorization.replace('HMAC', 'Bearer'), 'malformed_header'],
        ['no scheme', MSDOCS_EXAMPLE.authorization.slice('HMAC '.length), 'malformed_header'],
        ['a truncated MAC', MSDOCS_EXAMPLE.authorization.slice(0, -4), 'malformed_header'],
        ['a MAC of the wrong length', `HMAC ${Buffer.alloc(31).toString('base64')}`, 'malformed_header'],
        ['a MAC that is not base64', 'HMAC ' + '!'.repeat(44), 'malformed_header'],
        ['a non-canonical spelling of the right MAC', MSDOCS_EXAMPLE.authorization.replace('u3o=', 'u3p='), 'malformed_header'],
        ['the MAC as hex', `HMAC ${createHmac('sha256', contoso.key).update(body).digest('hex')}`, 'malformed_header'],
    ] as const)('refuses %s', (_what, header, reason) => {
        expect(verifyTeamsSignature(body, header, [contoso])).toEqual({ ok: false, reason });
    });

    it('accepts the scheme in any case and surrounding spaces', () => {
        const header = `  hmac   ${MSDOCS_EXAMPLE.authorization.slice(5)} `;
        expect(verifyTeamsSignature(body, header, [contoso]).ok).toBe(true);
    });

    it('fails closed when no token is configured', () => {
        expect(verifyTeamsSignature(body, MSDOCS_EXAMPLE.authorization, [])).toEqual({ ok: false, reason: 'no_keys' });
    });

    it('signs multi-byte characters over their UTF-8 bytes', () => {
        const text = Buffer.from('{"type":"message","text":"<at>Relay</at> ping 🚀 Grüße 日本"}', 'utf8');
        const header = signTeamsBody(text, other.key);
        expect(verifyTeamsSignature(text, header, [other]).ok).toBe(true);
        expect(verifyTeamsSignature(Buffer.from(text.toString('latin1'), 'utf8'), header, [other]).ok).toBe(false);
    });

    it('lets any configured token match when no id is selected', () => {
        expect(verifyTeamsSignature(body, MSDOCS_EXAMPLE.authorization, [other, contoso])).toEqual({ ok: true, keyName: 'contoso' });
    });

    it('checks only the token selected by id', () => {
        expect(verifyTeamsSignature(body, MSDOCS_EXAMPLE.authorization, [other, contoso], 'contoso').ok).toBe(true);
        expect(verifyTeamsSignature(body, MSDOCS_EXAMPLE.authorization, [other, contoso], 'other')).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('refuses an id that names no configured token', () => {
        expect(verifyTeamsSignature(body, MSDOCS_EXAMPLE.authorization, [contoso], 'nobody')).toEqual({ ok: false, reason: 'unknown_key' });
    });
});
