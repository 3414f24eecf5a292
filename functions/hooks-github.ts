/** POST /api/hooks/github: GitHub webhook deliveries, signed with GITHUB_WEBHOOK_SECRET, as pull-request, build, deployment and release cards. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config.js';

/**
 * Checks `X-Hub-Signature-256` over the raw body (`401` on any failure), then converts the delivery
 * and enqueues its job for each `?to=` alias: `202 {"ids"}`, `202 {"ignored"}` for events it does
 * not post, `200` for `ping`.
 */
export async function hooksGitHub(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const [{ answerProducerHook }, { githubProducer }] = await Promise.all([import('../shared/notify/azure.js'), import('../shared/notify/index.js')]);
    return answerProducerHook(githubProducer, request, context, { config: getConfig });
}

app.http('hooks-github', { methods: ['POST'], authLevel: 'function', route: 'hooks/github', handler: hooksGitHub });
