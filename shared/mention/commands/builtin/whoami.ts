/** `whoami`: the sender and the team, channel and tenant ids, which admins need to configure things. */
import { activityOrigin } from '../../activity.js';
import { defineCommand } from '../command.js';

const UNKNOWN = '(not in the request)';

export default defineCommand({
    name: 'whoami',
    summary: 'Shows your name and the team, channel and tenant ids',
    run: ({ activity }) => {
        const origin = activityOrigin(activity);
        const lines = [
            `**You:** ${origin.senderName ?? UNKNOWN}`,
            `**AAD object id:** ${origin.senderAadObjectId ?? UNKNOWN}`,
            `**Team id:** ${origin.teamId ?? UNKNOWN}`,
            `**Channel id:** ${origin.channelId ?? UNKNOWN}`,
            `**Tenant id:** ${origin.tenantId ?? UNKNOWN}`,
        ];
        return { text: lines.join('\n\n') };
    },
});
