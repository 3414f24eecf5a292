/** Properties of the Teams signature check: only the right MAC over the exact bytes, in canonical form, passes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutgoingWebhookKey } from '../../shared/mention/settings.js';
import { signTeamsBody, verifyTeamsSignature } from '../../shared/mention/signature.js';

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Every body a request can carry, invalid UTF-8 included. */
const body = fc.uint8Array({ maxLength: 4096 });
const nonEmptyBody = fc.uint8Array({ minLength: 1, maxLength: 4096 });
/** A 32-byte security token, as Teams issues them. */
const tokenKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));
const tokenName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/);

function keyring(key: Buffer, name = 'default'): OutgoingWebhookKey[] {
    return [{ name, key }];
}

/** The MAC of `header` (after `HMAC `), which `signTeamsBody` always writes in canonical form. */
function macOf(header: string): string {
    return header.slice('HMAC '.length);
}

/**
 * What Teams' header means, read independently of the implementation: a scheme word (any case) and a
 * token separated by whitespace, with optional surrounding whitespace. It names `mac` only when the
 * scheme is `hmac` and the token is `mac` spelled exactly.
 */
function namesMac(header: string, mac: string): boolean {
    const parts = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
    return parts !== null && parts[1]?.toLowerCase() === 'hmac' && parts[2] === mac;
}

/** A header value derived from a correct one. */
type HeaderChange = (header: string) => fc.Arbitrary<string>;

const flipMacCharacter: HeaderChange = (header) =>
    fc
        .tuple(fc.nat({ max: macOf(header).length - 1 }), fc.constantFrom(...Array.from(BASE64_ALPHABET), '=', '-', '_', '.', ' ', 'é'))
        .map(([index, replacement]) => {
            const mac = macOf(header);
            return `HMAC ${mac.slice(0, index)}${replacement}${mac.slice(index + 1)}`;
        });

const recaseScheme: HeaderChange = (header) =>
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }).map((upper) => {
        const scheme = Array.from('hmac').map((letter, index) => (upper[index] === true ? letter.toUpperCase() : letter)).join('');
        return `${scheme} ${macOf(header)}`;
    });

const replaceScheme: HeaderChange = (header) =>
    fc
        .oneof(
            fc.constantFrom('Bearer', 'Basic', 'HMAC-SHA256', 'HMACSHA256', 'HMA', 'HMACC', 'hmac:', 'SharedKey', 'ΗΜΑC'),
            fc.stringMatching(/^[^\s]{1,12}$/),
        )
        .filter((scheme) => scheme.toLowerCase() !== 'hmac')
        .map((scheme) => `${scheme} ${macOf(header)}`);

const changePadding: HeaderChange = (header) =>
    fc.constantFrom(
        header.replace(/=$/, ''),
        `${header}=`,
        `${header}==`,
        header.replace(/=$/, '%3D'),
        `${header.replace(/=$/, '')}A`,
    );

const addTokens: HeaderChange = (header) =>
    fc
        .tuple(fc.stringMatching(/^[^\s]{1,20}$/), fc.constantFrom('before', 'between', 'after', 'comma', 'twice'))
        .map(([token, where]) => {
            const mac = macOf(header);
            switch (where) {
                case 'before':
                    return `${token} ${header}`;
                case 'between':
                    return `HMAC ${token} ${mac}`;
                case 'after':
                    return `${header} ${token}`;
                case 'comma':
                    return `${header},${token}`;
                case 'twice':
                    return `${header} ${mac}`;
            }
        });

const respace: HeaderChange = (header) =>
    fc
        .tuple(
            fc.stringMatching(/^[ \t\r\n\u00a0\u2028\ufeff]{0,3}$/),
            fc.stringMatching(/^[ \t\r\n\u00a0\u2028\ufeff]{1,3}$/),
            fc.stringMatching(/^[ \t\r\n\u00a0\u2028\ufeff]{0,3}$/),
        )
        .map(([before, between, after]) => `${before}HMAC${between}${macOf(header)}${after}`);

