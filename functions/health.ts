/** GET /api/health: 200 when the app is configured and running; 503 naming the bad keys if the configuration no longer parses (a bad one normally stops the start). */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config/index.js';
import { ConfigurationError } from '../shared/errors/index.js';

/**
 * Answers the local host, warm-up pings and monitoring. Cheap on purpose: it only checks that the
 * configuration parses (messages name keys, never values).
 */
export function health(_request: HttpRequest, context: InvocationContext): HttpResponseInit {
    try {
        getConfig();
        return { status: 200, jsonBody: { status: 'ok' } };
    } catch (thrown) {
        if (thrown instanceof ConfigurationError) {
            context.error(thrown.message);
            return { status: 503, jsonBody: { status: 'misconfigured', problems: thrown.problems } };
        }
        throw thrown;
    }
}

/**
 * Validates the configuration when the app starts, so a bad setting stops start-up with a message
 * that lists every bad key (never a value) instead of surfacing on the first request. In Azure a
 * throwing `appStart` hook fails the worker's start and no function runs
 * (docs/teams-facts.md#app-start-failures); `npm start` exits 1 the same way.
 */
export function validateConfigurationAtStart(): void {
    getConfig();
}

app.hook.appStart(validateConfigurationAtStart);

app.http('health', {
    methods: ['GET'],
    authLevel: 'anonymous',
    route: 'health',
    handler: health,
});
