/** Whom a job @mentions: each person's id and shown name, and the `<at>` text and `msteams.entities` Teams needs for them in a card. */
import { type AdaptiveCard, MENTION_CLOSE, MENTION_OPEN } from '../cards/index.js';
import { PermanentError } from '../platform/index.js';
import type { JobMention } from './jobs.js';

/** A person to @mention, resolved: the id Teams looks the person up by, and the name the card shows. */
export interface MentionedPerson {
    /** A UPN or an Entra object id, as the job gave it. */
    readonly id: string;
    /** The name between `<at>` and `</at>`: as given, cleaned, else the UPN's local part, else the id. */
    readonly name: string;
}

/** What starts the line of mentions appended to a card. */
const MENTION_LINE_PREFIX = 'cc ';

/** `<` and `>`: a name holding them could open or close an `<at>` tag of its own. */
const TAG_CHARACTERS = /[<>]/g;

/** Runs of white space and control characters: a name is shown on one line. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this replaces
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/** A name safe between `<at>` and `</at>`: no `<` or `>`, one line, trimmed (may be empty). */
function cleanName(name: string): string {
    return name.replace(TAG_CHARACTERS, '').replace(SPACE_OR_CONTROL, ' ').trim();
}

/** The name shown when the job gives none (or one that cleans to nothing): a UPN's local part, else the id. */
function defaultName(id: string): string {
    const at = id.indexOf('@');
    const local = at > 0 ? cleanName(id.slice(0, at)) : '';
    return local === '' ? cleanName(id) || id : local;
}

/** UPNs and object ids are both case-insensitive: one person, however the id is written. */
function personKey(id: string): string {
    return id.toLowerCase();
}

/**
 * A job's `mentions` as people: each id once (the first entry for it wins), each with the name to
 * show. Pure.
 *
 * @example
 * mentionedPeople(['ada@contoso.com', { id: 'ADA@contoso.com', name: 'Ada' }]); // [{ id: 'ada@contoso.com', name: 'ada' }]
 */
export function mentionedPeople(mentions: readonly JobMention[] | undefined): MentionedPerson[] {
    const people = new Map<string, MentionedPerson>();
    for (const mention of mentions ?? []) {
        const id = (typeof mention === 'string' ? mention : mention.id).trim();
        const given = typeof mention === 'string' ? '' : cleanName(mention.name ?? '');
        if (!people.has(personKey(id))) {
            people.set(personKey(id), { id, name: given === '' ? defaultName(id) : given });
        }
    }
    return [...people.values()];
}

/**
 * The mention as written in a card, `<at>Name</at>`: Teams pairs it with the `msteams.entities`
 * entry whose `text` is the same.
 */
function mentionText(name: string): string {
    return `${MENTION_OPEN}${name}${MENTION_CLOSE}`;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A name no other mention of the card shows: two people shown alike would both be paired with the
 * first entity, so a repeated name gets the person's id, then a number.
 */
function uniqueName(person: MentionedPerson, taken: ReadonlySet<string>): string {
    if (!taken.has(mentionText(person.name))) {
        return person.name;
    }
    const withId = `${person.name} (${person.id})`;
    for (let count = 1; ; count++) {
        const candidate = count === 1 ? withId : `${withId} ${count}`;
        if (!taken.has(mentionText(candidate))) {
            return candidate;
        }
    }
}

/**
 * The card with the job's mentions added: one `msteams.entities` mention per person (`{type:
 * "mention", text: "<at>Name</at>", mentioned: {id, name}}`) beside the card's own entities, and a
 * TextBlock `cc <at>Ada</at>, <at>Bob</at>` at the end of the body for those whose `<at>Name</at>` the
 * body does not already hold. A person the card already mentions (same id) is not added again.
 * Unchanged without mentions. Pure.
 *
 * @throws {PermanentError} `invalid_card` when the card's `body` or `msteams.entities` is there but
 * is not an array, so nothing can be added to it.
 * @example
 * withMentions({ type: 'AdaptiveCard', version: '1.4', body: [] }, ['ada@contoso.com']);
 * // body: [{ type: 'TextBlock', text: 'cc <at>ada</at>', wrap: true }], msteams: { entities: [{ type: 'mention', text: '<at>ada</at>', mentioned: { id: 'ada@contoso.com', name: 'ada' } }] }
 */
export function withMentions(card: AdaptiveCard, mentions: readonly JobMention[] | undefined): AdaptiveCard {
    const people = mentionedPeople(mentions);
    if (people.length === 0) {
        return card;
    }
    const msteams = isRecord(card.msteams) ? card.msteams : {};
    const existing = msteams.entities ?? [];
    const body = card.body ?? [];
    if (!Array.isArray(existing) || !Array.isArray(body)) {
        const field = Array.isArray(body) ? 'msteams.entities' : 'body';
        throw new PermanentError('invalid_card', `mentions: the card's ${field} is not an array, so the mentions cannot be added to it`);
    }
    const entities: unknown[] = [...(existing as unknown[])];
    const mentionedIds = new Set<string>();
    const taken = new Set<string>();
    for (const entity of entities) {
        if (isRecord(entity) && typeof entity.text === 'string') {
            taken.add(entity.text);
        }
        if (isRecord(entity) && isRecord(entity.mentioned) && typeof entity.mentioned.id === 'string') {
            mentionedIds.add(personKey(entity.mentioned.id));
        }
    }
    // The body as JSON: a mention written into it already (`Ping <at>Ada</at>`) needs only its entity.
    const bodyJson = JSON.stringify(body);
    const listed: string[] = [];
    for (const person of people) {
        if (mentionedIds.has(personKey(person.id))) {
            continue;
        }
        const name = uniqueName(person, taken);
        const text = mentionText(name);
        taken.add(text);
        entities.push({ type: 'mention', text, mentioned: { id: person.id, name } });
        if (!bodyJson.includes(JSON.stringify(text).slice(1, -1))) {
            listed.push(text);
        }
    }
    const line = listed.length === 0 ? [] : [{ type: 'TextBlock', text: `${MENTION_LINE_PREFIX}${listed.join(', ')}`, wrap: true }];
    return { ...card, body: [...(body as unknown[]), ...line], msteams: { ...msteams, entities } };
}
