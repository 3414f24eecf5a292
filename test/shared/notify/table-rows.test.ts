// The outbox's row layout: key encoding, the send-log codec, chunked and cut strings.
import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
    CUT_MARKER,
    MAX_ENCODED_ID_CHARS,
    MAX_KEY_CHARS,
    MAX_STRING_PROPERTY_CHARS,
    STRING_CHUNK_CHARS,
    cutString,
    decodeSends,
    encodeKeyPart,
    encodeSends,
    indexRowKey,
    jobRowKey,
    toChunkedProperties,
} from '../../../shared/notify/outbox/table-rows.js';

/** 24 h, the longest Teams window, in ms. */
const DAY_MS = 86_400_000;

const hash = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** JavaScript's default string order: UTF-16 code units, as the contract's "ties by job id". */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('encodeKeyPart', () => {
    it('keeps printable ASCII ids as they are', () => {
        expect(encodeKeyPart('deploy-4711 (api) v2.3', hash)).toBe('deploy-4711 (api) v2.3');
    });

    it('escapes characters Azure refuses in keys, the escape itself and non-ASCII', () => {
        const encoded = encodeKeyPart('a/b\\c#d?e~fé\u0001', hash);
        expect(encoded).toMatch(/^[ -"$-.0-9:->@-[\]-~]*$/);
        expect(encoded).toBe('a~002fb~005cc~0023d~003fe~007ef~00e9~0001');
    });

    it('sorts like the ids themselves for every id the job schema allows', () => {
        const ids = ['a', 'a ', 'a!', 'a}', 'a~', 'a~~', 'aé', 'a\u{1F600}', 'a\uFFFD', 'A', 'z', 'zz', '~', 'é', '日本'];
        const byId = [...ids].sort(byCodeUnits);
        const byEncoding = [...ids].sort((a, b) => byCodeUnits(encodeKeyPart(a, hash), encodeKeyPart(b, hash)));
        expect(byEncoding).toEqual(byId);
    });

    it('shortens a very long encoding with a hash and keeps it unique', () => {
        const long = 'é'.repeat(127);
        const first = encodeKeyPart(`${long}a`, hash);
        const second = encodeKeyPart(`${long}b`, hash);
        expect(first.length).toBeLessThanOrEqual(MAX_ENCODED_ID_CHARS);
        expect(first).not.toBe(second);
        expect(jobRowKey(Date.now(), first).length).toBeLessThanOrEqual(MAX_KEY_CHARS);
    });
});

describe('row keys', () => {
    it('pads the order so RowKey order is numeric order', () => {
        expect(jobRowKey(5, 'x') < jobRowKey(40, 'a')).toBe(true);
        expect(jobRowKey(1_700_000_000_000, 'job-1')).toBe('job|001700000000000|job-1');
    });

    it('refuses an order that is not a whole non-negative number', () => {
        expect(() => jobRowKey(-1, 'x')).toThrow(/order/);
        expect(() => jobRowKey(1.5, 'x')).toThrow(/order/);
    });

    it('keeps index rows out of the job range', () => {
        expect(indexRowKey('x') < 'job|').toBe(true);
    });
});

describe('send log codec', () => {
    it('round-trips a send log', () => {
        const sends = [1_700_000_000_000, 1_700_000_000_250, 1_700_000_000_250, 1_700_000_031_000];
        expect(decodeSends(encodeSends(sends))).toEqual(sends);
    });

    it('round-trips an empty send log', () => {
        expect(decodeSends(encodeSends([]))).toEqual([]);
    });

    it('fits 1800 sends in 24 h into one string property', () => {
        // Evenly spread sends give the longest text: digits grow with the logarithm of each gap.
        const start = 1_700_000_000_000;
        const sends = Array.from({ length: 1800 }, (_unused, index) => start + Math.floor((index * DAY_MS) / 1800));
        const encoded = encodeSends(sends);
        expect(decodeSends(encoded)).toEqual(sends);
        // Measured: 9,003 characters (18 KB of UTF-16), under a third of the 64 KiB property limit.
        expect(encoded.length).toBeLessThan(MAX_STRING_PROPERTY_CHARS / 3);
    });

    it('rejects a damaged send log', () => {
        expect(decodeSends('lp1xxqo0,-6y')).toBeUndefined();
        expect(decodeSends('not a log')).toBeUndefined();
    });
});

describe('chunked and cut strings', () => {
    it('splits a long string into chunks under the property limit and records their count', () => {
        const value = 'x'.repeat(STRING_CHUNK_CHARS * 2 + 5);
        const properties = toChunkedProperties('jobJson', value, 4);
        expect(properties).toMatchObject({ jobJsonChunks: 3 });
        expect(Object.values(properties ?? {}).every((part) => typeof part === 'number' || part.length <= STRING_CHUNK_CHARS)).toBe(true);
    });

    it('never splits a surrogate pair between chunks', () => {
        const value = `${'x'.repeat(STRING_CHUNK_CHARS - 1)}\u{1F600}tail`;
        const properties = toChunkedProperties('message', value, 4) ?? {};
        expect(properties.message).toBe('x'.repeat(STRING_CHUNK_CHARS - 1));
        expect(properties.message_1).toBe('\u{1F600}tail');
    });

    it('refuses a string that needs more chunks than allowed', () => {
        expect(toChunkedProperties('jobJson', 'x'.repeat(STRING_CHUNK_CHARS + 1), 1)).toBeUndefined();
    });

    it('cuts a string to its limit and marks the cut', () => {
        const cut = cutString('y'.repeat(100), 20);
        expect(cut).toHaveLength(20);
        expect(cut.endsWith(CUT_MARKER)).toBe(true);
    });
});
