/** POST /api/hooks/alertmanager: Prometheus Alertmanager's webhook notifications, each enqueued as an `alert` card. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config.js';

/** Answers an Alertmanager webhook notification (README, "Alertmanager"): `202 {"ids": [...]}` once the jobs are on the queue. */
export async function hooksAlertmanager(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const [{ answerProducerHook }, { alertmanagerProducer }] = await Promise.all([import('../shared/notify/azure.js'), import('../shared/notify/index.js')]);
    return answerProducerHook(alertmanagerProducer, request, context, { config: getConfig });
}

app.http('hooks-alertmanager', { methods: ['POST'], authLevel: 'function', route: 'hooks/alertmanager', handler: hooksAlertmanager });
