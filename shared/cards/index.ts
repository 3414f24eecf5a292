// Public surface of shared/cards/: Adaptive Cards: the card type, templates, catalog, rendering and validation. Other parts of the app import shared/cards/ only through this file.
export {
    ADAPTIVE_CARD_CONTENT_TYPE,
    type AdaptiveCard,
    ALLOWED_REPLY_ACTION,
    cardActionTypes,
} from './card.js';
export {
    BUILT_IN_TEMPLATES,
    CARD_CATALOG,
    type CardDataSchema,
    type CardDataValidation,
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
    SHORT_COMMIT_LENGTH,
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
    digestCardDataSchema,
    digestCardExample,
    digestCardTemplate,
    digestItemSchema,
    embeddedCardSchema,
} from './templates/digest.js';
export {
    type FactsCardData,
    factsCardDataSchema,
    factsCardExample,
    factsCardTemplate,
} from './templates/facts.js';
export {
    helpCardTemplate,
} from './templates/help.js';
export {
    INCIDENT_STATUS_LOOK,
    INCIDENT_STATUSES,
    type IncidentCardData,
    incidentCardDataSchema,
    incidentCardExample,
    incidentCardTemplate,
    type IncidentStatus,
} from './templates/incident.js';
export {
    type MessageCardData,
    messageCardDataSchema,
    messageCardExample,
    messageCardTemplate,
} from './templates/message.js';
export {
    ADAPTIVE_CARD_SCHEMA_URL,
    bulletListElement,
    type CardColour,
    cardDurationSchema,
    cardFactSchema,
    cardFactsSchema,
    cardLinkSchema,
    cardLinksSchema,
    cardUrlSchema,
    chooseByValue,
    durationExpression,
    factSetElement,
    type FixedFact,
    headerElement,
    invalidValue,
    linkActions,
    markdownElement,
    type StateLook,
    CARD_VERSION,
    whenAnyPresent,
    whenPresent,
} from './templates/parts.js';
export {
    mentionedPersonSchema,
    type PullRequestCardData,
    pullRequestCardDataSchema,
    pullRequestCardExample,
    pullRequestCardTemplate,
} from './templates/pull-request.js';
export {
    type CardDestination,
    type CardProblem,
    type CardRules,
    checkCardRules,
    describeCardProblems,
    DESTINATION_LABEL,
    formatCardProblem,
    isVersionAbove,
    MAX_CARD_VERSION,
    MENTION_CLOSE,
    MENTION_OPEN,
    mentionTags,
    OBJECT_MODEL_MAX_CARD_VERSION,
    validateCard,
    WEBHOOK_FORBIDDEN_ACTIONS,
    WORKFLOWS_MAX_CARD_VERSION,
} from './validate.js';
