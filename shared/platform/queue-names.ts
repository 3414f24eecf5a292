/** Names of the app's storage queues: the notification queue, its wake-up queue and their poison queues, all valid Azure queue names. */

/**
 * Longest Azure queue name (docs/teams-facts.md#queue-names): 3 to 63 lower-case letters, digits and
 * single hyphens, starting and ending with a letter or digit.
 */
const MAX_QUEUE_NAME_CHARS = 63;

/** Shortest Azure queue name. */
export const MIN_QUEUE_NAME_CHARS = 3;

/** What the Functions host appends to a queue's name for its poison queue (docs/teams-facts.md#poison-queue). */
export const POISON_QUEUE_SUFFIX = '-poison';

/** What the app appends to the notification queue's name for the queue of per-webhook wake-ups. */
export const WAKEUP_QUEUE_SUFFIX = '-wakeup';

/**
 * Longest notification queue name (`NOTIFICATIONS_QUEUE`): 49 characters, so that the longest name
 * derived from it, the wake-up queue's poison queue (`<name>-wakeup-poison`), is still a valid
 * queue name.
 */
export const MAX_NOTIFICATIONS_QUEUE_CHARS = MAX_QUEUE_NAME_CHARS - WAKEUP_QUEUE_SUFFIX.length - POISON_QUEUE_SUFFIX.length;

/** Lower-case letters and digits in runs joined by single hyphens; the length is checked apart. */
const QUEUE_NAME_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * True when `name` is a valid Azure queue name.
 *
 * @example
 * isValidQueueName('notifications-wakeup'); // true
 * isValidQueueName('Notifications'); // false: upper case
 */
export function isValidQueueName(name: string): boolean {
    return name.length >= MIN_QUEUE_NAME_CHARS && name.length <= MAX_QUEUE_NAME_CHARS && QUEUE_NAME_SHAPE.test(name);
}

/**
 * True when `name` may be the notification queue: a valid queue name short enough that every name
 * derived from it ({@link notificationQueueNames}) is valid too.
 *
 * @example
 * isValidNotificationsQueue('notifications'); // true
 * isValidNotificationsQueue('a'.repeat(50)); // false: "<name>-wakeup-poison" would be 64 characters
 */
export function isValidNotificationsQueue(name: string): boolean {
    return isValidQueueName(name) && name.length <= MAX_NOTIFICATIONS_QUEUE_CHARS;
}

/** The poison queue of a queue, e.g. `notifications-poison`. */
export function poisonQueueName(queue: string): string {
    return `${queue}${POISON_QUEUE_SUFFIX}`;
}

/** Name of the wake-up queue that belongs to a notifications queue, e.g. `notifications-wakeup`. */
export function wakeupQueueName(notificationsQueue: string): string {
    return `${notificationsQueue}${WAKEUP_QUEUE_SUFFIX}`;
}

/**
 * Every queue name the app derives from its notification queue.
 *
 * @example
 * notificationQueueNames('notifications');
 * // { jobs: 'notifications', jobsPoison: 'notifications-poison',
 * //   wakeup: 'notifications-wakeup', wakeupPoison: 'notifications-wakeup-poison' }
 */
export function notificationQueueNames(notificationsQueue: string): {
    readonly jobs: string;
    readonly jobsPoison: string;
    readonly wakeup: string;
    readonly wakeupPoison: string;
} {
    const wakeup = wakeupQueueName(notificationsQueue);
    return { jobs: notificationsQueue, jobsPoison: poisonQueueName(notificationsQueue), wakeup, wakeupPoison: poisonQueueName(wakeup) };
}
