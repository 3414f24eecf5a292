/** The simulator's URLs as the app reads them: every Workflows shape is a Workflows webhook, on loopback and on Microsoft's hosts. */
import { describe, expect, it } from 'vitest';
import { isAllowedWebhookUrl, parseAllowedHosts, webhookDialect } from '../../../shared/notify/webhook-target.js';
import { WORKFLOWS_URL_SHAPES } from '../../../tools/simulator/index.js';
import { connectorPath, workflowsPathAndQuery } from '../../../tools/simulator/routes.js';

/** Where each shape lives in Azure: the Power Platform hosts, or the classic Logic Apps ones. */
const HOST_OF_SHAPE = {
    'power-platform-cu': 'https://contoso.environment.api.powerplatform.com:443',
    'power-platform': 'https://contoso.environment.api.powerplatform.com:443',
    'logic-apps': 'https://prod-27.westeurope.logic.azure.com:443',
} as const;

describe('the simulator\'s URLs, as the app reads them', () => {
    it.each(WORKFLOWS_URL_SHAPES)('reads a %s URL as Workflows, on the simulator and on its Azure host under the default allowed hosts', (shape) => {
        const pathAndQuery = workflowsPathAndQuery('ops', shape);
        const local = new URL(`http://127.0.0.1:7072${pathAndQuery}`);
        expect(webhookDialect(local)).toBe('workflows');
        expect(isAllowedWebhookUrl(local, parseAllowedHosts('127.0.0.1:7072'))).toBe(true);
        const hosted = new URL(`${HOST_OF_SHAPE[shape]}${pathAndQuery}`);
        expect(webhookDialect(hosted)).toBe('workflows');
        expect(isAllowedWebhookUrl(hosted)).toBe(true);
    });

    it('reads a connector URL as connector', () => {
        expect(webhookDialect(new URL(`http://127.0.0.1:7072${connectorPath('ops')}`))).toBe('connector');
        expect(webhookDialect(new URL(`https://contoso.webhook.office.com${connectorPath('ops')}`))).toBe('connector');
    });
});
