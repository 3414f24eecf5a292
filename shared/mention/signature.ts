/** The Teams outgoing-webhook signature: HMAC-SHA256 over the raw body, checked in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutgoingWebhookKey } from './settings.js';

/** Bytes in an HMAC-SHA256 digest. */
const HMAC_SHA256_BYTES = 32;

/** The scheme Teams puts before the MAC in the `Authorization` header (`HMAC <base64>`, docs/teams-facts.md#signature). */
const SIGNATURE_SCHEME = 'HMAC';

const HEADER = /^\s*HMAC\s+([A-Za-z0-9+/]{43}=)\s*$/i;

/** Why a signature was refused. Never shown to the caller (every refusal answers the same 401). */
type SignatureFailure = 'no_keys' | 'unknown_key' | 'missing_header' | 'malformed_header' | 'mismatch';

/** The outcome of {@link verifyTeamsSignature}. */
export type SignatureCheck =
    | { readonly ok: true; readonly keyName: string }
    | { readonly ok: false; readonly reason: SignatureFailure };

/**
 * Computes the `Authorization` header value Teams would send for `body` with `key`.
 *
 * @example
 * signTeamsBody(bytes, Buffer.from(token, 'base64')); // 'HMAC 759zW+5z...'
 */
export function signTeamsBody(body: Uint8Array, key: Uint8Array): string {
    return `${SIGNATURE_SCHEME} ${createHmac('sha256', key).update(body).digest('base64')}`;
}

/**
 * Verifies a Teams outgoing-webhook request: `authorization` must be `HMAC <base64>` where the MAC is
 * HMAC-SHA256 over the exact body bytes with one of `keys` (only `selectedName` when given, as
 * chosen by `?id=` on the callback URL). Fails closed and compares in constant time; every key is
 * tried so the time taken does not reveal which one matched.
 *
 * @example
 * const check = verifyTeamsSignature(rawBody, request.headers.get('authorization'), config.mention.keys);
 * if (!check.ok) return { status: 401 };
 */
export function verifyTeamsSignature(
    body: Uint8Array,
    authorization: string | null | undefined,
    keys: readonly OutgoingWebhookKey[],
    selectedName?: string,
): SignatureCheck {
    if (keys.length === 0) {
        return { ok: false, reason: 'no_keys' };
    }
    const candidates = selectedName === undefined ? keys : keys.filter((key) => key.name === selectedName);
    if (candidates.length === 0) {
        return { ok: false, reason: 'unknown_key' };
    }
    if (authorization === null || authorization === undefined || authorization === '') {
        return { ok: false, reason: 'missing_header' };
    }
    const match = HEADER.exec(authorization);
    const presented = match?.[1] === undefined ? undefined : Buffer.from(match[1], 'base64');
    // Re-encoding must give the header back: a non-canonical base64 spelling of the right MAC is refused too.
    if (presented?.length !== HMAC_SHA256_BYTES || presented.toString('base64') !== match?.[1]) {
        return { ok: false, reason: 'malformed_header' };
    }
    let matched: string | undefined;
    for (const candidate of candidates) {
        const expected = createHmac('sha256', candidate.key).update(body).digest();
        if (timingSafeEqual(expected, presented) && matched === undefined) {
            matched = candidate.name;
        }
    }
    return matched === undefined ? { ok: false, reason: 'mismatch' } : { ok: true, keyName: matched };
}
