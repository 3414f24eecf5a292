/** Shared test fixtures: simulators stopped after each test, a manual clock, payload builders. */
import { afterEach } from 'vitest';
import { startTeamsSimulator, type TeamsSimulator, type TeamsSimulatorOptions } from '../../../tools/simulator/index.js';

/** Epoch ms of a whole day boundary, so offsets read naturally (2023-11-15T00:00:00Z). */
export const DAY_START = 1_700_006_400_000;
/** `contentType` of an Adaptive Card attachment. */
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** A clock tests move by hand; the simulator reads it through `read`. */
export class ManualClock {
    now: number;

    constructor(start = DAY_START) {
        this.now = start;
    }

    readonly read = (): number => this.now;

    advance(ms: number): void {
        this.now += ms;
    }
}

/** Returns a starter whose simulators are all stopped after each test of the calling file. */
export function useSimulators(): (options?: TeamsSimulatorOptions) => Promise<TeamsSimulator> {
    const running: TeamsSimulator[] = [];
    afterEach(async () => {
        await Promise.all(running.splice(0).map((simulator) => simulator.stop()));
    });
    return async function startForTest(options?: TeamsSimulatorOptions): Promise<TeamsSimulator> {
        const simulator = await startTeamsSimulator(options);
        running.push(simulator);
        return simulator;
    };
}

/** The answer of one POST, read completely. */
export interface PostAnswer {
    readonly status: number;
    readonly text: string;
    readonly contentType: string | null;
}

/** POSTs a body (an object is sent as JSON, a string as is) with real `fetch`. */
export async function post(url: string, body: unknown): Promise<PostAnswer> {
    const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}

/** The Adaptive Card envelope around one card, with `"contentUrl": null` as Workflows require. */
export function envelope(content: unknown): Record<string, unknown> {
    return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content }] };
}

/** A minimal Adaptive Card of the given version. */
export function card(version = '1.4', extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version,
        body: [{ type: 'TextBlock', text: 'Deployed **api** v2.3', wrap: true }],
        ...extra,
    };
}

/** A `{"text": ...}` body of exactly `bytes` UTF-8 bytes. */
export function textBodyOfSize(bytes: number): string {
    const frame = JSON.stringify({ text: '' });
    return JSON.stringify({ text: 'x'.repeat(bytes - Buffer.byteLength(frame)) });
}
