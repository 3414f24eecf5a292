/** POST /api/hooks/grafana: Grafana alerting's webhook notifications, each enqueued as an `alert` card. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config.js';

/** Answers a Grafana webhook notification (README, "Grafana"): `202 {"ids": [...]}` once the jobs are on the queue. */
export async function hooksGrafana(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const [{ answerProducerHook }, { grafanaProducer }] = await Promise.all([import('../shared/notify/azure.js'), import('../shared/notify/index.js')]);
    return answerProducerHook(grafanaProducer, request, context, { config: getConfig });
}

app.http('hooks-grafana', { methods: ['POST'], authLevel: 'function', route: 'hooks/grafana', handler: hooksGrafana });
