// Fault: hundreds of malformed and hostile queue messages mixed into a stream of valid jobs: each dead-lettered with its problem, the valid ones delivered in order.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../shared/notify/outbox/index.js';
import { nestedContainersJob } from '../support/deep-cards.js';
import { type AppHost, deliveredTexts, eventually, type HostExit, uniqueQueueName } from '../e2e/app-host.js';
import { enqueueNumberedJob, useScenario } from '../e2e/scenario.js';
import { baseSettings, jobNumber, listDeadLetters, type ListedDeadLetter } from './fault-scenario.js';

const WEBHOOK = 'malformed-ops';
const VALID_JOBS = 20;
/** Messages of each malformed kind; with the kinds below, well over 200. */
const PER_KIND = 13;
/** Characters of the huge strings: the message stays under the queue's 64 KiB limit. */
const HUGE_CHARS = 60_000;
/** Accepting ~240 messages (each a table write) and 20 sends at 4 per second, with slack for a busy machine. */
const SETTLE_DEADLINE_MS = 60_000;

/** One malformed message: what goes on the queue, how its dead letter is found, and what its reason must name. */
interface Malformed {
    readonly kind: string;
    readonly text: string;
    /** The dead letter's job id when the message is an object with a string id (cut to 128 characters), else its kept message text. */
    readonly key: string;
    readonly reason: RegExp;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The malformed kinds, each a function of its number `n` so every message is told apart from the others. */
const KINDS: readonly ((n: string) => Omit<Malformed, 'kind'> & { readonly kind: string })[] = [
    (n) => ({ kind: 'not JSON', text: `not json ${n} {`, key: `not json ${n} {`, reason: /message: not JSON/ }),
    (n) => ({ kind: 'truncated JSON', text: `{"id":"cut-${n}","to":"ops","text":"cut`, key: `{"id":"cut-${n}","to":"ops","text":"cut`, reason: /message: not JSON/ }),
    (n) => ({ kind: 'base64 of no JSON', text: base64(`garbage ${n} ~~`), key: base64(`garbage ${n} ~~`), reason: /message: not JSON/ }),
    (n) => ({ kind: 'broken base64', text: `eyJpZCI6${n}@==`, key: `eyJpZCI6${n}@==`, reason: /message: not JSON/ }),
    (n) => {
        const job = JSON.stringify({ id: `b64-${n}`, to: 'ops' });
        return { kind: 'base64 of a job without content', text: base64(job), key: `b64-${n}`, reason: /job: needs exactly one content field/ };
    },
    (n) => {
        const text = JSON.stringify([`array-${n}`, { to: 'ops', text: 'in an array' }]);
        return { kind: 'JSON array', text, key: text, reason: /job: .*(object|array)/i };
    },
    (n) => ({ kind: 'JSON number', text: `${1000 + Number(n)}`, key: `${1000 + Number(n)}`, reason: /job: .*object/i }),
    (n) => ({ kind: 'wrong types', text: JSON.stringify({ id: `types-${n}`, to: 42, text: true }), key: `types-${n}`, reason: /to: .*text: /s }),
    (n) => ({
        kind: 'wrong createdAt and digest',
        text: JSON.stringify({ id: `stamp-${n}`, to: 'ops', text: 'x', createdAt: 'yesterday', digest: 'no' }),
        key: `stamp-${n}`,
        reason: /createdAt: .*digest: /s,
    }),
    (n) => ({ kind: 'unknown alias', text: JSON.stringify({ id: `alias-${n}`, to: `nowhere${n}`, text: 'x' }), key: `alias-${n}`, reason: new RegExp(`to: unknown alias "nowhere${n}"`) }),
    (n) => ({
        kind: 'disallowed host',
        text: JSON.stringify({ id: `host-${n}`, to: { url: `https://evil${n}.example.com/webhookb2/x` }, text: 'x' }),
        key: `host-${n}`,
        reason: new RegExp(`to\\.url: the host "evil${n}\\.example\\.com" is not allowed by ALLOWED_WEBHOOK_HOSTS`),
    }),
    (n) => ({
        kind: 'two content fields',
        text: JSON.stringify({ id: `both-${n}`, to: 'ops', text: 'x', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [] } }),
        key: `both-${n}`,
        reason: /has text and adaptiveCard: exactly one content field/,
    }),
    (n) => ({
        kind: 'bad card data',
        text: JSON.stringify({ id: `card-${n}`, to: 'ops', card: { template: 'alert', data: { severity: 'apocalyptic' } } }),
        key: `card-${n}`,
        reason: /card\.data\.(title|severity)/,
    }),
    (n) => ({ kind: 'unknown template', text: JSON.stringify({ id: `tpl-${n}`, to: 'ops', card: { template: `no-such-${n}` } }), key: `tpl-${n}`, reason: /card\.template|no-such/ }),
    (n) => ({ kind: 'forbidden id', text: JSON.stringify({ id: `bad/id#${n}`, to: 'ops', text: 'x' }), key: `bad/id#${n}`, reason: /id: may not contain/ }),
    (n) => ({ kind: 'MessageCard without summary', text: JSON.stringify({ id: `mc-${n}`, to: 'ops', messageCard: { '@type': 'MessageCard' } }), key: `mc-${n}`, reason: /messageCard: needs a summary or a text/ }),
    (n) => {
        const id = `huge-id-${n}-${'i'.repeat(HUGE_CHARS)}`;
        return { kind: 'huge id', text: JSON.stringify({ id, to: 'ops', text: 'x' }), key: id.slice(0, 128), reason: /id: / };
    },
    (n) => ({
        kind: 'huge unknown field',
        text: JSON.stringify({ id: `field-${n}`, to: 'ops', text: 'x', blob: 'b'.repeat(HUGE_CHARS) }),
        key: `field-${n}`,
        reason: /blob/,
    }),
    (n) => ({ kind: 'huge text', text: JSON.stringify({ id: `huge-text-${n}`, to: 'ops', text: 't'.repeat(HUGE_CHARS) }), key: `huge-text-${n}`, reason: /\d+ bytes|too large|24 KB/i }),
    // Valid JSON whose content would fail at send time: refused at acceptance, never left to jam the webhook.
    (n) => ({ kind: 'card nested 1,200 deep', text: JSON.stringify({ ...nestedContainersJob(1_200), id: `deep-${n}` }), key: `deep-${n}`, reason: /nested more than 64 levels deep/ }),
    (n) => ({
        kind: 'card with Action.Submit',
        text: JSON.stringify({ id: `submit-${n}`, to: 'ops', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [], actions: [{ type: 'Action.Submit', title: 'Go' }] } }),
        key: `submit-${n}`,
        reason: /Action\.Submit/,
    }),
    (n) => ({
        kind: 'card with an unknown element',
        text: JSON.stringify({ id: `hologram-${n}`, to: 'ops', adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'Hologram', text: 'x' }] } }),
        key: `hologram-${n}`,
        reason: /Hologram/,
    }),
    (n) => ({
        kind: '__proto__ key in card data',
        text: `{"id":"proto-${n}","to":"ops","card":{"template":"message","data":{"title":"t","text":"x","__proto__":{"polluted":true}}}}`,
        key: `proto-${n}`,
        reason: /card\.data: the key "__proto__"/,
    }),
    (n) => ({ kind: 'empty', text: Number(n) % 3 === 0 ? '' : Number(n) % 3 === 1 ? '   ' : 'null', key: Number(n) % 3 === 2 ? '' : Number(n) % 3 === 0 ? '' : '   ', reason: /message: empty/ }),
];

