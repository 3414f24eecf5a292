// Polling with a deadline, for tests that wait on other processes (a host, Azurite, the simulator).

/** Pause between two probes of {@link eventually}. */
const POLL_INTERVAL_MS = 100;

/** How long {@link eventually} waits when the caller names no deadline. */
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Calls `probe` until it returns something other than `undefined`, or fails after `timeoutMs`, naming
 * `what`, the probe's last error and `explain()` (e.g. a host's output).
 * @example const records = await eventually('20 deliveries', async () => (sim.received('ops').length >= 20 ? sim.received('ops') : undefined));
 */
export async function eventually<T>(
    what: string,
    probe: () => Promise<T | undefined> | T | undefined,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    explain: () => string = () => '',
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) {
                return value;
            }
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
            const context = explain();
            throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}${context === '' ? '' : `\n${context}`}`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
}
