/** POST /api/hooks/azure-monitor: an Azure Monitor action group webhook (common alert schema) as an alert card job. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config.js';

/** Converts the alert, enqueues its job for each `?to=` alias, and answers `202 {"ids"}` (or 400/413/500) as every producer endpoint does. */
export async function hooksAzureMonitor(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const [{ answerProducerHook }, { azureMonitorProducer }] = await Promise.all([import('../shared/notify/azure.js'), import('../shared/notify/index.js')]);
    return answerProducerHook(azureMonitorProducer, request, context, { config: getConfig });
}

app.http('hooks-azure-monitor', { methods: ['POST'], authLevel: 'function', route: 'hooks/azure-monitor', handler: hooksAzureMonitor });
