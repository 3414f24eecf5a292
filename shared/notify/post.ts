/** One POST to a Teams webhook, with a timeout, reduced to what the classifier needs. */
import { readStreamWithin } from '../platform/index.js';
import type { TeamsAnswer } from './teams-answer.js';

/** Most bytes of an answer body we read; Teams' answers are short, a hostile server's may not be. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Posts a JSON body to a webhook and reports the answer or the transport failure. Never throws. */
export type PostToWebhook = (url: URL, body: string, timeoutMs: number) => Promise<TeamsAnswer>;

function failureOf(thrown: unknown): TeamsAnswer {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : '';
    const detail = `${error.name}: ${error.message}${typeof cause?.message === 'string' ? ` (${cause.message})` : ''}`;
    if (error.name === 'TimeoutError' || error.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        return { failure: 'timeout', detail };
    }
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || /other side closed|socket hang up/i.test(detail)) {
        return { failure: 'reset', detail };
    }
    return { failure: 'network', detail };
}

async function readCapped(response: Response): Promise<string> {
    return response.body === null ? '' : (await readStreamWithin(response.body, MAX_ANSWER_BYTES)).bytes.toString('utf8');
}

/**
 * POSTs with `fetch`; the timeout covers the whole exchange, body included, so a hung webhook never
 * holds an invocation past it. Redirects are not followed (a webhook never redirects; following one
 * could leak the payload elsewhere).
 *
 * @example
 * const answer = await postToWebhook(new URL(url), JSON.stringify({ text: 'hi' }), 10_000);
 */
export const postToWebhook: PostToWebhook = async function postToWebhook(url, body, timeoutMs) {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
        const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body,
            redirect: 'manual',
            signal,
        });
        const text = await readCapped(response);
        // Throttling and outage answers may say when to come back (a 429 from a Workflows trigger does).
        const retryAfter = response.headers.get('retry-after');
        return retryAfter === null ? { status: response.status, body: text } : { status: response.status, body: text, retryAfter };
    } catch (thrown) {
        return failureOf(thrown);
    }
};
