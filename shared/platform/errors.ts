/** The error vocabulary: every error the app raises has a literal `name`, a `code` and a class that says who is at fault. */

/**
 * Base of every error teams-relay raises itself.
 *
 * Subclasses say whose fault it is: {@link ClientError} (the caller's, safe to describe to them)
 * or {@link SystemError} (ours or a dependency's, never described in detail to a caller).
 */
export abstract class TeamsRelayError extends Error {
    abstract override readonly name: string;
    /** A stable machine-readable code, e.g. `bad_signature`. */
    readonly code: string;

    constructor(code: string, message: string, options?: ErrorOptions) {
        super(message, options);
        this.code = code;
    }
}

/**
 * The caller sent something wrong. Its message names what is wrong and carries no secret, so it may
 * be returned to the caller as is.
 *
 * @example
 * throw new ClientError('bad_json', 'The body is not valid JSON', 400);
 */
export class ClientError extends TeamsRelayError {
    override readonly name = 'ClientError';
    /** The HTTP status that answers this error. @default 400 */
    readonly status: number;

    constructor(code: string, message: string, status = 400, options?: ErrorOptions) {
        super(code, message, options);
        this.status = status;
    }
}

/** Something on our side or a dependency's failed. Its message may be logged but is never sent to a caller. */
export class SystemError extends TeamsRelayError {
    override readonly name = 'SystemError';
}

/** Configuration is invalid. The message names the key, never its value. */
export class ConfigurationError extends TeamsRelayError {
    override readonly name = 'ConfigurationError';
    /** Every problem found, one line each, each naming its key. */
    readonly problems: readonly string[];

    constructor(problems: readonly string[]) {
        super('bad_configuration', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
        this.problems = problems;
    }
}

/** A queue job failed in a way that will never succeed: dead-letter it at once with this reason. */
export class PermanentError extends TeamsRelayError {
    override readonly name = 'PermanentError';
}

/** True when `value` is one of teams-relay's own errors. */
export function isTeamsRelayError(value: unknown): value is TeamsRelayError {
    return value instanceof TeamsRelayError;
}

/** True when `value` is an error whose message is safe to return to the caller. */
export function isClientError(value: unknown): value is ClientError {
    return value instanceof ClientError;
}

/**
 * Turns anything thrown into an `Error`, once, at the edge.
 *
 * @example
 * catch (thrown) { const error = ensureErrorType(thrown); context.error(error.message); }
 */
export function ensureErrorType(thrown: unknown): Error {
    if (thrown instanceof Error) {
        return thrown;
    }
    let message: string;
    if (thrown === undefined || thrown === null) {
        message = 'Unknown error';
    } else if (typeof thrown === 'string') {
        message = thrown;
    } else {
        try {
            message = JSON.stringify(thrown);
        } catch {
            message = Object.prototype.toString.call(thrown);
        }
    }
    return new Error(message);
}

/**
 * Asserts an invariant instead of the `!` operator: returns `value`, or throws a {@link SystemError}
 * naming what was missing.
 */
export function nonNull<T>(value: T | null | undefined, what: string): T {
    if (value === null || value === undefined) {
        throw new SystemError('internal_invariant', `Internal error: ${what} is missing`);
    }
    return value;
}