const scenario = useScenario();
let host: AppHost | undefined;
const malformed: Malformed[] = [];
const validTexts: string[] = [];
let letters: DeadLetter[] = [];
let listed: ListedDeadLetter[] = [];
let healthAtEnd = 0;
let exit: HostExit | undefined;
let delivered: string[] = [];

/** The dead letter's key as {@link Malformed.key} describes it. */
function letterKey(letter: DeadLetter): string {
    return letter.jobId ?? letter.message ?? '';
}

beforeAll(async () => {
    const { storage, sim: teams, store, hosts } = scenario;
    const queue = uniqueQueueName('malformed');
    // {url} targets on, so a disallowed host is refused for its host (with them off, every {url} is).
    const settings = { ...baseSettings(queue, { ops: teams.connectorUrl(WEBHOOK) }), ALLOW_URL_TARGETS: 'true' };
    const started = await scenario.startHost(settings);
    host = started;
    const client = scenario.queue(queue);
    const enqueueValid = async (index: number): Promise<void> => {
        validTexts.push((await enqueueNumberedJob(client, 'valid', jobNumber(index))).text);
    };
    for (let round = 0; round < PER_KIND; round++) {
        for (const [index, kind] of KINDS.entries()) {
            const message: Malformed = kind(String(round * KINDS.length + index));
            malformed.push(message);
            await client.sendMessage(message.text, { messageTimeToLive: -1 });
        }
        if (round < VALID_JOBS) {
            await enqueueValid(round + 1);
        }
    }
    for (let index = PER_KIND + 1; index <= VALID_JOBS; index++) {
        await enqueueValid(index);
    }
    await eventually(
        'every valid job delivered and every malformed message dead-lettered',
        async () => {
            const all = await store.listDeadLetters();
            const reached = new Set(deliveredTexts(teams.received(WEBHOOK)));
            if (all.length < malformed.length || !validTexts.every((text) => reached.has(text))) {
                return undefined;
            }
            letters = all;
            return true;
        },
        SETTLE_DEADLINE_MS,
        () => `dead letters so far: ${letters.length}\n${hosts.outputs()}`,
    );
    delivered = deliveredTexts(teams.received(WEBHOOK));
    listed = await listDeadLetters(storage, settings);
    const health = await fetch(`${started.url}/api/health`);
    await health.body?.cancel();
    healthAtEnd = health.status;
    await started.stop();
    exit = started.exitStatus();
}, SETTLE_DEADLINE_MS + 60_000);

