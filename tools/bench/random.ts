/** A seeded pseudo-random source for reproducible traces (mulberry32). */

/**
 * Numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence on every machine.
 * @example const random = seededRandom(42); random(); // 0.6011...
 */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return function next(): number {
        state = (state + 0x6d2b79f5) >>> 0;
        let mixed = state;
        mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
        mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
        return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
    };
}
