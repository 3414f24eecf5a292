/** GET /api/health: 200 when the app is configured and running (with warnings, such as retired connector URLs); 503 naming the bad keys if the configuration no longer parses (a bad one normally stops the start). */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { installCustomTemplates } from '../shared/cards/index.js';
import { type AppConfig, getConfig } from '../shared/config.js';
import { ConfigurationError, findAppRoot } from '../shared/platform/index.js';
import { connectorRetirementNotice, retiredConnectorAliases } from '../shared/notify/index.js';

/** What the app still does but should not have to: one sentence each, naming keys, never values. */
function configurationWarnings(config: AppConfig): string[] {
    const notice = connectorRetirementNotice(retiredConnectorAliases(config.targets.webhooks));
    return notice === undefined ? [] : [notice];
}

/**
 * Answers the local host, warm-up pings and monitoring. Cheap on purpose: it only checks that the
 * configuration parses (messages name keys, never values). Warnings (a retired connector URL) leave
 * it at 200 with `status: "ok"` and a `warnings` list.
 */
export function health(_request: HttpRequest, context: InvocationContext): HttpResponseInit {
    try {
        const warnings = configurationWarnings(getConfig());
        return { status: 200, jsonBody: warnings.length === 0 ? { status: 'ok' } : { status: 'ok', warnings } };
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
 * (docs/teams-facts.md#app-start-failures); `npm start` exits 1 the same way. Logs each warning (a
 * retired connector URL) once.
 */
export function validateConfigurationAtStart(warn: (message: string) => void = console.warn): void {
    for (const warning of configurationWarnings(getConfig())) {
        warn(`teams-relay: ${warning}`);
    }
}

/**
 * Loads the custom card templates of `CARD_TEMPLATES_DIR` once, at start, so every function of the
 * worker finds them in the catalog; a bad template file stops the start like a bad setting, naming the file.
 */
export async function loadCardTemplatesAtStart(root: string = findAppRoot(import.meta.dirname)): Promise<void> {
    await installCustomTemplates({ setting: getConfig().cards.templatesDir, appRoot: root });
}

app.hook.appStart(async () => {
    validateConfigurationAtStart();
    await loadCardTemplatesAtStart();
});

app.http('health', {
    methods: ['GET'],
    authLevel: 'anonymous',
    route: 'health',
    handler: health,
});
