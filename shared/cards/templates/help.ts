/** The `help` card: the mention commands, one fact each. */
import { cardTemplate } from './parts.js';

/** Data: `{ name: string, commands: { name, usage, summary }[] }`. */
export const helpCardTemplate = cardTemplate({
    body: [
        { type: 'TextBlock', text: '${name} commands', weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', text: 'Mention me with one of these:', isSubtle: true, wrap: true, spacing: 'Small' },
        {
            type: 'FactSet',
            facts: [{ $data: '${commands}', title: '${usage}', value: '${summary}' }],
        },
    ],
    actions: [
        { type: 'Action.OpenUrl', title: 'Outgoing webhooks in Teams', url: 'https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook' },
    ],
});
