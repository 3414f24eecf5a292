/** Injectable faults: which requests get one, scripted by count or drawn at a seeded random rate. */
import type { RetryAfterFormat } from './answers.js';

/** The faults a simulated webhook can show. */
const FAULT_KINDS = [
    'reset',
    'hang',
    'status503',
    'wrapped500',
    'throttle',
    'wrapped413',
    'wrapped400',
    'gone',
] as const;

/**
 * - `reset`: the socket is destroyed after the body is read.
 * - `hang`: no answer until the simulator stops, or the normal answer after `delayMs`.
 * - `status503`: a real 503.
 * - `wrapped500` / `wrapped413` / `wrapped400`: the connector's 200 wrapper with that Teams error
 *   (Workflows: the bare status with a JSON error).
 * - `throttle`: the dialect's throttling answer, without touching the window counters (Workflows:
 *   a 429 with `Retry-After`, {@link DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS} unless `retryAfter` says otherwise).
 * - `gone`: 410, empty body.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The `Retry-After` a Workflows fault answer carries: at least `seconds`, written as seconds or as an HTTP date. */
interface RetryAfterSpec {
    readonly seconds: number;
    /** @default 'seconds' */
    readonly format?: RetryAfterFormat;
}

/**
 * `Retry-After` of a Workflows `throttle` fault when its spec names none. Microsoft publishes no
 * value; any positive number exercises the same code in a sender.
 */
export const DEFAULT_WORKFLOWS_RETRY_AFTER_SECONDS = 10;

/** Fault kinds whose Workflows answer can carry `Retry-After`. */
const RETRY_AFTER_FAULTS: readonly FaultKind[] = ['throttle', 'status503'];
const RETRY_AFTER_FORMATS: readonly RetryAfterFormat[] = ['seconds', 'http-date'];

/** What to inject. Without `times` or `rate`, every matching request gets the fault until cleared. */
export interface FaultSpec {
    readonly fault: FaultKind;
    /** How many requests get the fault, then the rule expires. @default Infinity */
    readonly times?: number;
    /** Probability (0..1) that a matching request gets it, drawn from the simulator's seeded RNG. @default 1 */
    readonly rate?: number;
    /** `hang` only: answer normally after this many real milliseconds instead of never. */
    readonly delayMs?: number;
    /**
     * `throttle` and `status503` only: the `Retry-After` of the Workflows answer, or `'none'` for an
     * answer without it. Connector answers never carry one (Teams sends none).
     * @default { seconds: 10 } for `throttle`, `'none'` for `status503`
     */
    readonly retryAfter?: RetryAfterSpec | 'none';
}

/** Targets every webhook. */
const ALL_WEBHOOKS = '*';

interface FaultRule {
    readonly target: string;
    readonly spec: FaultSpec;
    remaining: number;
}

/** The fault a request got. */
export interface AppliedFault {
    readonly fault: FaultKind;
    readonly delayMs?: number;
    readonly retryAfter?: RetryAfterSpec | 'none';
}

function checkRetryAfter(fault: FaultKind, retryAfter: RetryAfterSpec | 'none'): void {
    if (!RETRY_AFTER_FAULTS.includes(fault)) throw new RangeError(`retryAfter applies to ${RETRY_AFTER_FAULTS.join(' and ')}, not ${fault}`);
    if (retryAfter === 'none') return;
    const { seconds, format } = retryAfter as Partial<RetryAfterSpec>;
    if (!(typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds >= 0)) {
        throw new RangeError(`retryAfter.seconds must be a whole number ≥ 0, got ${String(seconds)}`);
    }
    if (format !== undefined && !RETRY_AFTER_FORMATS.includes(format)) {
        throw new RangeError(`retryAfter.format must be ${RETRY_AFTER_FORMATS.join(' or ')}, got ${format}`);
    }
}

/** Default seed of the fault RNG, so runs repeat unless a test picks another. */
export const DEFAULT_FAULT_SEED = 0x5eed;

const UINT32_RANGE = 2 ** 32;

/**
 * A small deterministic PRNG (mulberry32) returning numbers in [0, 1).
 *
 * @example
 * const random = createSeededRandom(42);
 * random(); // the same sequence for the same seed
 */
export function createSeededRandom(seed: number): () => number {
    // The shift and multiplier constants are mulberry32's own (Tommy Ettinger, public domain).
    let state = seed >>> 0;
    return function nextRandom(): number {
        state = (state + 0x6d2b79f5) >>> 0;
        let mixed = Math.imul(state ^ (state >>> 15), state | 1);
        mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
        return ((mixed ^ (mixed >>> 14)) >>> 0) / UINT32_RANGE;
    };
}

/**
 * The injected fault rules. A request is matched against its webhook's rules first, then the `'*'`
 * rules, each list in injection order; the first rule that fires applies. Rules with `times` run
 * out, so injecting `{fault: 'reset', times: 1}` then `{fault: 'status503', times: 1}` scripts the
 * next two requests.
 *
 * @example
 * const plan = new FaultPlan(DEFAULT_FAULT_SEED);
 * plan.add('ops', { fault: 'status503', times: 2 });
 * plan.draw('ops'); // → { fault: 'status503' }
 */
export class FaultPlan {
    #rules: FaultRule[] = [];
    #random: () => number;
    readonly #seed: number;

    constructor(seed: number) {
        this.#seed = seed;
        this.#random = createSeededRandom(seed);
    }

    /** Adds a rule; returns a function that removes it. Throws `RangeError` on a bad spec. */
    add(target: string, spec: FaultSpec): () => void {
        if (!(FAULT_KINDS as readonly string[]).includes(spec.fault)) throw new RangeError(`Unknown fault: ${spec.fault}`);
        const times = spec.times ?? Number.POSITIVE_INFINITY;
        if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0))) {
            throw new RangeError(`times must be a positive integer, got ${times}`);
        }
        if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) {
            throw new RangeError(`rate must be within 0..1, got ${spec.rate}`);
        }
        if (spec.delayMs !== undefined && !(Number.isFinite(spec.delayMs) && spec.delayMs >= 0)) {
            throw new RangeError(`delayMs must be a finite number ≥ 0, got ${spec.delayMs}`);
        }
        if (spec.retryAfter !== undefined) checkRetryAfter(spec.fault, spec.retryAfter);
        const rule: FaultRule = { target, spec, remaining: times };
        this.#rules.push(rule);
        return () => {
            this.#rules = this.#rules.filter((candidate) => candidate !== rule);
        };
    }

    /** Removes every rule and restarts the RNG from its seed. */
    clear(): void {
        this.#rules = [];
        this.#random = createSeededRandom(this.#seed);
    }

    /** The fault for the next request to `webhook`, if a rule fires; consumes one use of it. */
    draw(webhook: string): AppliedFault | undefined {
        const ordered = [
            ...this.#rules.filter((rule) => rule.target === webhook),
            ...this.#rules.filter((rule) => rule.target === ALL_WEBHOOKS && webhook !== ALL_WEBHOOKS),
        ];
        for (const rule of ordered) {
            if (rule.spec.rate !== undefined && this.#random() >= rule.spec.rate) continue;
            rule.remaining -= 1;
            if (rule.remaining <= 0) this.#rules = this.#rules.filter((candidate) => candidate !== rule);
            const { fault, delayMs, retryAfter } = rule.spec;
            return { fault, ...(delayMs === undefined ? {} : { delayMs }), ...(retryAfter === undefined ? {} : { retryAfter }) };
        }
        return undefined;
    }
}
