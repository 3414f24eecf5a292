/**
 * The one pipeline behind every `POST /api/hooks/<producer>`: read the body within 1 MiB, verify it
 * when the producer signs, parse, convert, choose the aliases (`?to=`, else `ROUTES_ALERTS`), give
 * each alias × job a stable id, check every job as `POST /api/notifications` does, enqueue, answer.
 */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { createQueueClient } from '../../platform/azure.js';
import { ALIAS_PATTERN } from '../../platform/config.js';
import { ClientError, MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES, nestingProblem, readBodyWithin, toErrorResponse, trackEvent } from '../../platform/index.js';
import { checkJob } from '../accept.js';
import { MAX_CORRELATION_KEY_LENGTH, MAX_JOB_ID_LENGTH, type NotificationJob, stampCreatedAt } from '../jobs.js';
import { enqueueNotification } from '../producer.js';
import type { NotifyConfig } from '../settings.js';
import type { Conversion, ProducedJob } from './conversion.js';
import { routeByLabels } from './routes.js';
import { webhookKey } from '../webhook-target.js';

/** What a producer's converter and signature check may read of the request besides the body. */
export interface ProducerInput {
    /** A request header by name (case-insensitive), or `undefined`. */
    readonly header: (name: string) => string | undefined;
    /** The notify flow's sections of the configuration (e.g. a login-to-UPN map, a signing secret). */
    readonly config: NotifyConfig;
}

/** A producer the app accepts in its own webhook format at `POST /api/hooks/<name>`. */
export interface ProducerEndpoint {
    /** The route's last segment and the first part of every job id, e.g. `alertmanager`. */
    readonly name: string;
    /** What the body must be, for a 400's message, e.g. `an Alertmanager webhook notification`. */
    readonly format: string;
    /** Whether `ROUTES_ALERTS` chooses the aliases when the request has no `?to=` (alert producers). */
    readonly routesAlerts: boolean;
    /**
     * Checks the request's signature over the raw body, before anything is parsed.
     *
     * @throws {ClientError} with status 401 when the request is not signed as it must be.
     */
    readonly verify?: (rawBody: Buffer, input: ProducerInput) => void;
    /** The body (parsed JSON) as jobs, or why not. Pure. */
    readonly convert: (body: unknown, input: ProducerInput) => Conversion | Promise<Conversion>;
}

/** Puts one checked job on the notifications queue. */
export type EnqueueJob = (job: NotificationJob, config: NotifyConfig) => Promise<void>;

/** What {@link answerProducerHook} uses: the configuration, and what tests may replace. */
export interface ProducerHookDeps {
    /**
     * The process's configuration, or how to read it (`getConfig` of `shared/config.ts`), which is
     * then called inside the answer's error handling: a configuration problem answers a generic 500.
     */
    readonly config: NotifyConfig | (() => NotifyConfig);
    /** @default enqueueNotification on the configured notifications queue */
    readonly enqueue?: EnqueueJob;
}

/** Hex digits of the identity's SHA-256 kept in a job id: 160 bits, far from any collision. */
const ID_HASH_HEX_CHARS = 40;

// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The id of the job one producer notification makes for one alias: `<producer>.<alias>.<hash>`,
 * the hash taken over the producer's identity of the notification, so a retry of the same
 * notification gets the same id (and is not posted twice) and each alias its own. At most
 * {@link MAX_JOB_ID_LENGTH} characters, none of them `/ \ # ?`.
 *
 * @example
 * producerJobId('alertmanager', 'ops', '{}:{alertname="Down"}|firing|…'); // 'alertmanager.ops.3f9c…'
 */
export function producerJobId(producer: string, alias: string, identity: string): string {
    const id = `${producer}.${alias}.${sha256Hex(identity).slice(0, ID_HASH_HEX_CHARS)}`;
    if (id.length > MAX_JOB_ID_LENGTH) {
        throw new RangeError(`A producer job id is ${id.length} characters, over ${MAX_JOB_ID_LENGTH}`);
    }
    return id;
}

/**
 * `updateKey` / `threadKey` as a job may carry it: as given when it fits the schema (1–128
 * characters, no control characters), else `<producer>:` and its SHA-256, which is as stable.
 */
export function correlationKeyFor(producer: string, key: string): string {
    return key !== '' && key.length <= MAX_CORRELATION_KEY_LENGTH && !CONTROL_CHARACTERS.test(key) ? key : `${producer}:${sha256Hex(key)}`;
}

/**
 * The aliases a request goes to: those `to` names (comma-separated, possibly repeated as several
 * `to` parameters), else for alert producers the first `ROUTES_ALERTS` route matching the group's
 * common labels.
 *
 * @throws {ClientError} `bad_target` (400) naming every unknown alias, an entry that is not an
 * alias at all (never quoted: it may be a webhook URL), or that neither `to` nor a route chose one.
 */