describe(`${PER_KIND * KINDS.length} malformed messages of ${KINDS.length} kinds mixed into ${VALID_JOBS} valid jobs`, () => {
    it('sends at least 200 malformed messages', () => {
        expect(malformed.length).toBeGreaterThanOrEqual(200);
    });

    it('dead-letters each malformed message once, with a reason naming its problem', () => {
        const unmatched = [...letters];
        const problems: string[] = [];
        for (const message of malformed) {
            const at = unmatched.findIndex((letter) => letterKey(letter) === message.key);
            const letter = unmatched[at];
            if (letter === undefined) {
                problems.push(`${message.kind} (${message.key.slice(0, 60)}): no dead letter`);
                continue;
            }
            unmatched.splice(at, 1);
            if (letter.source !== 'validation' && message.kind !== 'huge text') {
                problems.push(`${message.kind}: dead-lettered by ${letter.source}`);
            }
            if (!message.reason.test(letter.reason)) {
                problems.push(`${message.kind} (${message.key.slice(0, 60)}): reason "${letter.reason.slice(0, 300)}" does not match ${String(message.reason)}`);
            }
        }
        expect(problems).toEqual([]);
        expect(unmatched.map((letter) => `${letterKey(letter).slice(0, 60)}: ${letter.reason.slice(0, 200)}`)).toEqual([]);
    });

    it('delivers every valid job once, in createdAt order', () => {
        expect(delivered).toEqual(validTexts);
    });

    it('puts nothing in the poison queue', () => {
        expect(listed.filter((item) => item.source === 'poison')).toEqual([]);
    });

    it('never exceeds any sliding window', () => {
        expect(scenario.sim.violations(WEBHOOK)).toEqual([]);
    });

    it('stays healthy throughout and exits with 0 on SIGTERM', () => {
        expect(healthAtEnd).toBe(200);
        expect(exit).toEqual({ code: 0, signal: null });
        expect(host?.output() ?? '').not.toMatch(/Unhandled|uncaught/i);
    });
});
