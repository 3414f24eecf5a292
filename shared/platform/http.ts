/** HTTP edges: reading a body within a size limit, and turning errors into answers in one place. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ClientError, ensureErrorType, isClientError, isTeamsRelayError } from './errors.js';

/**
 * The largest request body any HTTP function of the app reads: 1 MiB. The Functions host reads a
 * whole body before a function runs, so the deployment sets the host's own limit
 * (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`, docs/teams-facts.md#request-body-size) to this: a larger
 * body is refused before any of it reaches the worker.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** The generic body of every 500: a system error is never described to the caller. */
const INTERNAL_ERROR_BODY = { error: 'internal_error', message: 'Something went wrong on our side. It has been logged.' } as const;

/**
 * Reads a request body as bytes, refusing one over `maxBytes` as soon as the declared length or the
 * bytes read so far exceed it (a 413 {@link ClientError}), so an oversized body is never read whole.
 *
 * @example
 * const raw = await readBodyWithin(request, 1024 * 1024);
 */
export async function readBodyWithin(request: HttpRequest, maxBytes: number): Promise<Buffer> {
    const tooLarge = () => new ClientError('body_too_large', `The body is larger than ${maxBytes} bytes`, 413);
    const declared = request.headers.get('content-length');
    if (declared !== null && Number(declared) > maxBytes) {
        throw tooLarge();
    }
    if (request.body === null) {
        return Buffer.alloc(0);
    }
    const read = await readStreamWithin(request.body, maxBytes);
    if (read.overflowed) {
        throw tooLarge();
    }
    return read.bytes;
}

/**
 * Reads a byte stream until it ends or holds more than `maxBytes`; then it cancels the stream and
 * says so. Chunks are joined as bytes, never as strings, so multi-byte characters survive chunk
 * boundaries.
 */
export async function readStreamWithin(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<{ bytes: Buffer; overflowed: boolean }> {
    const reader: ReadableStreamDefaultReader<Uint8Array> = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done) {
            return { bytes: Buffer.concat(chunks, total), overflowed: false };
        }
        chunks.push(value);
        total += value.byteLength;
        if (total > maxBytes) {
            await reader.cancel();
            return { bytes: Buffer.concat(chunks, total).subarray(0, maxBytes), overflowed: true };
        }
    }
}

/**
 * The one place where an error becomes an HTTP answer: a {@link ClientError} answers its status and
 * message; anything else is logged and answers a generic 500, never a stack trace.
 */
export function toErrorResponse(thrown: unknown, context: InvocationContext): HttpResponseInit {
    if (isClientError(thrown)) {
        return { status: thrown.status, jsonBody: { error: thrown.code, message: thrown.message } };
    }
    const error = ensureErrorType(thrown);
    context.error(isTeamsRelayError(error) ? `${error.name} ${error.code}: ${error.message}` : error);
    return { status: 500, jsonBody: INTERNAL_ERROR_BODY };
}
