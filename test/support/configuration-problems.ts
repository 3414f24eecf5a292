/** The problems a refused configuration reports, for tests that check what a setting or a file is refused with. */
import { ConfigurationError } from '../../shared/platform/errors.js';

/**
 * The problems of a {@link ConfigurationError}; any other error is thrown on.
 *
 * @example
 * await loadCustomTemplates(options).then(() => { throw new Error('loaded'); }, configurationProblems);
 */
export function configurationProblems(thrown: unknown): readonly string[] {
    if (thrown instanceof ConfigurationError) {
        return thrown.problems;
    }
    throw thrown;
}

/**
 * The problems `load` is refused with; fails the test when `load` returns.
 *
 * @example
 * expect(refusedWith(() => loadConfig({ NOTIFICATIONS_QUEUE: 'Bad_Queue' }))[0]).toMatch(/^NOTIFICATIONS_QUEUE/);
 */
export function refusedWith(load: () => unknown): readonly string[] {
    try {
        load();
    } catch (thrown) {
        return configurationProblems(thrown);
    }
    throw new Error('expected a ConfigurationError');
}
