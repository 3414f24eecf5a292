// How deep untrusted JSON nests: found without recursion, however deep, and named by its path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findExcessiveNesting, formatJsonPath, MAX_JSON_DEPTH, nestingProblem } from '../../../shared/platform/json-depth.js';

/** Arrays nested `depth` levels deep around `inner`. */
function nestedArrays(depth: number, inner: unknown = 1): unknown {
    let value = inner;
    for (let level = 0; level < depth; level++) {
        value = [value];
    }
    return value;
}

/** The depth of a JSON value the plain recursive way, for small values only. */
function depthOf(value: unknown): number {
    if (typeof value !== 'object' || value === null) {
        return 0;
    }
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    return 1 + Math.max(0, ...children.map(depthOf));
}

describe('findExcessiveNesting', () => {
    it('counts the value itself as level 1 and allows exactly the limit', () => {
        expect(findExcessiveNesting(nestedArrays(3), 3)).toBeUndefined();
        expect(findExcessiveNesting(nestedArrays(4), 3)).toEqual([0, 0, 0]);
        expect(findExcessiveNesting('text', 0)).toBeUndefined();
    });

    it('names the first path in document order that goes too deep', () => {
        const value = { a: { b: 1 }, c: [{ d: { e: {} } }], f: { g: { h: {} } } };
        expect(findExcessiveNesting(value, 3)).toEqual(['c', 0, 'd']);
    });

    it('walks a million nested arrays without overflowing the stack', () => {
        const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as unknown;
        expect(findExcessiveNesting(deep)?.length).toBe(MAX_JSON_DEPTH);
    });

    it('stops at the limit on a value that refers to itself', () => {
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        expect(findExcessiveNesting(cyclic, 5)).toEqual(['self', 'self', 'self', 'self', 'self']);
    });

    it('agrees with the recursive depth on any JSON value', () => {
        fc.assert(
            fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
                expect(findExcessiveNesting(value, limit) === undefined).toBe(depthOf(value) <= limit);
            }),
            { numRuns: 500 },
        );
    });
});

describe('nestingProblem', () => {
    it('names where a value goes too deep, eliding a long path', () => {
        const job = { to: 'ops', adaptiveCard: { type: 'AdaptiveCard', body: [nestedArrays(100)] } };
        expect(nestingProblem(job)).toBe(`adaptiveCard.body[0][0]…: nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays)`);
        expect(nestingProblem({ to: 'ops', text: 'hi' })).toBeUndefined();
    });

    it('writes short paths whole', () => {
        expect(formatJsonPath(['facts', 2, 'value'])).toBe('facts[2].value');
        expect(formatJsonPath([])).toBe('');
    });
});
