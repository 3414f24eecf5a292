/** POST /api/mention: the Teams outgoing webhook. Verifies the HMAC signature, runs the command, answers within 5 s. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { extractCommand, parseActivity } from '../shared/activity/index.js';
import { builtinCommands } from '../shared/commands/index.js';
import { getConfig } from '../shared/config/index.js';
import { ClientError } from '../shared/errors/index.js';
import { readBodyWithin, toErrorResponse } from '../shared/http/index.js';
import { answerMention } from '../shared/mention/index.js';
import { verifyTeamsSignature } from '../shared/signature/index.js';
import { trackEvent } from '../shared/telemetry/index.js';

/** The largest mention body we read (1 MiB: far above any real one); Teams activities are a few KB. */
export const MAX_MENTION_BODY_BYTES = 1024 * 1024;

/** Every signature failure answers this, so a caller learns nothing about why. */
export const UNAUTHORIZED_BODY = { error: 'unauthorized', message: 'Unauthorized' } as const;

function parseJson(raw: Buffer): unknown {
    try {
        return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
        throw new ClientError('bad_json', 'The body is not valid JSON');
    }
}

/**
 * Handles a Teams outgoing-webhook request: reads the raw bytes (413 over 1 MiB), checks
 * `Authorization: HMAC <base64>` against the configured tokens (`?id=<name>` selects one; 401 on any
 * failure), parses the activity leniently (400 if it is not one) and answers 200 with the command's reply.
 */
export async function mention(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const receivedAt = Date.now();
    try {
        const config = getConfig();
        const raw = await readBodyWithin(request, MAX_MENTION_BODY_BYTES);
        const selected = request.query.get('id');
        const check = verifyTeamsSignature(
            raw,
            request.headers.get('authorization'),
            config.outgoingWebhookKeys,
            selected === null || selected === '' ? undefined : selected,
        );
        if (!check.ok) {
            if (check.reason === 'no_keys') {
                context.error('Mention refused: TEAMS_OUTGOING_WEBHOOK_SECRETS has no token configured');
            } else {
                context.warn(`Mention refused: signature check failed (${check.reason})`);
            }
            return { status: 401, jsonBody: UNAUTHORIZED_BODY };
        }
        const activity = parseActivity(parseJson(raw));
        const line = extractCommand(activity);
        const reply = await answerMention(line, {
            activity,
            commands: await builtinCommands(),
            budgetMs: config.mentionReplyBudgetMs,
            receivedAt,
            now: Date.now,
            logError: (message) => {
                context.error(message);
            },
        });
        trackEvent(context, 'mention', { command: line.command, keyName: check.keyName, durationMs: Date.now() - receivedAt });
        return { status: 200, jsonBody: reply };
    } catch (thrown) {
        return toErrorResponse(thrown, context);
    }
}

app.http('mention', {
    methods: ['POST'],
    authLevel: 'anonymous',
    route: 'mention',
    handler: mention,
});
