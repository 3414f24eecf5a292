/** A ready-to-paste `curl` command that POSTs exact bytes, quoted for POSIX shells. */

/**
 * Quotes a value for a POSIX shell: single quotes keep every byte literal, and a `'` inside becomes
 * `'\''` (close, escaped quote, reopen).
 *
 * @example
 * quoteForShell("don't"); // `'don'\''t'`
 */
export function quoteForShell(value: string): string {
    return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A request to print as `curl`. */
interface CurlRequest {
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    /** The exact body bytes. */
    readonly body: Uint8Array;
    /** A file holding exactly `body`, used when the bytes cannot be written inline. */
    readonly bodyFile?: string;
}

/** Why bytes cannot travel inside a shell argument: a NUL byte, or text that is not UTF-8 (it would not paste back). */
function inlineable(body: Uint8Array): string | undefined {
    if (body.includes(0)) {
        return undefined;
    }
    try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
        return undefined;
    }
}

/**
 * Renders a `curl` command that POSTs `body` byte for byte: `--data-binary` sends its argument
 * without processing (no newline stripping, unlike `--data`), and the body is inlined in single
 * quotes. A body that starts with `@` would be taken for a file name, so it goes as `--data-raw`;
 * bytes a shell argument cannot carry are read from `bodyFile` instead.
 *
 * @throws {TypeError} when the body cannot be inlined and no `bodyFile` is given.
 * @example
 * curlCommand({ url: 'http://localhost:7071/api/mention', headers: { Authorization: 'HMAC ...' }, body });
 */
export function curlCommand(request: CurlRequest): string {
    const lines = ['curl --silent --show-error --include -X POST', quoteForShell(request.url)];
    for (const [name, value] of Object.entries(request.headers)) {
        lines.push(`-H ${quoteForShell(`${name}: ${value}`)}`);
    }
    const text = inlineable(request.body);
    if (text !== undefined) {
        lines.push(`${text.startsWith('@') ? '--data-raw' : '--data-binary'} ${quoteForShell(text)}`);
    } else if (request.bodyFile !== undefined) {
        lines.push(`--data-binary @${quoteForShell(request.bodyFile)}`);
    } else {
        throw new TypeError('The body holds bytes a shell argument cannot carry (NUL or invalid UTF-8) and no file holds it');
    }
    return lines.join(' \\\n  ');
}
