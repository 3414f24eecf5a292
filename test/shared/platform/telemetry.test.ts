import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { formatTelemetry, redactUrls, trackDeliveryEvent, trackEvent } from '../../../shared/platform/telemetry.js';

function recordingContext() {
    const lines: { level: string; message: string }[] = [];
    const context = new InvocationContext({
        invocationId: 'inv-1',
        logHandler: (level, ...args) => lines.push({ level, message: args.map(String).join(' ') }),
    });
    return { context, lines };
}

describe('telemetry', () => {
    it('formats one event as a prefix and flat JSON with stable names, dropping undefined', () => {
        expect(formatTelemetry('delivered', { jobId: 'deploy-4711', attempt: 1, status: undefined })).toBe(
            'teams-relay.delivered {"event":"delivered","jobId":"deploy-4711","attempt":1}',
        );
    });

    it('never lets a webhook URL through, keeping only its host', () => {
        const line = formatTelemetry('dead-lettered', { reason: 'refused by https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def?sig=secret' });
        expect(line).toContain('https://contoso.webhook.office.com/…');
        expect(line).not.toMatch(/webhookb2|secret/);
        expect(redactUrls('see http://127.0.0.1:7072/workflows/x/triggers/manual/paths/invoke?sig=s')).toBe('see http://127.0.0.1:7072/…');
    });

    it('logs failures as warnings or errors and the rest as information, with the invocation id', () => {
        const { context, lines } = recordingContext();
        trackEvent(context, 'delivered', { jobId: 'a' });
        trackDeliveryEvent(context, { event: 'throttled', webhookKey: 'k', jobId: 'b', waitMs: 30_000 });
        trackEvent(context, 'drain-failed', { webhookKey: 'k' });
        expect(lines.map((line) => line.level)).toEqual(['information', 'warning', 'error']);
        expect(lines[1]?.message).toBe('teams-relay.throttled {"event":"throttled","invocationId":"inv-1","webhookKey":"k","jobId":"b","waitMs":30000}');
    });
});
