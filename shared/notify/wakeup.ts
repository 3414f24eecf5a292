/** Wake-up messages: how a sender asks to be run again when the next slot of a webhook comes. */
import { z } from 'zod';

/** Longest a queue message may stay invisible: 7 days (Azure Queue Storage, Put Message). */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 7 * 24 * 3600 - 1;

/** The body of a wake-up message. Holds the webhook's key, never its URL. */
export const wakeupMessageSchema = z.strictObject({
    webhook: z.string().regex(/^[0-9a-f]{32}$/, 'must be a webhook key (32 hex characters)'),
    wakeAt: z.number().int().nonnegative(),
});

/** A wake-up message. */
export type WakeupMessage = z.infer<typeof wakeupMessageSchema>;

/** Seconds until `at`, as a queue visibility timeout: rounded up, within Azure's bounds. */
export function visibilityTimeoutSeconds(at: number, now: number): number {
    return Math.min(MAX_VISIBILITY_TIMEOUT_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}
