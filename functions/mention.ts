/** POST /api/mention: the Teams outgoing webhook. Verifies the HMAC signature, refuses stale and repeated activities, runs the command, answers within 5 s. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { answerMention, BUILTIN_COMMANDS, checkFreshness, createReplyCache, extractCommand, MAX_FUTURE_SKEW_MS, mentionScopeSetting, parseActivity, type ReplyCache, replyKey, type TeamsReply, verifyTeamsSignature } from '../shared/mention/index.js';
import { getConfig } from '../shared/config.js';
import { ClientError, MAX_REQUEST_BODY_BYTES, readBodyWithin, toErrorResponse, trackEvent } from '../shared/platform/index.js';

/** The largest mention body we read (1 MiB: far above any real one; Teams activities are a few KB). The Functions host refuses larger bodies itself in Azure. */
export const MAX_MENTION_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

/** Every signature failure answers this, so a caller learns nothing about why. */
const UNAUTHORIZED_BODY = { error: 'unauthorized', message: 'Unauthorized' } as const;

/**
 * The answer to a signed activity without a readable `timestamp`. Teams always sends one, so only a
 * hand-made request lacks it; its sender holds the token, so naming the problem gives nothing away.
 */
export const NO_TIMESTAMP_MESSAGE =
    'The activity has no timestamp that is an ISO 8601 date-time with a zone (such as 2026-11-23T10:00:00.1234567Z); Teams always sends one, and a mention without it is refused';

function parseJson(raw: Buffer): unknown {
    try {
        return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
        throw new ClientError('bad_json', 'The body is not valid JSON');
    }
}

/** What {@link createMentionHandler} may be given; tests inject the clock and the reply cache. */
interface MentionHandlerOptions {
    /** The clock. @default Date.now */
    readonly now?: () => number;
    /** The replies already given, per token and activity id. @default a cache of this handler's own, bounded by count and bytes */
    readonly replies?: ReplyCache<TeamsReply>;
}

/** A mention handler, as tests call it and `app.http` registers it. */
export type MentionHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** What one handler keeps between requests. */
interface MentionDeps {
    readonly now: () => number;
    readonly replies: ReplyCache<TeamsReply>;
}

/**
 * Makes the handler of Teams outgoing-webhook requests: reads the raw bytes (413 over 1 MiB), checks
 * `Authorization: HMAC <base64>` against the configured tokens (`?id=<name>` selects one; 401 on any
 * failure), parses the activity leniently (400 if it is not one), refuses an activity whose signed
 * `timestamp` is older than `MENTION_MAX_AGE_SECONDS` or over a minute ahead (the same 401; 400 when
 * it has none), and answers 200 with the command's reply. A repeat of an activity id for the same
 * token within that window gets the first reply again, without running the command twice (per
 * instance: the cache is in memory).
 *
 * @example
 * const handler = createMentionHandler({ now: () => fixedClock });
 */
export function createMentionHandler(options: MentionHandlerOptions = {}): MentionHandler {
    const deps: MentionDeps = {
        now: options.now ?? Date.now,
        replies: options.replies ?? createReplyCache<TeamsReply>((reply) => Buffer.byteLength(JSON.stringify(reply), 'utf8')),
    };
    return function mention(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
        return handleMention(request, context, deps);
    };
}

async function handleMention(request: HttpRequest, context: InvocationContext, { now, replies }: MentionDeps): Promise<HttpResponseInit> {
    const receivedAt = now();
    try {
        const config = getConfig();
        const raw = await readBodyWithin(request, MAX_MENTION_BODY_BYTES);
        const selected = request.query.get('id');
        const check = verifyTeamsSignature(
            raw,
            request.headers.get('authorization'),
            config.mention.keys,
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
        const freshness = checkFreshness(activity.timestamp, receivedAt, config.mention.maxAgeMs);
        if (!freshness.ok) {
            if (freshness.reason === 'no_timestamp') {
                throw new ClientError('no_timestamp', NO_TIMESTAMP_MESSAGE);
            }
            const why = freshness.reason === 'stale' ? 'older than MENTION_MAX_AGE_SECONDS' : 'more than a minute ahead';
            context.warn(`Mention refused: the activity's timestamp is ${why} (token "${check.keyName}")`);
            return { status: 401, jsonBody: UNAUTHORIZED_BODY };
        }
        const line = extractCommand(activity);
        const caller = {
            tokenName: check.keyName,
            scope: config.mention.scopes.get(check.keyName) ?? { kind: 'none', setting: mentionScopeSetting(check.keyName) },
        } as const;
        const run = async (): Promise<TeamsReply> =>
            answerMention(line, {
                activity,
                commands: BUILTIN_COMMANDS,
                caller,
                budgetMs: config.mention.replyBudgetMs,
                receivedAt,
                now,
                logError: (message) => {
                    context.error(message);
                },
            });
        const id = activity.id ?? '';
        // A repeat fails the timestamp check once the activity is older than the window, so its reply
        // is needed no longer than that (and the activity may have been up to a minute ahead).
        const window = { now: receivedAt, expiresAt: receivedAt + config.mention.maxAgeMs + MAX_FUTURE_SKEW_MS };
        const answer = id === '' ? { value: await run(), repeated: false } : await replies.answerOnce(replyKey(check.keyName, id), window, run);
        trackEvent(context, 'mention', { command: line.command, keyName: check.keyName, repeated: answer.repeated, durationMs: now() - receivedAt });
        return { status: 200, jsonBody: answer.value };
    } catch (thrown) {
        return toErrorResponse(thrown, context);
    }
}

/** The handler of `POST /api/mention`, with the real clock and this instance's reply cache. */
export const mention = createMentionHandler();

app.http('mention', {
    methods: ['POST'],
    authLevel: 'anonymous',
    route: 'mention',
    handler: mention,
});
