// Decodes queue messages as the Functions host does: base64 or plain text, then JSON when it parses.
import type { DequeuedMessageItem } from '@azure/storage-queue';
import type { TriggerMetadata } from '@azure/functions';
import type { MessageEncoding } from './host-json.js';

/** Strict base64 (standard alphabet, padded), as .NET's `Convert.FromBase64String` accepts it, whitespace aside. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded text of a message, or why it cannot be decoded. */
type DecodedMessage = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/**
 * Decodes the stored message text per host.json `messageEncoding`.
 * @example decodeMessageText('eyJhIjoxfQ==', 'base64') // { ok: true, text: '{"a":1}' }
 */
export function decodeMessageText(stored: string, encoding: MessageEncoding): DecodedMessage {
    if (encoding === 'none') return { ok: true, text: stored };
    const compact = stored.replace(/\s+/g, '');
    if (!BASE64.test(compact)) return { ok: false, reason: 'the message is not valid base64 (messageEncoding is base64)' };
    return { ok: true, text: Buffer.from(compact, 'base64').toString('utf8') };
}

/**
 * The value a queue handler receives: the parsed JSON when the text is JSON, else the text itself
 * (the library's own rule, src/converters/fromRpcTypedData.ts `tryJsonParse`).
 * @example toTriggerInput('{"a":1}') // { a: 1 }
 */
export function toTriggerInput(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

/**
 * The trigger metadata of a queue invocation (Microsoft Learn, queue trigger "Message metadata"). Times are
 * ISO 8601 strings: the host passes them to the Node worker as JSON, so they never arrive as `Date`s.
 */
export function toQueueTriggerMetadata(message: DequeuedMessageItem, text: string): TriggerMetadata {
    return {
        id: message.messageId,
        queueTrigger: text,
        dequeueCount: message.dequeueCount,
        insertionTime: message.insertedOn.toISOString(),
        expirationTime: message.expiresOn.toISOString(),
        nextVisibleTime: message.nextVisibleOn.toISOString(),
        popReceipt: message.popReceipt,
    };
}