export function resolveProducerAliases(
    to: readonly string[],
    labels: Readonly<Record<string, string>> | undefined,
    routesAlerts: boolean,
    config: Pick<NotifyConfig, 'targets'>,
): string[] {
    const configured = [...config.targets.webhooks.keys()];
    const known = configured.length === 0 ? 'none' : configured.join(', ');
    if (to.length > 0) {
        const entries = to.flatMap((value) => value.split(',')).map((entry) => entry.trim());
        const problems: string[] = [];
        const aliases: string[] = [];
        entries.forEach((entry, index) => {
            const alias = entry.toLowerCase();
            if (!ALIAS_PATTERN.test(alias)) {
                problems.push(`to: entry ${index + 1} is not an alias (1-64 letters, digits, '_' or '-'); {url} targets are not accepted here`);
            } else if (!config.targets.webhooks.has(alias)) {
                problems.push(`to: unknown alias "${alias}" (configured: ${known}; set TEAMS_WEBHOOK_${alias.toUpperCase()})`);
            } else if (!aliases.includes(alias)) {
                aliases.push(alias);
            }
        });
        if (problems.length > 0) {
            throw new ClientError('bad_target', problems.join('; '));
        }
        return aliases;
    }
    if (!routesAlerts) {
        throw new ClientError('bad_target', `to: name the alias(es) to post to, e.g. ?to=ops or ?to=ops,dba (configured: ${known})`);
    }
    const routed = routeByLabels(config.targets.alertRoutes, labels ?? {});
    if (routed === undefined) {
        throw new ClientError(
            'bad_target',
            config.targets.alertRoutes.length === 0
                ? `to: name the alias(es) to post to (?to=ops), or set ROUTES_ALERTS to route by labels (configured aliases: ${known})`
                : 'to: no alias given, and no ROUTES_ALERTS route matches the common labels (add a final *:<alias> route, or name ?to=)',
        );
    }
    return [...routed];
}

/** The job one produced notification makes for one alias, with its stable id and a fresh `createdAt`. */
export function producerJob(producer: string, alias: string, produced: ProducedJob): NotificationJob {
    return {
        id: producerJobId(producer, alias, produced.identity),
        createdAt: stampCreatedAt(),
        to: alias,
        card: { template: produced.card.template, data: { ...produced.card.data } },
        ...(produced.mentions === undefined || produced.mentions.length === 0 ? {} : { mentions: [...produced.mentions] }),
        ...(produced.updateKey === undefined ? {} : { updateKey: correlationKeyFor(producer, produced.updateKey) }),
        ...(produced.threadKey === undefined ? {} : { threadKey: correlationKeyFor(producer, produced.threadKey) }),
    };
}

let cachedQueue: { readonly config: NotifyConfig; readonly client: QueueClient } | undefined;

/** The default {@link EnqueueJob}: the configured notifications queue, created on first use. */
const enqueueOnQueue: EnqueueJob = async function enqueueOnQueue(job, config) {
    if (cachedQueue?.config !== config) {
        cachedQueue = { config, client: createQueueClient(config.storage, config.queues.notifications) };
    }
    await enqueueNotification(job, { queue: cachedQueue.client, config });
};

/**
 * Answers one producer request: `202 {"ids": [...]}` once every job is on the queue; `202
 * {"ignored": "<event>"}` or `200` for events that post nothing; `400` naming what is wrong (not
 * JSON, not the producer's format, unknown or missing aliases, a job that would fail at send time);
 * `401` from the producer's signature check; `413` over 1 MiB; `500` (never described) when the
 * queue fails, so the producer retries, and the same ids make its retry harmless.
 *
 * @example
 * export const hooksAlertmanager = (request, context) => answerProducerHook(alertmanagerProducer, request, context);
 */
export async function answerProducerHook(
    producer: ProducerEndpoint,
    request: HttpRequest,
    context: InvocationContext,
    deps: ProducerHookDeps,
): Promise<HttpResponseInit> {
    try {
        const config = typeof deps.config === 'function' ? deps.config() : deps.config;
        const input: ProducerInput = { header: (name) => request.headers.get(name) ?? undefined, config };
        const raw = await readBodyWithin(request, MAX_REQUEST_BODY_BYTES);
        producer.verify?.(raw, input);
        let body: unknown;
        try {
            body = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
            throw new ClientError('bad_json', 'The body is not valid JSON');
        }
        const tooDeep = nestingProblem(body, MAX_JSON_DEPTH);
        if (tooDeep !== undefined) {
            throw new ClientError('bad_json', `The body is nested too deeply: ${tooDeep}`);
        }
        const conversion = await producer.convert(body, input);
        if (conversion.kind === 'invalid') {
            return { status: 400, jsonBody: { error: 'invalid_payload', message: `The body is not ${producer.format}`, problems: conversion.problems } };
        }
        if (conversion.kind === 'ignored') {
            return { status: 202, jsonBody: { ignored: conversion.event } };
        }
        if (conversion.kind === 'acknowledged') {
            return { status: 200, jsonBody: { ok: true, event: conversion.event } };
        }
        const aliases = resolveProducerAliases(request.query.getAll('to'), conversion.labels, producer.routesAlerts, config);
        // A progress notice goes only to aliases that can update its card later (relay flows).
        const relayAlias = (alias: string): boolean => {
            const url = config.targets.webhooks.get(alias);
            return url !== undefined && config.targets.relayFlows.has(webhookKey(url));
        };
        const jobs = aliases.flatMap((alias) =>
            conversion.jobs.filter((produced) => produced.relayOnly !== true || relayAlias(alias)).map((produced) => ({ alias, job: producerJob(producer.name, alias, produced) })),
        );
        const problems: string[] = [];
        for (const { alias, job } of jobs) {
            const checked = await checkJob(job, config);
            if (!checked.ok) {
                problems.push(...checked.problems.map((problem) => `${alias}: ${problem}`));
            }
        }
        if (problems.length > 0) {
            return { status: 400, jsonBody: { error: 'unsendable', message: `The body is ${producer.format}, but it makes a job Teams would refuse`, problems } };
        }
        const enqueue = deps.enqueue ?? enqueueOnQueue;
        await Promise.all(jobs.map(({ job }) => enqueue(job, config)));
        for (const { alias, job } of jobs) {
            trackEvent(context, 'enqueued', { jobId: job.id, alias, producer: producer.name });
        }
        return { status: 202, jsonBody: { ids: jobs.map(({ job }) => job.id) } };
    } catch (thrown) {
        return toErrorResponse(thrown, context);
    }
}
