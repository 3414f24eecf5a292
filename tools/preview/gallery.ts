/** The cards worth a picture: every template of the catalog with its example data, and the `status` card for a sample report. */
import { type BudgetReport, connectorRetirementNotice, type SlidingWindowLimit, TEAMS_WEBHOOK_LIMITS, type WebhookBudget, WORKFLOWS_CONNECTION_LIMITS } from '../../shared/notify/index.js';
import { CARD_CATALOG, renderCardTemplate, validateCardData } from '../../shared/cards/index.js';
import { type AdaptiveCard, statusCard } from '../../shared/mention/index.js';

/** The name the `status` card goes by in the gallery. */
export const STATUS_CARD_NAME = 'status';

/** One card of the gallery. */
export interface GalleryCard {
    /** The template's name, or {@link STATUS_CARD_NAME}. */
    readonly name: string;
    /** One line: what the card is for. */
    readonly summary: string;
    readonly card: AdaptiveCard;
}

/** The sample report's clock: 2026-11-23 12:00 UTC. */
const SAMPLE_AT = Date.UTC(2026, 10, 23, 12);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** Until when the sample's throttled connector webhook is held back: its next send, and when its sender wakes. */
const ALERTS_HELD_UNTIL = SAMPLE_AT + 8 * MINUTE;

/** Rate windows with a number of sends in each, in the order the limiter lists them. */
function windowsWith(limits: readonly SlidingWindowLimit[], used: readonly number[]): WebhookBudget['windows'] {
    return limits.map((limit, index) => {
        const sends = used[index] ?? 0;
        return { ...limit, used: sends, remaining: Math.max(limit.max - sends, 0) };
    });
}

/** Teams' five windows (docs/teams-facts.md#connector-rate-limits) with a number of sends in each. */
function windows(used: readonly [number, number, number, number, number]): WebhookBudget['windows'] {
    return windowsWith(TEAMS_WEBHOOK_LIMITS, used);
}

/**
 * A report with one busy Workflows webhook (a window at 75 %: warning) on a Teams connection, and one
 * connector webhook Teams is holding back (full windows: attention) and Microsoft retired, and two
 * dead letters: every look the `status` card has.
 */
export const SAMPLE_BUDGET_REPORT: BudgetReport = {
    at: SAMPLE_AT,
    deadLetters: 2,
    webhooks: [
        {
            alias: 'ops',
            host: undefined,
            webhookKey: '3f9a2c71d04e4b8e9a51c2d7e6f80b13',
            dialect: 'workflows',
            backlog: 12,
            windows: windows([3, 21, 64, 118, 640]),
            consecutiveThrottles: 0,
            blockedUntil: 0,
            nextSlot: SAMPLE_AT + 250,
            wakeAt: SAMPLE_AT + 250,
            delivered: 0,
            accepted: 1_284,
            superseded: 0,
            relayWithoutId: 0,
            throttled: 3,
            deadLettered: 2,
            connection: 'default',
        },
        {
            alias: 'alerts',
            host: undefined,
            webhookKey: 'b81e0d5a9c3f47e2a6d4f0c9e8b71a25',
            dialect: 'connector',
            backlog: 47,
            windows: windows([0, 60, 100, 131, 912]),
            consecutiveThrottles: 2,
            blockedUntil: ALERTS_HELD_UNTIL,
            nextSlot: ALERTS_HELD_UNTIL,
            wakeAt: ALERTS_HELD_UNTIL,
            delivered: 9_310,
            accepted: 0,
            superseded: 0,
            relayWithoutId: 0,
            throttled: 14,
            deadLettered: 0,
        },
    ],
    connections: [
        {
            connection: 'default',
            windows: windowsWith(WORKFLOWS_CONNECTION_LIMITS, [9, 19]),
            blockedUntil: 0,
            nextSlot: SAMPLE_AT + 250,
            aliases: ['ops'],
            sharing: 1,
        },
    ],
    notices: [connectorRetirementNotice(['alerts']) ?? ''],
};

/**
 * Every card of the gallery, rendered to Adaptive Card JSON: the catalog's templates in its order
 * (each with its example data, validated and defaulted as delivery does), then the `status` card.
 *
 * @throws {TypeError} when a template's example data does not pass its schema.
 * @example
 * for (const { name, card } of await galleryCards()) await writeFile(`${name}.png`, (await renderCardPng(card)).png);
 */
export async function galleryCards(): Promise<GalleryCard[]> {
    const templates = await Promise.all(
        [...CARD_CATALOG.values()].map(async (entry): Promise<GalleryCard> => {
            const validation = validateCardData(entry.name, entry.example);
            if (!validation.ok) {
                throw new TypeError(`The "${entry.name}" template's example data is invalid: ${validation.problems.join('; ')}`);
            }
            return { name: entry.name, summary: entry.summary, card: await renderCardTemplate(entry.template, validation.data) };
        }),
    );
    const status: GalleryCard = {
        name: STATUS_CARD_NAME,
        summary: "The `status` mention command's answer: each webhook's backlog, next slot, back-off and a bar per rate window, and the dead letters",
        card: statusCard(SAMPLE_BUDGET_REPORT),
    };
    return [...templates, status];
}
