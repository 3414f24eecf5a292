/** What a producer's own webhook payload (Alertmanager, Grafana, Azure Monitor, GitHub) becomes: jobs without a target, or why not. */
import type { JobMention } from '../jobs.js';

/** A notification job as a converter makes it: everything but the target and the id, which the endpoint adds per alias. */
export interface ProducedJob {
    /**
     * The producer's own identity of this notification (e.g. Alertmanager's group key, status and
     * fingerprints; GitHub's delivery id). The endpoint derives each alias's job id from it, so a
     * producer's retry of the same notification is never posted twice.
     */
    readonly identity: string;
    /** The identity of the thing whose state this reports (an alert group, a workflow run, a pull request). */
    readonly updateKey?: string;
    /** The thread this notification belongs to, when it has one (a pull request's conversation). */
    readonly threadKey?: string;
    /** People to @mention. */
    readonly mentions?: readonly JobMention[];
    /**
     * Worth posting only where the card can later be updated in place (a relay-flow alias): a
     * progress notice such as a workflow run that has started. Other aliases skip it. @default false
     */
    readonly relayOnly?: boolean;
    /** A built-in card template and its data. */
    readonly card: { readonly template: string; readonly data: Readonly<Record<string, unknown>> };
}

/** The outcome of converting one request body. */
export type Conversion =
    /** One or more jobs; `labels` are the group's common labels, which `ROUTES_ALERTS` may route on. */
    | { readonly kind: 'jobs'; readonly jobs: readonly ProducedJob[]; readonly labels?: Readonly<Record<string, string>> }
    /** The body is not this producer's format: each problem names its field. */
    | { readonly kind: 'invalid'; readonly problems: readonly string[] }
    /** A well-formed event the app does not post (GitHub's other events), named for the answer: `202 {"ignored": event}`. */
    | { readonly kind: 'ignored'; readonly event: string }
    /** A check the producer makes that posts nothing (GitHub's `ping` when a hook is created): `200 {"ok": true, "event": event}`. */
    | { readonly kind: 'acknowledged'; readonly event: string };
