// The activity `sign --text` builds looks like what Teams sends and reads back as the typed command.
import { describe, expect, it } from 'vitest';
import { activityOrigin, extractCommand, parseActivity } from '../../../shared/mention/activity.js';
import { buildMentionActivity } from '../../../tools/cli/mention-activity.js';
import { checkFreshness } from '../../../shared/mention/replay.js';

const SENT_AT = Date.UTC(2026, 10, 23, 9, 30, 15, 123);
const activity = buildMentionActivity({ webhookName: 'Relay Bot', text: 'status  ops & <dev>', now: SENT_AT });

describe('buildMentionActivity', () => {
    it('writes the text as Teams does: the mention, &nbsp;, HTML-escaped text and a trailing newline', () => {
        expect(activity['text']).toBe('<at>Relay Bot</at>&nbsp;status  ops &amp; &lt;dev&gt;\n');
    });

    it('stamps a timestamp with 7 fractional digits', () => {
        expect(activity['timestamp']).toBe('2026-11-23T09:30:15.1230000Z');
    });

    it('has a timestamp the app reads as the send time, so a fresh one passes its age check', () => {
        expect(checkFreshness(parseActivity(activity).timestamp, SENT_AT, 300_000)).toEqual({ ok: true, at: SENT_AT });
    });

    it('is a message with the id Teams derives from the send time', () => {
        expect(activity).toMatchObject({ type: 'message', id: String(SENT_AT), channelId: 'msteams' });
    });

    it("mentions the webhook with a bot's 28: id", () => {
        expect(activity['entities']).toContainEqual({
            type: 'mention',
            mentioned: { id: expect.stringMatching(/^28:[0-9a-f-]{36}$/) as unknown, name: 'Relay Bot' },
            text: '<at>Relay Bot</at>',
        });
    });

    it('keeps the same bot id for the same webhook name', () => {
        const again = buildMentionActivity({ webhookName: 'Relay Bot', text: 'ping', now: SENT_AT + 1 });
        expect(again['entities']).toEqual(activity['entities']);
    });

    it('carries team, channel and tenant in channelData as the app reads them', () => {
        const origin = activityOrigin(parseActivity(activity));
        expect(origin).toMatchObject({
            teamId: expect.stringMatching(/^19:.+@thread\.tacv2$/) as unknown,
            channelId: expect.stringMatching(/^19:.+@thread\.tacv2$/) as unknown,
            tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
            senderName: 'Megan Bowen',
        });
    });

    it('reads back as the typed command once the app strips the mention', () => {
        expect(extractCommand(parseActivity(activity))).toMatchObject({ command: 'status', args: ['ops', '&', '<dev>'] });
    });
});
