/** An independent sliding-window audit of send times: written apart from the limiter and the simulator, so neither checks itself. */

/** One window to audit: at most `max` sends in any interval of `windowMs`. */
interface AuditWindow {
    readonly windowMs: number;
    readonly max: number;
}

/** What the audit found for one window. */
export interface WindowAudit {
    readonly windowMs: number;
    readonly max: number;
    /** The most sends found in any half-open interval of `windowMs`, wherever it starts. */
    readonly busiest: number;
    /** Sends that were the `max + 1`-th or later within `windowMs` (counting themselves). */
    readonly violations: number;
}

/**
 * Audits ascending-sorted copies of `times` (ms) against each window, for every alignment: for each send
 * `s`, the sends in `(s - windowMs, s]` are counted with two pointers; any interval of length `windowMs`
 * that holds `k` sends also holds them in such a span ending at its last send, so the busiest count is exact.
 *
 * @example
 * auditSlidingWindows([0, 10, 20, 30, 40], [{ windowMs: 1000, max: 4 }]); // one violation, busiest 5
 */
export function auditSlidingWindows(times: readonly number[], windows: readonly AuditWindow[]): WindowAudit[] {
    const sorted = [...times].sort((a, b) => a - b);
    return windows.map(({ windowMs, max }) => {
        let start = 0;
        let busiest = 0;
        let violations = 0;
        for (let end = 0; end < sorted.length; end++) {
            const last = sorted[end] ?? 0;
            while ((sorted[start] ?? last) <= last - windowMs) start += 1;
            const count = end - start + 1;
            busiest = Math.max(busiest, count);
            if (count > max) violations += 1;
        }
        return { windowMs, max, busiest, violations };
    });
}

/** Total violations over every window. */
export function totalViolations(audits: readonly WindowAudit[]): number {
    return audits.reduce((sum, audit) => sum + audit.violations, 0);
}

/** `1s 4/4, 30s 60/60, ...`: the busiest interval of each window against its limit. */
export function describeAudit(audits: readonly WindowAudit[]): string {
    return audits.map((audit) => `${audit.windowMs / 1000}s ${audit.busiest}/${audit.max}${audit.violations > 0 ? ` (${audit.violations} over)` : ''}`).join(', ');
}
