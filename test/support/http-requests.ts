/** What the HTTP function tests send and where: one webhook URL of each dialect, JSON POSTs and invocation contexts as the host makes them. */
import { HttpRequest, InvocationContext } from '@azure/functions';

/** A legacy incoming-webhook (connector) URL, as an alias's `TEAMS_WEBHOOK_<ALIAS>`. */
export const CONNECTOR_WEBHOOK_URL = 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c';

/** A Power Automate Workflows trigger URL, as an alias's `TEAMS_WEBHOOK_<ALIAS>`. */
export const WORKFLOWS_WEBHOOK_URL = 'https://prod-27.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x';

/** How {@link jsonPost} builds the request besides its body. */
interface JsonPostOptions {
    /** The query string, with its `?`. @default none */
    readonly query?: string;
    /** Headers besides `content-type: application/json` (which they may replace). */
    readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A `POST http://localhost:7071/api/<route>` carrying `body` as JSON (text as given, bytes as they are).
 *
 * @example
 * jsonPost('hooks/alertmanager', fixtureBytes('producers/alertmanager/firing.json'), { query: '?to=ops' });
 */
export function jsonPost(route: string, body: Buffer | string, { query = '', headers = {} }: JsonPostOptions = {}): HttpRequest {
    return new HttpRequest({
        method: 'POST',
        url: `http://localhost:7071/api/${route}${query}`,
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? { string: body } : { bytes: body },
    });
}

/** An invocation context of the function `functionName` that logs nothing. */
export function quietContext(functionName: string): InvocationContext {
    return new InvocationContext({ functionName, invocationId: 'test', logHandler: () => undefined });
}

/** The job ids of a producer endpoint's `202 {"ids": [...]}`. */
export function idsOf(response: { readonly jsonBody?: unknown }): string[] {
    return (response.jsonBody as { ids: string[] }).ids;
}
