/** Every allowed NOTIFICATIONS_QUEUE gives four valid Azure queue names: the queue, the wake-up queue and both poison queues. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { ConfigurationError } from '../../../shared/platform/errors.js';
import {
    isValidNotificationsQueue,
    isValidQueueName,
    MAX_NOTIFICATIONS_QUEUE_CHARS,
    notificationQueueNames,
} from '../../../shared/platform/queue-names.js';

/**
 * Azure's queue naming rules, written out character by character, independently of the module under
 * test: 3 to 63 characters; only lower-case letters, digits and hyphens; a letter or digit first and
 * last; never two hyphens in a row.
 */
function followsAzureQueueRules(name: string): boolean {
    if (name.length < 3 || name.length > 63) return false;
    for (let index = 0; index < name.length; index++) {
        const character = name.charAt(index);
        const letterOrDigit = (character >= 'a' && character <= 'z') || (character >= '0' && character <= '9');
        if (character === '-') {
            if (index === 0 || index === name.length - 1 || name.charAt(index - 1) === '-') return false;
        } else if (!letterOrDigit) {
            return false;
        }
    }
    return true;
}

/** The four names as an array. */
function derivedNames(queue: string): string[] {
    return Object.values(notificationQueueNames(queue));
}

/** Valid queue names of every length from 3 to 63: runs of letters and digits joined by single hyphens. */
const validQueueName = fc
    .array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join('-'))
    .filter((name) => name.length >= 3 && name.length <= 63);

/** Hostile candidates: near-misses (case, underscores, hyphen runs, edges, lengths) and arbitrary Unicode. */
const hostileQueueName = fc.oneof(
    validQueueName,
    fc.stringMatching(/^[a-zA-Z0-9_-]{0,80}$/),
    fc.stringMatching(/^-?[a-z0-9]{1,70}(--[a-z0-9]{1,5})?-?$/),
    fc.string({ unit: 'grapheme', maxLength: 70 }),
    fc.string({ unit: 'binary', maxLength: 70 }),
);

/** The configuration's verdict on a queue name: accepted, or the problems it reports. */
function verdict(queue: string): { accepted: true } | { accepted: false; problems: readonly string[] } {
    try {
        loadConfig({ NOTIFICATIONS_QUEUE: queue });
        return { accepted: true };
    } catch (thrown) {
        if (thrown instanceof ConfigurationError) return { accepted: false, problems: thrown.problems };
        throw thrown;
    }
}

describe('queue names', () => {
    it('derives the poison, wake-up and wake-up poison queues from the notification queue', () => {
        expect(notificationQueueNames('notifications')).toEqual({
            jobs: 'notifications',
            jobsPoison: 'notifications-poison',
            wakeup: 'notifications-wakeup',
            wakeupPoison: 'notifications-wakeup-poison',
        });
    });

    it('allows a 49-character notification queue and refuses a 50-character one', () => {
        expect(MAX_NOTIFICATIONS_QUEUE_CHARS).toBe(49);
        expect(verdict('q'.repeat(49)).accepted).toBe(true);
        expect(derivedNames('q'.repeat(49)).map((name) => name.length)).toEqual([49, 56, 56, 63]);
        const refused = verdict('q'.repeat(50));
        expect(refused.accepted).toBe(false);
        expect(refused.accepted ? [] : refused.problems).toEqual([expect.stringMatching(/^NOTIFICATIONS_QUEUE must be a valid queue name: 3-49 /)]);
    });

    it('isValidQueueName agrees with Azure rules on any string', () => {
        fc.assert(
            fc.property(hostileQueueName, (name) => isValidQueueName(name) === followsAzureQueueRules(name)),
            { numRuns: 2_000 },
        );
    });

    it('every notification queue the configuration accepts gives four valid queue names', () => {
        fc.assert(
            fc.property(hostileQueueName, (queue) => {
                const result = verdict(queue);
                if (!result.accepted) {
                    // Refused with one problem that names the key (an empty value means the default).
                    return result.problems.length === 1 && result.problems[0]?.startsWith('NOTIFICATIONS_QUEUE') === true;
                }
                const configured = queue.trim() === '' ? 'notifications' : queue.trim();
                return derivedNames(configured).every(followsAzureQueueRules);
            }),
            { numRuns: 2_000 },
        );
    });

    it('accepts every notification queue whose four names are valid', () => {
        fc.assert(
            fc.property(validQueueName, (queue) => {
                const allValid = derivedNames(queue).every(followsAzureQueueRules);
                return isValidNotificationsQueue(queue) === allValid && verdict(queue).accepted === allValid;
            }),
            { numRuns: 1_000 },
        );
    });
});
