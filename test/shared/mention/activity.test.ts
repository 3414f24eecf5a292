import { describe, expect, it } from 'vitest';
import { activityOrigin, cleanMentionText, decodeHtmlEntities, extractCommand, parseActivity } from '../../../shared/mention/activity.js';
import { ClientError } from '../../../shared/platform/errors.js';
import { fixtureBytes, MSDOCS_EXAMPLE } from '../../support/fixtures.js';

const msdocs = parseActivity(JSON.parse(fixtureBytes(MSDOCS_EXAMPLE.path).toString('utf8')));

function message(text: string, extra: Record<string, unknown> = {}) {
    return parseActivity({ type: 'message', text, ...extra });
}

describe('parseActivity', () => {
    it('parses Microsoft documented example', () => {
        expect(msdocs.type).toBe('message');
        expect(msdocs.from?.name).toBe('Tim Jones');
    });

    it('accepts null fields, unknown fields and a 7-digit fractional timestamp', () => {
        const activity = parseActivity({
            type: 'message',
            id: '1',
            timestamp: '2024-05-01T10:20:30.1234567Z',
            text: null,
            recipient: null,
            summary: null,
            value: null,
            from: { id: '29:x', name: 'Ann', aadObjectId: null },
            conversation: { id: '19:c', conversationType: 'channel', tenantId: null, isGroup: true },
            channelData: { teamsChannelId: null, channel: null, team: { id: '19:t' }, tenant: { id: 't1' }, eventType: null },
            locale: 'en-US',
        });
        expect(activity.timestamp).toBe('2024-05-01T10:20:30.1234567Z');
        expect(activityOrigin(activity)).toMatchObject({ senderName: 'Ann', teamId: '19:t', tenantId: 't1', channelId: undefined });
    });

    it.each([
        ['an array', []],
        ['a string', 'ping'],
        ['null', null],
        ['an object without type', { text: 'ping' }],
        ['an object whose type is a number', { type: 3 }],
        ['an object whose text is a number', { type: 'message', text: 5 }],
    ])('refuses %s with a 400 that says what is wrong', (_what, value) => {
        try {
            parseActivity(value);
            expect.unreachable();
        } catch (thrown) {
            expect(thrown).toBeInstanceOf(ClientError);
            expect((thrown as ClientError).status).toBe(400);
            expect((thrown as ClientError).message).toMatch(/not a Teams activity/);
        }
    });
});

describe('extractCommand', () => {
    it('removes the webhook mention even when no entity names it and keeps other mentions as names', () => {
        expect(extractCommand(msdocs)).toEqual({ command: 'hello', args: ['@Larry', 'Brown'], argText: '@Larry Brown', text: 'Hello @Larry Brown' });
    });

    it('removes the mention of the bot entity wherever it stands', () => {
        const activity = message('Hey <at>Ann</at> <at>Relay</at> status ops', {
            entities: [
                { type: 'mention', mentioned: { id: '29:ann', name: 'Ann' }, text: '<at>Ann</at>' },
                { type: 'mention', mentioned: { id: '28:relay', name: 'Relay' }, text: '<at>Relay</at>' },
            ],
        });
        expect(cleanMentionText(activity)).toBe('Hey @Ann status ops');
    });

    it('strips &nbsp;, HTML tags and the trailing newline Teams adds', () => {
        const activity = message('<at>Relay</at>&nbsp;<p>PING&nbsp;&nbsp;<b>now</b></p>\n');
        expect(extractCommand(activity)).toMatchObject({ command: 'ping', args: ['now'] });
    });

    it('keeps escaped angle brackets as text rather than treating them as tags', () => {
        expect(cleanMentionText(message('<at>Relay</at> echo &lt;b&gt; &amp; &#x1F680; &#65;'))).toBe('echo <b> & 🚀 A');
    });

    it('yields an empty command for a bare mention', () => {
        expect(extractCommand(message('<at>Relay</at>&nbsp;\n'))).toEqual({ command: '', args: [], argText: '', text: '' });
        expect(extractCommand(parseActivity({ type: 'message' })).command).toBe('');
    });

    it('keeps link text from anchors', () => {
        expect(cleanMentionText(message('<at>Relay</at> open <a href="https://x.test">https://x.test</a>'))).toBe('open https://x.test');
    });
});

describe('decodeHtmlEntities', () => {
    it('leaves unknown and invalid references alone', () => {
        expect(decodeHtmlEntities('&bogus; &#xD800; &#0;')).toBe('&bogus; &#xD800; &#0;');
    });
});
