/** `teams-relay send`: build a notification job from flags, validate it and put it on the notifications queue. */
import { ClientError } from '../../../shared/platform/index.js';
import { validateJob } from '../../../shared/notify/index.js';
import { enqueueNotification } from '../../../shared/notify/azure.js';
import { defineCliCommand, EXIT, exactlyOne, parseFlagJson, readFlagFile, type VerbValues, type CliIo } from '../command.js';
import { useCliCardTemplates } from '../settings.js';

/** `--to` values that are webhook URLs rather than aliases (the job schema's `{ "url": "https://..." }` targets, README "The notification job"). */
const URL_TARGET = /^http/i;

/** `--created-at` given as epoch milliseconds rather than ISO 8601. */
const EPOCH_MS = /^\d+$/;

/** `--data @file` reads the JSON from a file, as curl does. */
const FILE_PREFIX = '@';

const OPTIONS = {
    to: { type: 'string' },
    text: { type: 'string' },
    card: { type: 'string' },
    data: { type: 'string' },
    'adaptive-card': { type: 'string' },
    'message-card': { type: 'string' },
    id: { type: 'string' },
    'created-at': { type: 'string' },
    json: { type: 'boolean' },
} as const;

const CONTENT_FLAGS = ['text', 'card', 'adaptive-card', 'message-card'] as const;

const USAGE = `Usage: teams-relay send --to <alias|url>
                         (--text <markdown> | --card <template> [--data <json|@file>]
                          | --adaptive-card <file> | --message-card <file>)
                         [--id <id>] [--created-at <iso|epoch ms>] [--json]

Validates a notification job and puts it on the notifications queue (NOTIFICATIONS_QUEUE, default
"notifications", in AzureWebJobsStorage). Prints the job id.

  --to <alias|url>          a configured alias (TEAMS_WEBHOOK_<ALIAS>, a Workflows URL), or a webhook
                            URL (starts with http)
  --text <markdown>         a Markdown message
  --card <template>         a named card template, filled with --data
  --data <json|@file>       the template's data, as JSON or @ and a JSON file (default: {})
  --adaptive-card <file>    a JSON file holding a full Adaptive Card
  --message-card <file>     a JSON file holding a legacy MessageCard (retired connector URLs only)
  --id <id>                 idempotency key (default: a new UUID); a delivered id is never posted again
  --created-at <time>       when the job was created, for ordering (default: now, strictly increasing)
  --json                    print {"id", "createdAt", "messageId", "queue"} as JSON instead of the id
  -h, --help                show this help

Settings come from the environment and local.settings.json "Values" in the current directory
(the environment wins). Invalid jobs are not sent: every problem is printed, one per line (exit 2).

Webhook URLs: a Power Automate Workflows URL, from the Teams template "Post to a channel when a
webhook request is received", e.g.
  https://<env>.environment.api.powerplatform.com:443/powerautomate/automations/direct/cu/<n>/workflows/<id>/triggers/manual/paths/invoke?api-version=1&sp=...&sv=1.0&sig=...
(the older .../powerautomate/automations/direct/workflows/... and prod-NN.<region>.logic.azure.com
shapes too). Legacy connector URLs (https://<org>.webhook.office.com/webhookb2/...) still work, but
Microsoft retired them: replace them with a Workflows URL.

Examples:
  teams-relay send --to ops --text "Deployed **api** v2.3"      # TEAMS_WEBHOOK_OPS holds a Workflows URL
  teams-relay send --to ops --card deployment --data @deploy.json --id deploy-4711
  teams-relay send --to "$WORKFLOWS_URL" --text "Backup done"   # a Workflows URL itself, quoted`;

type SendValues = VerbValues<typeof OPTIONS>;

async function jsonFile(io: CliIo, flag: string, path: string): Promise<unknown> {
    const bytes = await readFlagFile(io, flag, path);
    return parseFlagJson(`${flag} ${path}`, bytes.toString('utf8'));
}

async function templateData(io: CliIo, data: string | undefined): Promise<unknown> {
    if (data === undefined) {
        return {};
    }
    return data.startsWith(FILE_PREFIX) ? await jsonFile(io, '--data', data.slice(FILE_PREFIX.length)) : parseFlagJson('--data', data);
}

/** The job the flags describe, not yet validated. */
async function jobFromFlags(values: SendValues, io: CliIo): Promise<Record<string, unknown>> {
    if (values.to === undefined) {
        throw new ClientError('usage', '--to is required: an alias such as "ops", or a webhook URL');
    }
    const content = exactlyOne(values, CONTENT_FLAGS);
    if (values.data !== undefined && content !== 'card') {
        throw new ClientError('usage', '--data goes with --card only');
    }
    const job: Record<string, unknown> = { to: URL_TARGET.test(values.to) ? { url: values.to } : values.to };
    if (values.id !== undefined) {
        job['id'] = values.id;
    }
    const createdAt = values['created-at'];
    if (createdAt !== undefined) {
        job['createdAt'] = EPOCH_MS.test(createdAt) ? Number(createdAt) : createdAt;
    }
    switch (content) {
        case 'text':
            job['text'] = values.text;
            break;
        case 'card':
            job['card'] = { template: values.card, data: await templateData(io, values.data) };
            break;
        case 'adaptive-card':
            job['adaptiveCard'] = await jsonFile(io, '--adaptive-card', values['adaptive-card'] ?? '');
            break;
        case 'message-card':
            job['messageCard'] = await jsonFile(io, '--message-card', values['message-card'] ?? '');
            break;
    }
    return job;
}

/** `teams-relay send`: see {@link USAGE}. */
export default defineCliCommand(
    { name: 'send', summary: 'enqueue a notification job (text, card template, Adaptive Card or MessageCard)', usage: USAGE, options: OPTIONS },
    async ({ values }, context) => {
        const validation = validateJob(await jobFromFlags(values, context.io));
        if (!validation.ok) {
            throw new ClientError('invalid_job', `invalid notification job:\n  - ${validation.problems.join('\n  - ')}`);
        }
        const job = validation.job;
        const config = await context.config();
        if (job.card !== undefined) {
            await useCliCardTemplates(context);
        }
        if (typeof job.to === 'string' && !config.targets.webhooks.has(job.to.toLowerCase())) {
            context.io.stderr(
                `warning: alias "${job.to}" is not configured here (TEAMS_WEBHOOK_${job.to.toUpperCase()}); the app needs it to deliver`,
            );
        }
        const openQueue = context.io.openQueue;
        const sent = await enqueueNotification(job, openQueue === undefined ? { config } : { config, openQueue });
        context.io.stdout(values.json === true ? JSON.stringify({ ...sent, queue: config.queues.notifications }) : sent.id);
        return EXIT.ok;
    },
);
