/** A realistic Teams outgoing-webhook activity for a mention typed in a channel, shaped like the payloads Teams sends. */
import { createHash } from 'node:crypto';

/** The webhook name `sign` mentions unless told otherwise. */
export const DEFAULT_WEBHOOK_NAME = 'teams-relay';

/**
 * A sample team, channel, tenant and sender, in the id formats Teams uses (docs/teams-facts.md#the-request,
 * outgoing webhooks): channel and team ids `19:...@thread.tacv2`, user ids `29:...`, AAD object ids as GUIDs.
 */
const SAMPLE = {
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    tenantId: 'd1b4c0e9-5f2a-4b7e-8c3d-6a9f0e2b1c4d',
    teamId: '19:a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3@thread.tacv2',
    channelId: '19:0f1e2d3c4b5a69788796a5b4c3d2e1f0@thread.tacv2',
    user: {
        id: '29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GMbrY2g4JDrrA8vM06X1-cHHle4zOE6U4ttcc',
        name: 'Megan Bowen',
        aadObjectId: '8d1c4e6f-2b3a-4c5d-9e8f-7a6b5c4d3e2f',
    },
} as const;

/** Digits of a Bot Framework timestamp's fraction: Teams sends 7 (docs/teams-facts.md#the-request). */
const TIMESTAMP_FRACTION_DIGITS = 7;

/** What to build the activity from. */
interface MentionInput {
    /** The outgoing webhook's name, as mentioned: `<at>NAME</at>`. */
    readonly webhookName: string;
    /** What the user typed after the mention, as plain text. */
    readonly text: string;
    /** When the message was sent (epoch ms). @default Date.now() */
    readonly now?: number;
}

/** Escapes text as Teams writes it in `text` and the HTML attachment. */
function toTeamsHtml(text: string): string {
    return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `2024-11-23T09:00:00.123Z` → `2024-11-23T09:00:00.1230000Z`. */
function botFrameworkTimestamp(now: number): string {
    const iso = new Date(now).toISOString();
    const [seconds = iso, fraction = '000Z'] = iso.split('.');
    return `${seconds}.${fraction.replace('Z', '').padEnd(TIMESTAMP_FRACTION_DIGITS, '0')}Z`;
}

/** A stable GUID for a name, so one webhook keeps one bot id across runs, as in Teams. */
function guidFor(name: string): string {
    const hex = createHash('sha256').update(`outgoing-webhook:${name}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Builds the activity Teams would POST to an outgoing webhook when a user writes
 * `@NAME TEXT` in a channel: `text` is `<at>NAME</at>&nbsp;TEXT\n` (HTML-escaped, with the
 * `&nbsp;` and trailing newline Teams adds), the mention entity carries the webhook's `28:` id,
 * and the many `null` fields real payloads hold are there too. Pure: the same input gives the same activity.
 *
 * @example
 * const body = Buffer.from(JSON.stringify(buildMentionActivity({ webhookName: 'Relay', text: 'ping' }), null, 2));
 */
export function buildMentionActivity(input: MentionInput): Record<string, unknown> {
    const now = input.now ?? Date.now();
    const messageId = String(now);
    const mention = `<at>${toTeamsHtml(input.webhookName)}</at>`;
    const html = toTeamsHtml(input.text);
    const timestamp = botFrameworkTimestamp(now);
    return {
        text: `${mention}&nbsp;${html}\n`,
        textFormat: 'plain',
        type: 'message',
        timestamp,
        localTimestamp: timestamp.replace('Z', '+00:00'),
        id: messageId,
        channelId: 'msteams',
        serviceUrl: SAMPLE.serviceUrl,
        from: { id: SAMPLE.user.id, name: SAMPLE.user.name, aadObjectId: SAMPLE.user.aadObjectId },
        conversation: {
            isGroup: true,
            id: `${SAMPLE.channelId};messageid=${messageId}`,
            name: null,
            conversationType: 'channel',
            tenantId: SAMPLE.tenantId,
        },
        recipient: null,
        attachmentLayout: null,
        membersAdded: null,
        membersRemoved: null,
        topicName: null,
        historyDisclosed: null,
        locale: 'en-US',
        speak: null,
        inputHint: null,
        summary: null,
        suggestedActions: null,
        attachments: [
            {
                contentType: 'text/html',
                contentUrl: null,
                content: `<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">${toTeamsHtml(input.webhookName)}</span>&nbsp;${html}</div></div>`,
                name: null,
                thumbnailUrl: null,
            },
        ],
        entities: [
            {
                type: 'mention',
                mentioned: { id: `28:${guidFor(input.webhookName)}`, name: input.webhookName },
                text: mention,
            },
            { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/London' },
        ],
        channelData: {
            teamsChannelId: SAMPLE.channelId,
            teamsTeamId: SAMPLE.teamId,
            channel: { id: SAMPLE.channelId },
            team: { id: SAMPLE.teamId },
            tenant: { id: SAMPLE.tenantId },
        },
        action: null,
        replyToId: null,
        value: null,
        name: null,
        relatesTo: null,
        code: null,
    };
}
