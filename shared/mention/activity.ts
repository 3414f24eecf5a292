/** The Teams outgoing-webhook activity: a lenient parser and the command in its text. */
import { z } from 'zod';
import { ClientError } from '../platform/index.js';

/** Bot Framework ids of bots (and outgoing webhooks) start with `28:`; users' with `29:`. */
const BOT_ID_PREFIX = '28:';

const nullableString = z.string().nullish();
const account = z.looseObject({ id: nullableString, name: nullableString, aadObjectId: nullableString }).nullish();
const idHolder = z.looseObject({ id: nullableString, name: nullableString }).nullish();

/**
 * The fields of an activity the app reads. Lenient by design: real Teams payloads carry `null`s,
 * unknown fields, timestamps with 7 fractional digits and sometimes no mention entity.
 */
const activitySchema = z.looseObject({
    type: z.string(),
    id: nullableString,
    timestamp: nullableString,
    text: nullableString,
    textFormat: nullableString,
    from: account,
    recipient: account,
    conversation: z
        .looseObject({ id: nullableString, conversationType: nullableString, tenantId: nullableString })
        .nullish(),
    entities: z.array(z.unknown()).nullish(),
    channelData: z
        .looseObject({
            teamsChannelId: nullableString,
            teamsTeamId: nullableString,
            channel: idHolder,
            team: idHolder,
            tenant: idHolder,
        })
        .nullish(),
});

const mentionEntity = z.looseObject({
    type: z.literal('mention'),
    mentioned: z.looseObject({ id: nullableString, name: nullableString }).nullish(),
    text: nullableString,
});

/** An outgoing-webhook activity as the app sees it. */
export type Activity = z.infer<typeof activitySchema>;

/** The command a mention asks for. */
export interface MentionCommandLine {
    /** The first word, lower-cased; `''` when the mention carries no text. */
    readonly command: string;
    /** The words after the command. */
    readonly args: readonly string[];
    /** Everything after the command, as typed (whitespace collapsed). */
    readonly argText: string;
    /** The whole cleaned text. */
    readonly text: string;
}

/** Where the activity comes from, as admins need it to configure things. */
interface ActivityOrigin {
    readonly senderName: string | undefined;
    readonly senderAadObjectId: string | undefined;
    readonly teamId: string | undefined;
    readonly channelId: string | undefined;
    readonly tenantId: string | undefined;
    readonly conversationId: string | undefined;
}

/**
 * Parses the body of an outgoing-webhook request into an {@link Activity}.
 *
 * @throws {ClientError} (400) naming what is wrong when the value is not an activity.
 * @example
 * const activity = parseActivity(JSON.parse(bodyText));
 */
export function parseActivity(value: unknown): Activity {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ClientError('not_an_activity', 'The body is not a Teams activity: expected a JSON object');
    }
    const parsed = activitySchema.safeParse(value);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
        throw new ClientError('not_an_activity', `The body is not a Teams activity: ${problems.join('; ')}`);
    }
    return parsed.data;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
    nbsp: ' ',
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
};

/** Decodes the HTML entities Teams puts in message text (`&nbsp;`, `&amp;`, numeric references, ...). */
export function decodeHtmlEntities(text: string): string {
    return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
        if (name.startsWith('#')) {
            const codePoint = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
            return codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff)
                ? String.fromCodePoint(codePoint)
                : whole;
        }
        return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/**
 * An `<at>…</at>` element. Neither the tag nor the name may hold another `<at`/`</at>`, so each match
 * attempt stops at the next one: text full of unclosed `<at>` costs linear time, not quadratic.
 */
const AT_MENTION = /<at\b[^<>]*>([^<]*(?:<(?!\/?at\b)[^<]*)*)<\/at>/gi;

/** An HTML tag; it ends at the next `<` too, for the same reason (Teams encodes `<` in attribute values). */
const HTML_TAG = /<\/?[a-z][^<>]*>/gi;

function botMentionNames(activity: Activity): Set<string> {
    const names = new Set<string>();
    for (const entity of activity.entities ?? []) {
        const mention = mentionEntity.safeParse(entity);
        if (!mention.success) {
            continue;
        }
        const id = mention.data.mentioned?.id ?? '';
        const name = mention.data.mentioned?.name;
        if (id.startsWith(BOT_ID_PREFIX) && name) {
            names.add(name.trim().toLowerCase());
        }
    }
    const recipient = activity.recipient?.name;
    if (recipient && recipient !== 'null') {
        names.add(recipient.trim().toLowerCase());
    }
    return names;
}

/**
 * Cleans the text of a mention: removes the webhook's own `<at>…</at>` (the one naming a bot
 * entity, else the first), keeps other mentions as their names, strips HTML tags, decodes
 * entities such as `&nbsp;` and collapses whitespace.
 *
 * @example
 * cleanMentionText({ type: 'message', text: '<at>Relay</at>&nbsp;ping\n' }); // 'ping'
 */
export function cleanMentionText(activity: Activity): string {
    const raw = activity.text ?? '';
    const botNames = botMentionNames(activity);
    let removedOwn = false;
    const mentions = [...raw.matchAll(AT_MENTION)];
    const ownIndex = mentions.findIndex((m) => botNames.has(decodeHtmlEntities(m[1] ?? '').trim().toLowerCase()));
    const withoutMentions = raw.replace(AT_MENTION, (_whole, inner: string) => {
        const name = decodeHtmlEntities(inner).trim();
        const isOwn = ownIndex === -1 ? !removedOwn : botNames.has(name.toLowerCase());
        if (isOwn) {
            removedOwn = true;
            return ' ';
        }
        // The name is decoded already and the whole text is decoded below: escape `&` so it is decoded once.
        return `@${name.replace(/&/g, '&amp;')}`;
    });
    const withoutTags = withoutMentions.replace(/<br\s*\/?>/gi, ' ').replace(HTML_TAG, ' ');
    return decodeHtmlEntities(withoutTags)
        .replace(/[\s\u00a0\u200b]+/g, ' ')
        .trim();
}

/**
 * Reads the command of a mention: the first word of the cleaned text, lower-cased, and its arguments.
 *
 * @example
 * extractCommand(activity); // { command: 'ping', args: [], argText: '', text: 'ping' }
 */
export function extractCommand(activity: Activity): MentionCommandLine {
    const text = cleanMentionText(activity);
    if (text === '') {
        return { command: '', args: [], argText: '', text };
    }
    const [first = '', ...args] = text.split(' ');
    return { command: first.toLowerCase(), args, argText: args.join(' '), text };
}

function present(value: string | null | undefined): string | undefined {
    return value === null || value === undefined || value === '' || value === 'null' ? undefined : value;
}

/** Where an activity comes from: sender, team, channel and tenant ids, whichever the payload carries. */
export function activityOrigin(activity: Activity): ActivityOrigin {
    const channelData = activity.channelData;
    return {
        senderName: present(activity.from?.name),
        senderAadObjectId: present(activity.from?.aadObjectId),
        teamId: present(channelData?.team?.id) ?? present(channelData?.teamsTeamId),
        channelId: present(channelData?.channel?.id) ?? present(channelData?.teamsChannelId),
        tenantId: present(channelData?.tenant?.id) ?? present(activity.conversation?.tenantId),
        conversationId: present(activity.conversation?.id),
    };
}
