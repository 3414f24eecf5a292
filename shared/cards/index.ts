// Public surface of shared/cards/: Adaptive Cards: the card type, templates, catalog, rendering and validation. Other parts of the app import shared/cards/ only through this file.
export {
    ADAPTIVE_CARD_CONTENT_TYPE,
    type AdaptiveCard,
    ALLOWED_REPLY_ACTION,
    CARD_VERSION,
    cardActionTypes,
} from './card.js';
export {
    BUILT_IN_TEMPLATES,
    CARD_CATALOG,
    type CatalogEntry,
    checkCardData,
    type TemplateOrigin,
    useCustomTemplates,
    validateCardData,
} from './catalog.js';
export {
    CARD_TEMPLATES_SETTING,
    type CustomTemplatesSource,
    DEFAULT_CARD_TEMPLATES_DIR,
    installCustomTemplates,
    loadCustomTemplates,
    MAX_TEMPLATE_FILE_BYTES,
    MAX_TEMPLATE_NAME_CHARS,
    TEMPLATE_NAME_PATTERN,
} from './custom-templates.js';
export {
    type CardTemplate,
    renderCardTemplate,
} from './render.js';
export {
    ALERT_RESOLVED_LOOK,
    ALERT_SEVERITIES,
    ALERT_SEVERITY_LOOK,
    ALERT_STATUSES,
    type AlertCardData,
    alertCardDataSchema,
    alertCardExample,
    alertCardTemplate,
    alertItemSchema,
    type AlertSeverity,
    cardImageUrlSchema,
} from './templates/alert.js';
export {
    BUILD_STATUS_LOOK,
    BUILD_STATUSES,
    type BuildCardData,
    buildCardDataSchema,
    buildCardExample,
    buildCardTemplate,
    type BuildStatus,
} from './templates/build.js';
export {
    DEPLOYMENT_STATUS_LOOK,
    DEPLOYMENT_STATUSES,
    type DeploymentCardData,
    deploymentCardDataSchema,
    deploymentCardExample,
    deploymentCardTemplate,
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
