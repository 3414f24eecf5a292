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
    renderCardTemplate,
} from './render.js';
export {
    type DigestCardData,
    digestCardTemplate,
} from './templates/digest.js';
export {
    helpCardTemplate,
} from './templates/help.js';
export {
    describeCardProblems,
    isVersionAbove,
    MENTION_CLOSE,
    MENTION_OPEN,
    validateCard,
    WORKFLOWS_MAX_CARD_VERSION,
} from './validate.js';
