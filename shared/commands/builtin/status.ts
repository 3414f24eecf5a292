/** `status`: each webhook's backlog and budget, and the dead letters, as an Adaptive Card. */
import type { BudgetReport, WebhookBudget } from '../../budget/index.js';
import type { AdaptiveCard } from '../../reply/index.js';
import { defineCommand } from '../index.js';

/** Window lengths as people say them. */
const WINDOW_NAMES: Readonly<Record<number, string>> = { 1_000: '1 s', 30_000: '30 s', 3_600_000: '1 h', 7_200_000: '2 h', 86_400_000: '24 h' };

function when(epochMs: number, now: number): string {
    if (epochMs <= now) {
        return 'now';
    }
    const seconds = Math.ceil((epochMs - now) / 1000);
    return seconds < 120 ? `in ${seconds} s` : `in ${Math.ceil(seconds / 60)} min (${new Date(epochMs).toISOString().slice(11, 16)} UTC)`;
}

function webhookSection(budget: WebhookBudget, now: number): object {
    const name = budget.alias ?? `webhook ${budget.webhookKey.slice(0, 8)}`;
    const facts = [
        { title: 'Backlog', value: String(budget.backlog) },
        ...budget.windows.map((window) => ({ title: `Sent in ${WINDOW_NAMES[window.windowMs] ?? `${window.windowMs} ms`}`, value: `${window.used} / ${window.max}` })),
        { title: 'Next slot', value: when(budget.nextSlot, now) },
        ...(budget.blockedUntil > now ? [{ title: 'Throttled by Teams', value: `backing off until ${when(budget.blockedUntil, now)}` }] : []),
        { title: 'Delivered / dead', value: `${budget.delivered} / ${budget.deadLettered}` },
    ];
    return {
        type: 'Container',
        separator: true,
        items: [
            { type: 'TextBlock', text: name, weight: 'Bolder', wrap: true, color: budget.blockedUntil > now ? 'Attention' : 'Default' },
            { type: 'FactSet', facts },
        ],
    };
}

/** The status card for a budget report. Pure. */
export function statusCard(report: BudgetReport): AdaptiveCard {
    const body: object[] = [{ type: 'TextBlock', text: 'Webhook budgets', weight: 'Bolder', size: 'Medium' }];
    if (report.webhooks.length === 0) {
        body.push({ type: 'TextBlock', text: 'No webhook is configured yet: set TEAMS_WEBHOOK_<ALIAS>.', wrap: true });
    }
    body.push(...report.webhooks.map((budget) => webhookSection(budget, report.at)));
    body.push({
        type: 'TextBlock',
        text: report.deadLetters === 0 ? 'No dead letters.' : `${report.deadLetters} dead letter(s): \`npx teams-relay deadletters list\``,
        wrap: true,
        color: report.deadLetters === 0 ? 'Good' : 'Warning',
        separator: true,
    });
    return { type: 'AdaptiveCard', version: '1.4', body };
}

export default defineCommand({
    name: 'status',
    summary: 'Shows each webhook’s backlog and remaining budget, and the dead letters',
    run: async ({ now }) => {
        // Storage clients load only when someone asks: the mention path stays light.
        const [{ deliveryRuntime }, { readBudgets }] = await Promise.all([import('../../delivery/runtime.js'), import('../../budget/index.js')]);
        const runtime = await deliveryRuntime();
        const report = await readBudgets(runtime.store, runtime.config, { now: now(), guardMs: runtime.config.rateLimitGuardMs });
        return { card: statusCard(report) };
    },
});
