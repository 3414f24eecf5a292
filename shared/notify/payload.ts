/** What a job looks like on the wire for its destination: connector or Workflows, checked against its card rules and Teams' size limit. */
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard, CARD_CATALOG, CARD_VERSION, describeCardProblems, isVersionAbove, renderCardTemplate, validateCard, validateCardData, WORKFLOWS_MAX_CARD_VERSION } from '../cards/index.js';
import { MAX_JSON_DEPTH, nestingProblem, PermanentError } from '../platform/index.js';
import { jobContentKind, type ValidJob } from './jobs.js';
import { withMentions } from './mentions.js';
import type { WebhookDialect } from './teams-answer.js';

/**
 * Largest payload we send, in UTF-8 bytes. Teams refuses over 28 KB, measured on message
 * properties that can exceed the request's own length (docs/teams-facts.md#connector-message-size), so we keep well under.
 */
export const SAFE_PAYLOAD_BYTES = 24 * 1024;

/** Highest Adaptive Card version Workflows renders; 1.5 and 1.6 show "couldn't be displayed" (docs/teams-facts.md#workflows-payload). */
export { WORKFLOWS_MAX_CARD_VERSION };


/** A request body ready to POST. */
export interface TeamsPayload {
    readonly body: string;
    readonly bytes: number;
}

/** The envelope both dialects accept for an Adaptive Card; `contentUrl: null` is required by Workflows. */
function adaptiveCardEnvelope(card: AdaptiveCard): object {
    return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}

function textCard(text: string): AdaptiveCard {
    return { type: 'AdaptiveCard', version: CARD_VERSION, body: [{ type: 'TextBlock', text, wrap: true }] };
}

/**
 * The card as Workflows gets it: a missing version or one above 1.4 becomes 1.4. Lowering is only
 * kept when it is safe, and {@link checkedCard} decides that: the lowered card is parsed at 1.4, so
 * an element, property or value that needs 1.5 or 1.6 is reported and the card refused, rather than
 * sent to render as "couldn't be displayed" or without the part that needed the higher version.
 */
function fitForWorkflows(card: AdaptiveCard): AdaptiveCard {
    return card.version === undefined || isVersionAbove(card.version, WORKFLOWS_MAX_CARD_VERSION) ? { ...card, version: WORKFLOWS_MAX_CARD_VERSION } : card;
}

/**
 * The card fitted to the dialect and checked against its rules.
 *
 * @throws {PermanentError} `invalid_card`, naming every problem: Workflows answers 202 to a card it
 * then drops, so a broken card must be caught before it is sent.
 */
async function checkedCard(card: AdaptiveCard, dialect: WebhookDialect): Promise<AdaptiveCard> {
    const fitted = dialect === 'workflows' ? fitForWorkflows(card) : card;
    const problems = await validateCard(fitted, { destination: dialect });
    if (problems.length > 0) {
        throw new PermanentError('invalid_card', describeCardProblems(dialect, problems));
    }
    return fitted;
}

/** A legacy MessageCard as an Adaptive Card, for Workflows (which does not reliably take MessageCards). */
export function messageCardToAdaptiveCard(messageCard: Readonly<Record<string, unknown>>): AdaptiveCard {
    const body: object[] = [];
    const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
    const title = str(messageCard.title) ?? str(messageCard.summary);
    if (title !== undefined) {
        body.push({ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true });
    }
    const text = str(messageCard.text);
    if (text !== undefined) {
        body.push({ type: 'TextBlock', text, wrap: true });
    }
    const sections = Array.isArray(messageCard.sections) ? (messageCard.sections as unknown[]) : [];
    for (const section of sections) {
        if (typeof section !== 'object' || section === null) {
            continue;
        }
        const record = section as Record<string, unknown>;
        const heading = str(record.activityTitle) ?? str(record.title);
        if (heading !== undefined) {
            body.push({ type: 'TextBlock', text: heading, weight: 'Bolder', wrap: true, spacing: 'Medium' });
        }
        const sectionText = str(record.text) ?? str(record.activitySubtitle);
        if (sectionText !== undefined) {
            body.push({ type: 'TextBlock', text: sectionText, wrap: true });
        }
        const facts = Array.isArray(record.facts) ? (record.facts as unknown[]) : [];
        const factSet = facts.flatMap((fact) => {
            const f = fact as Record<string, unknown> | null;
            const name = str(f?.name);
            const value = str(f?.value);
            return name !== undefined && value !== undefined ? [{ title: name, value }] : [];
        });
        if (factSet.length > 0) {
            body.push({ type: 'FactSet', facts: factSet });
        }
    }
    const actions = (Array.isArray(messageCard.potentialAction) ? (messageCard.potentialAction as unknown[]) : []).flatMap((action) => {
        const a = action as Record<string, unknown> | null;
        const targets = Array.isArray(a?.targets) ? (a.targets as { uri?: unknown }[]) : [];
        const uri = targets.map((target) => str(target.uri)).find((candidate) => candidate !== undefined);
        return a?.['@type'] === 'OpenUri' && uri !== undefined ? [{ type: 'Action.OpenUrl', title: str(a.name) ?? 'Open', url: uri }] : [];
    });
    return { type: 'AdaptiveCard', version: CARD_VERSION, body, ...(actions.length > 0 ? { actions } : {}) };
}

