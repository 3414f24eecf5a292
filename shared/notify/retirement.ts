/** Microsoft's retirement of Office 365 connectors: which configured webhooks are connector URLs, and the notice that says so. */
import { WEBHOOK_SETTING_PREFIX } from './settings.js';
import { webhookDialect } from './webhook-target.js';

/**
 * Microsoft's announcement that Office 365 connectors in Teams (the `*.webhook.office.com` incoming
 * webhooks) are retired (docs/teams-facts.md).
 */
export const CONNECTOR_RETIREMENT_URL = 'https://devblogs.microsoft.com/microsoft365dev/retirement-of-office-365-connectors-within-microsoft-teams/';

/** Microsoft's page on the replacement: an incoming webhook made with Workflows (Power Automate). */
export const WORKFLOWS_MIGRATION_URL =
    'https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498';

/**
 * The configured aliases whose URL is a connector URL, sorted. Names only: URLs are secrets.
 *
 * @example
 * retiredConnectorAliases(config.targets.webhooks); // ['legacy-ops']
 */
export function retiredConnectorAliases(webhooks: ReadonlyMap<string, URL>): string[] {
    return [...webhooks]
        .filter(([, url]) => webhookDialect(url) === 'connector')
        .map(([alias]) => alias)
        .sort();
}

/**
 * The warning for connector aliases, or `undefined` when there are none: they still work, but
 * Microsoft retired Office 365 connectors, and each should move to a Workflows URL.
 *
 * @example
 * connectorRetirementNotice(['ops']); // 'TEAMS_WEBHOOK_OPS is an Office 365 connector URL: Microsoft retired ...'
 */
export function connectorRetirementNotice(aliases: readonly string[]): string | undefined {
    if (aliases.length === 0) {
        return undefined;
    }
    const keys = aliases.map((alias) => `${WEBHOOK_SETTING_PREFIX}${alias.toUpperCase()}`);
    const subject = keys.length === 1 ? `${keys[0] ?? ''} is an Office 365 connector URL` : `${keys.join(', ')} are Office 365 connector URLs`;
    return (
        `${subject}: Microsoft retired Office 365 connectors in Teams (${CONNECTOR_RETIREMENT_URL}). ` +
        `Posts are still attempted, but move to a Workflows webhook: ${WORKFLOWS_MIGRATION_URL}`
    );
}
