// Reads the parts of host.json the local host honours: the HTTP route prefix and the queue trigger options.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Queue trigger defaults (Microsoft Learn, "Azure Queue storage trigger and bindings", host.json settings,
 * extension 5.x).
 */
export const QUEUE_DEFAULTS = {
    /** Messages fetched per poll. */
    batchSize: 16,
    /** The documented maximum of `batchSize`. */
    maxBatchSize: 32,
    /** Longest wait between polls of an empty queue: one minute. */
    maxPollingIntervalMs: 60_000,
    /** Delay before a failed message becomes visible again: none. */
    visibilityTimeoutMs: 0,
    /** Attempts before a message is moved to `<queue>-poison`. */
    maxDequeueCount: 5,
    /** Messages are base64 text unless configured otherwise. */
    messageEncoding: 'base64',
} as const;

/** The route prefix of HTTP functions when host.json names none (Microsoft Learn, host.json reference). */
const DEFAULT_ROUTE_PREFIX = 'api';

/** How queue messages are encoded on the wire. */
export type MessageEncoding = 'base64' | 'none';

/** Effective queue trigger options, durations in milliseconds. */
export interface QueueOptions {
    readonly batchSize: number;
    /** Fetch the next batch once no more than this many messages are in flight. */
    readonly newBatchThreshold: number;
    readonly maxPollingIntervalMs: number;
    readonly visibilityTimeoutMs: number;
    readonly maxDequeueCount: number;
    readonly messageEncoding: MessageEncoding;
}

/** The host.json settings the local host uses. */
export interface HostSettings {
    /** Without slashes; may be empty. */
    readonly routePrefix: string;
    readonly queues: QueueOptions;
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

/**
 * Parses a .NET TimeSpan string as host.json uses them (`[d.]hh:mm:ss[.fffffff]`) into milliseconds.
 * @example parseTimeSpan('00:00:10') // 10000
 */
export function parseTimeSpan(text: string): number {
    const match = TIME_SPAN.exec(text.trim());
    if (!match) throw new Error(`"${text}" is not a duration of the form [d.]hh:mm:ss[.fff]`);
    const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
    if (Number(minutes) > 59 || Number(seconds) > 59) {
        throw new Error(`"${text}" is not a duration: minutes and seconds must be below 60`);
    }
    const millis = fraction === '' ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
    return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + millis;
}

const timeSpan = z.string().transform((text, ctx) => {
    try {
        return parseTimeSpan(text);
    } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
    }
});

const hostJsonSchema = z.looseObject({
    extensions: z
        .looseObject({
            http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
            queues: z
                .looseObject({
                    batchSize: z.number().int().min(1).max(QUEUE_DEFAULTS.maxBatchSize).optional(),
                    newBatchThreshold: z.number().int().min(0).optional(),
                    maxPollingInterval: timeSpan.optional(),
                    visibilityTimeout: timeSpan.optional(),
                    maxDequeueCount: z.number().int().min(1).optional(),
                    messageEncoding: z.enum(['base64', 'none']).optional(),
                })
                .optional(),
        })
        .optional(),
});

/**
 * Turns the parsed content of host.json into the effective settings, applying the documented defaults.
 * @throws {Error} naming the offending host.json key.
 * @example toHostSettings({ extensions: { queues: { maxDequeueCount: 3 } } }).queues.maxDequeueCount // 3
 */
export function toHostSettings(hostJson: unknown): HostSettings {
    const parsed = hostJsonSchema.safeParse(hostJson ?? {});
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = issue?.path.join('.') ?? '';
        throw new Error(`host.json: invalid value at "${key}": ${issue?.message ?? 'unknown problem'}`);
    }
    const queues = parsed.data.extensions?.queues ?? {};
    const batchSize = queues.batchSize ?? QUEUE_DEFAULTS.batchSize;
    const routePrefix = (parsed.data.extensions?.http?.routePrefix ?? DEFAULT_ROUTE_PREFIX).replace(/^\/+|\/+$/g, '');
    return {
        routePrefix,
        queues: {
            batchSize,
            // Default batchSize / 2 (Microsoft Learn, queue host.json settings, one instance with one core).
            newBatchThreshold: queues.newBatchThreshold ?? Math.floor(batchSize / 2),
            maxPollingIntervalMs: queues.maxPollingInterval ?? QUEUE_DEFAULTS.maxPollingIntervalMs,
            visibilityTimeoutMs: queues.visibilityTimeout ?? QUEUE_DEFAULTS.visibilityTimeoutMs,
            maxDequeueCount: queues.maxDequeueCount ?? QUEUE_DEFAULTS.maxDequeueCount,
            messageEncoding: queues.messageEncoding ?? QUEUE_DEFAULTS.messageEncoding,
        },
    };
}

/**
 * Reads `host.json` from a project folder; a missing file means all defaults.
 * @throws {Error} when the file is not JSON or holds an invalid value.
 */
export async function readHostSettings(cwd: string): Promise<HostSettings> {
    const path = join(cwd, 'host.json');
    let text: string;
    try {
        text = await readFile(path, 'utf8');
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return toHostSettings({});
        throw error;
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (error) {
        throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    return toHostSettings(json);
}
