// Public surface of shared/cards/: Adaptive Cards: the card type, templates, catalog, rendering and validation. Other parts of the app import shared/cards/ only through this file.
export {
    ADAPTIVE_CARD_CONTENT_TYPE,
    type AdaptiveCard,
    ALLOWED_REPLY_ACTION,
    CARD_VERSION,
    cardActionTypes,
} from './card.js';
export {
    CARD_CATALOG,
    type CatalogEntry,
    checkCardData,
    validateCardData,
} from './catalog.js';
export {
    DEFAULT_CARD_TEMPLATES_DIR,
    installCustomTemplates,
} from './custom-templates.js';
export {
    renderCardTemplate,
} from './render.js';
export {
    ALERT_STATUSES,
    type AlertCardData,
    type AlertSeverity,
} from './templates/alert.js';
export {
    type BuildCardData,
    type BuildStatus,
} from './templates/build.js';
export {
    type DeploymentCardData,
    type DeploymentStatus,
} from './templates/deployment.js';
export {
    type DigestCardData,
    digestCardTemplate,
} from './templates/digest.js';
export {
    helpCardTemplate,
} from './templates/help.js';
export {
    type MessageCardData,
} from './templates/message.js';
export {
    cardUrlSchema,
} from './templates/parts.js';
export {
    type PullRequestCardData,
} from './templates/pull-request.js';
export {
    describeCardProblems,
    isVersionAbove,
    MENTION_CLOSE,
    MENTION_OPEN,
    validateCard,
    WORKFLOWS_MAX_CARD_VERSION,
} from './validate.js';
