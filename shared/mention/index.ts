// Public surface of shared/mention/: the mention flow: POST /api/mention from the signature check to the reply. Other parts of the app import shared/mention/ only through this file.
export {
    type Activity,
    activityOrigin,
    type ActivityOrigin,
    cleanMentionText,
    decodeHtmlEntities,
    extractCommand,
    type MentionCommandLine,
    parseActivity,
} from './activity.js';
export {
    type CommandInput,
    defineCommand,
    type MentionCaller,
    type MentionCommand,
} from './commands/command.js';
export {
    BUILTIN_COMMANDS,
    type DeadlineResult,
    remainingBudgetMs,
    runWithDeadline,
} from './commands/index.js';
export {
    answerMention,
    type AnswerOptions,
    emptyCommandReply,
    failedCommandReply,
    stillWorkingReply,
    unknownCommandReply,
} from './mention.js';
export {
    checkFreshness,
    createReplyCache,
    type Freshness,
    MAX_FUTURE_SKEW_MS,
    MAX_REMEMBERED_REPLIES,
    MAX_REMEMBERED_REPLY_BYTES,
    parseActivityTimestamp,
    type RememberedReply,
    type ReplyCache,
    type ReplyCacheOptions,
    replyKey,
    type ReplyWindow,
} from './replay.js';
export {
    ADAPTIVE_CARD_CONTENT_TYPE,
    AdaptiveCard,
    ALLOWED_REPLY_ACTION,
    cardActionTypes,
    InvalidReplyError,
    jsonByteLength,
    MAX_REPLY_BYTES,
    type MentionReply,
    type TeamsReply,
    toTeamsReply,
    truncateToFit,
    TRUNCATION_MARKER,
} from './reply.js';
export {
    DEFAULT_MENTION_MAX_AGE_SECONDS,
    DEFAULT_MENTION_REPLY_BUDGET_MS,
    EVERY_WEBHOOK,
    MENTION_SCOPE_SETTING_PREFIX,
    type MentionScope,
    mentionScopeSetting,
    mentionSection,
    type MentionSettings,
    OUTGOING_TOKEN_BYTES,
    type OutgoingWebhookKey,
    parseMentionScope,
    parseOutgoingWebhookSecrets,
} from './settings.js';
export {
    HMAC_SHA256_BYTES,
    SIGNATURE_SCHEME,
    type SignatureCheck,
    type SignatureFailure,
    signTeamsBody,
    verifyTeamsSignature,
} from './signature.js';
export { statusCard } from './commands/builtin/status.js';