/**
 * The Adaptive Card a `card` job renders (its data checked against the template's schema first, as
 * at acceptance, and rendered with the defaults the schema fills in) or an `adaptiveCard` job
 * carries; `undefined` for text and MessageCard jobs.
 *
 * @throws {PermanentError} `unknown_template` or `invalid_card_data`, naming every problem.
 * @example
 * const card = await jobAdaptiveCard({ to: 'ops', card: { template: 'message', data: { title: 'Deployed' } } });
 */
export async function jobAdaptiveCard(job: ValidJob): Promise<AdaptiveCard | undefined> {
    if (job.card !== undefined) {
        const entry = CARD_CATALOG.get(job.card.template);
        if (entry === undefined) {
            throw new PermanentError('unknown_template', `card.template: unknown template "${job.card.template}"`);
        }
        const data = validateCardData(job.card.template, job.card.data);
        if (!data.ok) {
            throw new PermanentError('invalid_card_data', `The card data does not fit the "${job.card.template}" template: ${data.problems.join('; ')}`);
        }
        return renderCardTemplate(entry.template, data.data);
    }
    return job.adaptiveCard;
}

/**
 * Builds the POST body for a job and its destination's dialect: connector URLs get `{text}`, the
 * Adaptive Card envelope or the MessageCard as given; Workflows URLs always get the envelope, with
 * `contentUrl: null`, a card version no higher than 1.4 (lowered when nothing in the card needs
 * more), text as a one-TextBlock card and a MessageCard converted. A job's `mentions` are added to
 * its Adaptive Card ({@link withMentions}); Teams renders mentions only in Adaptive Cards
 * (docs/teams-facts.md#mentions-in-incoming-webhooks), so a text job with mentions goes to a
 * connector as a one-TextBlock card too. Every Adaptive Card that leaves is checked with
 * `validateCard` for the dialect first.
 *
 * @throws {PermanentError} `too_deep` when the job nests more than {@link MAX_JSON_DEPTH} levels,
 * `mentions_unsupported` for a MessageCard with mentions to a connector, `payload_too_large` when
 * the payload is over {@link SAFE_PAYLOAD_BYTES} (the reason gives the size), `invalid_card` when
 * the card breaks the dialect's rules (the reason lists every problem), or another code when the
 * card cannot be built.
 * @example
 * const { body } = await buildTeamsPayload({ to: 'ops', text: 'hi', mentions: ['ada@contoso.com'] }, 'workflows');
 */
export async function buildTeamsPayload(job: ValidJob, dialect: WebhookDialect): Promise<TeamsPayload> {
    // First: rendering, checking and serialising all walk the job, and a job from storage may predate this check.
    const tooDeep = nestingProblem(job, MAX_JSON_DEPTH);
    if (tooDeep !== undefined) {
        throw new PermanentError('too_deep', `The job is too deeply nested: ${tooDeep}`);
    }
    const kind = jobContentKind(job);
    const mentioning = (job.mentions ?? []).length > 0;
    const asCard = async (card: AdaptiveCard): Promise<object> => adaptiveCardEnvelope(await checkedCard(withMentions(card, job.mentions), dialect));
    let payload: object;
    if (kind === 'text' && job.text !== undefined) {
        payload = dialect === 'connector' && !mentioning ? { text: job.text } : await asCard(textCard(job.text));
    } else if (kind === 'messageCard' && job.messageCard !== undefined) {
        if (dialect === 'connector' && mentioning) {
            throw new PermanentError(
                'mentions_unsupported',
                'mentions: a MessageCard cannot @mention anyone on a connector URL (Teams renders mentions only in Adaptive Cards); send it as text, card or adaptiveCard, or to a Workflows URL, which gets it as an Adaptive Card',
            );
        }
        payload = dialect === 'connector' ? job.messageCard : await asCard(messageCardToAdaptiveCard(job.messageCard));
    } else {
        const card = await jobAdaptiveCard(job);
        if (card === undefined) {
            throw new PermanentError('no_content', 'The job has no content');
        }
        payload = await asCard(card);
    }
    const body = JSON.stringify(payload);
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > SAFE_PAYLOAD_BYTES) {
        throw new PermanentError(
            'payload_too_large',
            `The payload is ${bytes} bytes, over the ${SAFE_PAYLOAD_BYTES}-byte safe limit (Teams refuses about 28 KB)`,
        );
    }
    return { body, bytes };
}
