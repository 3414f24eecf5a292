// Public surface of shared/mention/: the mention flow: POST /api/mention from the signature check to the reply. Other parts of the app import shared/mention/ only through this file.
export {
    extractCommand,
    parseActivity,
} from './activity.js';
export {
    BUILTIN_COMMANDS,
} from './commands/index.js';
export {
    answerMention,
} from './mention.js';
export {
    checkFreshness,
    createReplyCache,
    MAX_FUTURE_SKEW_MS,
    type ReplyCache,
    replyKey,
} from './replay.js';
export {
    AdaptiveCard,
    type TeamsReply,
} from './reply.js';
export {
    DEFAULT_MENTION_MAX_AGE_SECONDS,
    mentionScopeSetting,
    parseOutgoingWebhookSecrets,
} from './settings.js';
export {
    signTeamsBody,
    verifyTeamsSignature,
} from './signature.js';
export { statusCard } from './commands/builtin/status.js';
