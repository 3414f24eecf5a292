/** GitHub's webhook signature: `X-Hub-Signature-256` = `sha256=` + hex HMAC-SHA256 of the raw body with the webhook secret, checked in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header GitHub signs deliveries in (docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries). */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

/** What comes before the hex digest in the header. */
const GITHUB_SIGNATURE_PREFIX = 'sha256=';

const HEADER = /^sha256=([0-9a-fA-F]+)$/;

/** Why a signature was refused. Never shown to the caller (every refusal answers the same 401). */
type GitHubSignatureFailure = 'no_secret' | 'missing_header' | 'malformed_header' | 'mismatch';

/** The outcome of {@link verifyGitHubSignature}. */
type GitHubSignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: GitHubSignatureFailure };

/**
 * The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`.
 *
 * @example
 * signGitHubBody(Buffer.from('Hello, World!'), "It's a Secret to Everybody");
 * // 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
 */
export function signGitHubBody(body: Uint8Array, secret: string): string {
    return `${GITHUB_SIGNATURE_PREFIX}${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Verifies a GitHub delivery before its body is parsed: `header` must be `sha256=` followed by the
 * hex HMAC-SHA256 of the exact body bytes with `secret`. Fails closed: no secret configured, a
 * missing or malformed header, or a wrong digest are all refusals; digests are compared in
 * constant time.
 *
 * @example
 * const check = verifyGitHubSignature(rawBody, request.headers.get(GITHUB_SIGNATURE_HEADER), config.githubWebhookSecret);
 * if (!check.ok) return { status: 401 };
 */
export function verifyGitHubSignature(body: Uint8Array, header: string | null | undefined, secret: string | undefined): GitHubSignatureCheck {
    if (secret === undefined || secret === '') {
        return { ok: false, reason: 'no_secret' };
    }
    if (header === null || header === undefined || header.trim() === '') {
        return { ok: false, reason: 'missing_header' };
    }
    const expected = createHmac('sha256', secret).update(body).digest();
    const hex = HEADER.exec(header.trim())?.[1];
    // Hex digits in pairs and exactly one digest long: Buffer.from would drop a stray odd digit silently.
    if (hex === undefined || hex.length !== expected.length * 2) {
        return { ok: false, reason: 'malformed_header' };
    }
    return timingSafeEqual(expected, Buffer.from(hex, 'hex')) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
