/** GET /api/health: 200 when the app is configured and running, 503 naming the configuration keys that are wrong. */
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
 * that names the key (never the value) instead of surfacing on the first request.
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
