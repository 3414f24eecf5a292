// GET /api/health and the start-up check: a retired connector URL is a warning (still 200), a bad setting a 503 naming its key.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { health, loadCardTemplatesAtStart, validateConfigurationAtStart } from '../../functions/health.js';
import { CARD_CATALOG, useCustomTemplates } from '../../shared/cards/catalog.js';
import { resetConfig } from '../../shared/config.js';
import { CONNECTOR_RETIREMENT_URL, WORKFLOWS_MIGRATION_URL } from '../../shared/notify/retirement.js';

const savedEnv = { ...process.env };
const CONNECTOR = 'https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d';
const FLOW = 'https://prod-27.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t';

afterEach(() => {
    process.env = { ...savedEnv };
    resetConfig();
});

function configure(settings: Record<string, string>): void {
    process.env = { ...savedEnv, ...settings };
    resetConfig();
}

function ask(): { status: number | undefined; body: unknown } {
    const answer = health(new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' }), new InvocationContext({ functionName: 'health' }));
    return { status: answer.status, body: answer.jsonBody };
}

describe('GET /api/health', () => {
    it('answers ok without warnings when every webhook is a Workflows URL', () => {
        configure({ TEAMS_WEBHOOK_OPS: FLOW });
        expect(ask()).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('still answers 200 for a connector URL, with a warning that names the key and links the retirement and the migration', () => {
        configure({ TEAMS_WEBHOOK_OPS: CONNECTOR, TEAMS_WEBHOOK_ALERTS: FLOW });
        const { status, body } = ask();
        expect(status).toBe(200);
        const { warnings } = body as { warnings: string[] };
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain('TEAMS_WEBHOOK_OPS is an Office 365 connector URL: Microsoft retired Office 365 connectors');
        expect(warnings[0]).toContain(CONNECTOR_RETIREMENT_URL);
        expect(warnings[0]).toContain(WORKFLOWS_MIGRATION_URL);
        expect(JSON.stringify(body)).not.toContain('webhookb2');
    });

    it('answers 503 naming a bad limit setting', () => {
        configure({ LIMITS_WORKFLOWS_CONNECTION: '25/0' });
        const { status, body } = ask();
        expect(status).toBe(503);
        expect((body as { problems: string[] }).problems[0]).toMatch(/^LIMITS_WORKFLOWS_CONNECTION window 1/);
    });
});

describe('the start-up check', () => {
    it('logs the retirement warning once per start, for every connector alias', () => {
        configure({ TEAMS_WEBHOOK_OPS: CONNECTOR, TEAMS_WEBHOOK_DEV: CONNECTOR });
        const lines: string[] = [];
        validateConfigurationAtStart((line) => lines.push(line));
        expect(lines).toEqual([expect.stringContaining('TEAMS_WEBHOOK_DEV, TEAMS_WEBHOOK_OPS are Office 365 connector URLs')]);
    });

    it('logs nothing for Workflows URLs, and stops on a bad setting naming its key', () => {
        configure({ TEAMS_WEBHOOK_OPS: FLOW });
        const lines: string[] = [];
        validateConfigurationAtStart((line) => lines.push(line));
        expect(lines).toEqual([]);
        configure({ TEAMS_WEBHOOK_OPS: FLOW, TEAMS_CONNECTION_NOPE: 'ada' });
        expect(() => {
            validateConfigurationAtStart();
        }).toThrow(/TEAMS_CONNECTION_NOPE/);
    });
});

describe('the custom card templates at start', () => {
    afterEach(() => {
        useCustomTemplates([]);
    });

    it('are read from CARD_TEMPLATES_DIR into the catalog, and a bad file stops the start naming the file', async () => {
        const root = await mkdtemp(join(tmpdir(), 'teams-relay-start-'));
        try {
            await mkdir(join(root, 'cards'));
            await writeFile(join(root, 'cards', 'handover.json'), JSON.stringify({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: '${name}' }] }));
            configure({ CARD_TEMPLATES_DIR: 'cards' });
            await loadCardTemplatesAtStart(root);
            expect(CARD_CATALOG.get('handover')?.origin).toEqual({ kind: 'custom', file: join('cards', 'handover.json') });
            await writeFile(join(root, 'cards', 'broken.json'), '{');
            await expect(loadCardTemplatesAtStart(root)).rejects.toThrow(/Invalid configuration:\n {2}- cards\/broken\.json: not valid JSON/);
        } finally {
            await rm(root, { recursive: true, force: true });
        }
    });

    it('stop the start when CARD_TEMPLATES_DIR names a folder that does not exist, and are none when the default folder is absent', async () => {
        const root = await mkdtemp(join(tmpdir(), 'teams-relay-start-'));
        try {
            configure({});
            await loadCardTemplatesAtStart(root);
            expect([...CARD_CATALOG.values()].filter((entry) => entry.origin.kind === 'custom')).toEqual([]);
            configure({ CARD_TEMPLATES_DIR: 'missing' });
            await expect(loadCardTemplatesAtStart(root)).rejects.toThrow(/CARD_TEMPLATES_DIR: the folder missing .* does not exist/);
        } finally {
            await rm(root, { recursive: true, force: true });
        }
    });
});
