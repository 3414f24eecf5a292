/**
 * The budget of one Teams connection, shared fairly by its webhooks: a pure decision, from the
 * connection's stored state, whether a webhook may post now or when its turn comes.
 *
 * Fairness is round robin by rounds (start-time fair queuing): every webhook that is sending through
 * the connection has an entry ("claim") with its round, the number of turns it has had; a webhook
 * that joins starts at the lowest round of those present. Whoever is behind is served first: before
 * a webhook in round `r` may post, each other webhook in round `q < r` is owed `r - q` slots (one more
 * when it is in the same round and comes first by key), and those slots are set aside as the earliest
 * the windows allow. The webhook posts now only when its own slot, after all that, is now; it then
 * moves to round `r + 1`. So with a backlog on several webhooks the slots go round them one each, however
 * many slots free at once and in whatever order the webhooks come; a webhook waits for at most one
 * slot per other webhook per round, and none starves. Slots set aside for a webhook that does not come
 * are freed when its claim expires, {@link CLAIM_GRACE_MS} after the turn it was told.
 *
 * Never over the limit: a webhook posts only when the windows allow it on the logged sends *plus* the
 * slots set aside, so on the logged sends alone (more history can only make a slot later).
 */
import { nextSendTime, pruneHistory, type SlidingWindowLimit } from './limiter.js';
import type { ConnectionClaim, ConnectionState } from './outbox/index.js';
import { MAX_CONNECTION_CLAIMS } from './outbox/table-rows.js';

/**
 * How long past its turn (or its last post) a claim is kept while its webhook has not come back: a
 * wake-up message is visible within a second of its time and the queue trigger polls at least every
 * 2 s (host.json `maxPollingInterval`), so 30 s is generous. A webhook that went away (its jobs were
 * sent or skipped, its instance crashed) then holds the others up at most this long.
 *
 * @default 30000
 */
export const CLAIM_GRACE_MS = 30_000;

/** What a webhook may do about its connection now. */
type ConnectionDecision =
    /** Post now: `state` has the send logged and the webhook's round advanced; write it with its ETag first. */
    | { readonly kind: 'send'; readonly state: ConnectionState }
    /** Wait until `until`: `state` holds the webhook's claim; write it so the others see it. */
    | { readonly kind: 'wait'; readonly until: number; readonly state: ConnectionState };

/** Options of {@link decideConnectionSlot}. */
interface ConnectionSlotOptions {
    /** Added to every window (see `LimiterOptions.guardMs`). */
    readonly guardMs: number;
    /** @default CLAIM_GRACE_MS */
    readonly claimGraceMs?: number;
}

/** The slots other webhooks are owed before `webhookKey` in round `round` may post. */
function slotsOwed(others: readonly ConnectionClaim[], webhookKey: string, round: number): number {
    return others.reduce((owed, other) => owed + Math.max(0, round - other.round + (other.webhookKey < webhookKey ? 1 : 0)), 0);
}

/**
 * The webhook's turn on the connection at `now`: its round, and the time of its slot once every
 * slot owed to others is set aside (each the earliest the windows allow, never before the
 * connection's `blockedUntil`). Pure.
 *
 * @example
 * connectionTurn(state, key, Date.now(), WORKFLOWS_CONNECTION_LIMITS, { guardMs: 50 }).at; // epoch ms
 */
export function connectionTurn(
    state: ConnectionState,
    webhookKey: string,
    now: number,
    limits: readonly SlidingWindowLimit[],
    options: ConnectionSlotOptions,
): { readonly at: number; readonly round: number; readonly owed: number; readonly others: readonly ConnectionClaim[]; readonly joined: boolean } {
    const own = state.claims.find((claim) => claim.webhookKey === webhookKey);
    // Others count until their claim expires; a webhook's own claim counts even late: it is here now.
    const others = state.claims.filter((claim) => claim.webhookKey !== webhookKey && claim.expiresAt > now);
    const lowest = others.reduce((low, claim) => Math.min(low, claim.round), Number.POSITIVE_INFINITY);
    const floor = Number.isFinite(lowest) ? lowest : 0;
    // A member keeps its round; a webhook (re)joining starts at the lowest round present, so it never
    // banks turns from before it went away.
    const round = own !== undefined && own.expiresAt > now ? own.round : Math.max(own?.round ?? floor, floor);
    const owed = slotsOwed(others, webhookKey, round);
    const from = Math.max(now, state.blockedUntil);
    const history = [...state.sends];
    for (let index = 0; index < owed; index++) {
        history.push(nextSendTime(history, from, limits, { guardMs: options.guardMs }));
    }
    return { at: nextSendTime(history, from, limits, { guardMs: options.guardMs }), round, owed, others, joined: own !== undefined };
}

/**
 * Decides whether `webhookKey` may post through its connection at `now`, and returns the state to
 * write (with the row's ETag) either way; see this module's header for the order of turns. Expired
 * claims of others are dropped from the state written.
 *
 * @example
 * const decision = decideConnectionSlot(await store.readConnection('default'), key, now, limits, { guardMs: 50 });
 * if (decision.kind === 'send' && (await store.writeConnection(decision.state)) !== undefined) post();
 */
export function decideConnectionSlot(
    state: ConnectionState,
    webhookKey: string,
    now: number,
    limits: readonly SlidingWindowLimit[],
    options: ConnectionSlotOptions,
): ConnectionDecision {
    const turn = connectionTurn(state, webhookKey, now, limits, options);
    const graceMs = options.claimGraceMs ?? CLAIM_GRACE_MS;
    // A full list leaves a newcomer out: it still learns its turn, and joins when there is room.
    const room = turn.joined || turn.others.length < MAX_CONNECTION_CLAIMS;
    const withClaim = (claim: ConnectionClaim): readonly ConnectionClaim[] => (room ? [...turn.others, claim] : turn.others);
    if (turn.at <= now) {
        return {
            kind: 'send',
            state: {
                ...state,
                sends: [...pruneHistory(state.sends, now, limits, { guardMs: options.guardMs }), now],
                claims: withClaim({ webhookKey, round: turn.round + 1, expiresAt: now + graceMs }),
            },
        };
    }
    return {
        kind: 'wait',
        until: turn.at,
        state: { ...state, claims: withClaim({ webhookKey, round: turn.round, expiresAt: turn.at + graceMs }) },
    };
}