/** Alternative base64 spellings of the same 32 bytes: the unused low bits of the last character set. */
const nonCanonicalMac: HeaderChange = (header) =>
    fc.integer({ min: 1, max: 3 }).map((lowBits) => {
        const mac = macOf(header);
        const last = BASE64_ALPHABET.indexOf(mac.charAt(mac.length - 2));
        return `HMAC ${mac.slice(0, -2)}${BASE64_ALPHABET.charAt(last | lowBits)}=`;
    });

const headerChange = fc.constantFrom(flipMacCharacter, recaseScheme, replaceScheme, changePadding, addTokens, respace, nonCanonicalMac);

/** Strings a caller may put in the header, including lone surrogates and control characters. */
const arbitraryHeader = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
    fc.base64String().map((mac) => `HMAC ${mac}`),
    fc.stringMatching(/^[Hh][Mm][Aa][Cc] [A-Za-z0-9+/]{43}=$/),
);

describe('verifyTeamsSignature', () => {
    it('accepts the right MAC over any byte string', () => {
        fc.assert(
            fc.property(body, tokenKey, tokenName, (bytes, key, name) => {
                expect(verifyTeamsSignature(bytes, signTeamsBody(bytes, key), keyring(key, name))).toEqual({ ok: true, keyName: name });
            }),
            { numRuns: 300 },
        );
    });

    it('refuses the MAC once any bit of the body is flipped', () => {
        fc.assert(
            fc.property(nonEmptyBody, tokenKey, fc.nat(), fc.nat({ max: 7 }), (bytes, key, position, bit) => {
                const header = signTeamsBody(bytes, key);
                const changed = Uint8Array.from(bytes);
                const index = position % changed.length;
                changed[index] = (changed[index] ?? 0) ^ (1 << bit);
                expect(verifyTeamsSignature(changed, header, keyring(key))).toEqual({ ok: false, reason: 'mismatch' });
            }),
            { numRuns: 300 },
        );
    });

    it('refuses the MAC once bytes are appended to the body', () => {
        fc.assert(
            fc.property(body, fc.uint8Array({ minLength: 1, maxLength: 64 }), tokenKey, (bytes, extra, key) => {
                const header = signTeamsBody(bytes, key);
                expect(verifyTeamsSignature(Buffer.concat([bytes, extra]), header, keyring(key)).ok).toBe(false);
            }),
            { numRuns: 300 },
        );
    });

    it('refuses the MAC once the body is truncated', () => {
        fc.assert(
            fc.property(nonEmptyBody, fc.nat(), tokenKey, (bytes, cut, key) => {
                const header = signTeamsBody(bytes, key);
                expect(verifyTeamsSignature(bytes.subarray(0, cut % bytes.length), header, keyring(key)).ok).toBe(false);
            }),
            { numRuns: 300 },
        );
    });

    it('accepts a changed header only when it still names the same MAC in canonical form', () => {
        const signedAndChanged = fc.tuple(body, tokenKey, headerChange).chain(([bytes, key, change]) => {
            const header = signTeamsBody(bytes, key);
            return fc.record({ bytes: fc.constant(bytes), key: fc.constant(key), header: fc.constant(header), changed: change(header) });
        });
        fc.assert(
            fc.property(signedAndChanged, ({ bytes, key, header, changed }) => {
                const check = verifyTeamsSignature(bytes, changed, keyring(key));
                expect(check.ok).toBe(namesMac(changed, macOf(header)));
            }),
            { numRuns: 1000 },
        );
    });

    it('accepts the scheme in any case and whitespace around it', () => {
        fc.assert(
            fc.property(body, tokenKey, (bytes, key) => {
                const header = signTeamsBody(bytes, key);
                for (const variant of [header.toLowerCase().slice(0, 4) + header.slice(4), `  ${header}\t`, header.replace(' ', '\t \t')]) {
                    expect(verifyTeamsSignature(bytes, variant, keyring(key)).ok).toBe(true);
                }
            }),
            { numRuns: 100 },
        );
    });

    it('refuses a non-canonical spelling of the right MAC', () => {
        fc.assert(
            fc.property(body, tokenKey, fc.integer({ min: 1, max: 3 }), (bytes, key, lowBits) => {
                const mac = macOf(signTeamsBody(bytes, key));
                const last = BASE64_ALPHABET.indexOf(mac.charAt(mac.length - 2));
                const spelled = `${mac.slice(0, -2)}${BASE64_ALPHABET.charAt(last ^ lowBits)}=`;
                expect(Buffer.from(spelled, 'base64')).toEqual(Buffer.from(mac, 'base64'));
                expect(verifyTeamsSignature(bytes, `HMAC ${spelled}`, keyring(key))).toEqual({ ok: false, reason: 'malformed_header' });
            }),
            { numRuns: 100 },
        );
    });

    it('never throws and never passes for a header made of arbitrary strings', () => {
        fc.assert(
            fc.property(body, tokenKey, fc.oneof(arbitraryHeader, fc.constantFrom(null, undefined)), (bytes, key, header) => {
                const check = verifyTeamsSignature(bytes, header, keyring(key));
                expect(check.ok).toBe(false);
            }),
            { numRuns: 1000 },
        );
    });

    it('never passes without a configured key, whatever the header', () => {
        fc.assert(
            fc.property(body, tokenKey, fc.option(fc.string()), (bytes, key, selected) => {
                expect(verifyTeamsSignature(bytes, signTeamsBody(bytes, key), [], selected ?? undefined)).toEqual({ ok: false, reason: 'no_keys' });
            }),
            { numRuns: 100 },
        );
    });

    describe('with several keys', () => {
        const keys = fc
            .uniqueArray(fc.tuple(tokenName, tokenKey), {
                minLength: 1,
                maxLength: 6,
                selector: ([name]) => name,
            })
            .filter((pairs) => new Set(pairs.map(([, key]) => key.toString('hex'))).size === pairs.length)
            .map((pairs) => pairs.map(([name, key]): OutgoingWebhookKey => ({ name, key })));

        it('accepts a body signed by any one of them, naming that key', () => {
            fc.assert(
                fc.property(body, keys, fc.nat(), (bytes, ring, pick) => {
                    const signer = ring[pick % ring.length];
                    expect(signer).toBeDefined();
                    if (signer === undefined) return;
                    expect(verifyTeamsSignature(bytes, signTeamsBody(bytes, signer.key), ring)).toEqual({ ok: true, keyName: signer.name });
                }),
                { numRuns: 200 },
            );
        });

        it('refuses a body signed by a key outside the set', () => {
            fc.assert(
                fc.property(body, keys, tokenKey, (bytes, ring, outsider) => {
                    fc.pre(ring.every(({ key }) => !key.equals(outsider)));
                    expect(verifyTeamsSignature(bytes, signTeamsBody(bytes, outsider), ring)).toEqual({ ok: false, reason: 'mismatch' });
                }),
                { numRuns: 200 },
            );
        });

        it('with ?id= accepts only the key it selects', () => {
            fc.assert(
                fc.property(body, keys, fc.nat(), fc.nat(), (bytes, ring, signerPick, selectedPick) => {
                    const signer = ring[signerPick % ring.length];
                    const selected = ring[selectedPick % ring.length];
                    expect(signer !== undefined && selected !== undefined).toBe(true);
                    if (signer === undefined || selected === undefined) return;
                    const check = verifyTeamsSignature(bytes, signTeamsBody(bytes, signer.key), ring, selected.name);
                    expect(check).toEqual(signer === selected ? { ok: true, keyName: signer.name } : { ok: false, reason: 'mismatch' });
                }),
                { numRuns: 200 },
            );
        });

        it('with ?id= naming no key refuses even the right MAC', () => {
            fc.assert(
                fc.property(body, keys, fc.string(), fc.nat(), (bytes, ring, unknownName, pick) => {
                    fc.pre(ring.every(({ name }) => name !== unknownName));
                    const signer = ring[pick % ring.length];
                    if (signer === undefined) return;
                    expect(verifyTeamsSignature(bytes, signTeamsBody(bytes, signer.key), ring, unknownName)).toEqual({ ok: false, reason: 'unknown_key' });
                }),
                { numRuns: 200 },
            );
        });
    });
});
