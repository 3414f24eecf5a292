// Every card template renders its example data, and its least data, into a card Teams and Workflows accept.
import { describe, expect, it } from 'vitest';
import { CARD_CATALOG } from '../../../shared/cards/catalog.js';
import { renderCardTemplate } from '../../../shared/cards/render.js';
import { SAFE_PAYLOAD_BYTES, WORKFLOWS_MAX_CARD_VERSION } from '../../../shared/notify/payload.js';
import { ALLOWED_REPLY_ACTION, cardActionTypes, jsonByteLength } from '../../../shared/mention/reply.js';
import { catalogEntry, nodesOfType, renderValid, textBlockTexts, versionParts } from './card-json.js';

/** The templates the gallery offers, in the order `templates` lists them. */
const TEMPLATE_NAMES = ['alert', 'deployment', 'build', 'incident', 'pull-request', 'facts', 'message', 'digest'];

/** Each template's required fields only: every optional part of the card must drop out cleanly. */
const LEAST_DATA: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
    alert: { title: 'Disk full', severity: 'high' },
    deployment: { service: 'api' },
    build: { pipeline: 'api CI', status: 'succeeded' },
    incident: { title: 'Sign-in failing', status: 'investigating' },
    'pull-request': { repo: 'contoso/api', number: 7, title: 'Fix typo' },
    facts: { title: 'Backup', facts: [{ name: 'Size', value: '1 GB' }] },
    message: { title: 'Hello' },
    digest: { title: 'ops digest', items: [{ title: 'One thing happened' }] },
};

const entries = [...CARD_CATALOG.values()];

describe('the card gallery', () => {
    it('offers every template, in order', () => {
        expect([...CARD_CATALOG.keys()]).toEqual(TEMPLATE_NAMES);
        expect(Object.keys(LEAST_DATA).sort()).toEqual([...TEMPLATE_NAMES].sort());
    });

    describe.each(entries)('$name', (entry) => {
        it('renders its example data with every binding expanded', async () => {
            const card = await renderValid(entry.name, entry.example);
            expect(JSON.stringify(card)).not.toContain('${');
            expect(JSON.stringify(card)).not.toContain('$when');
            expect(JSON.stringify(card)).not.toContain('$data');
        });

        it('renders the example the same from the data as written and as parsed', async () => {
            const raw = await renderCardTemplate(entry.template, entry.example);
            expect(raw).toEqual(await renderValid(entry.name, entry.example));
        });

        it('renders only its required fields with every binding expanded', async () => {
            const card = await renderValid(entry.name, LEAST_DATA[entry.name] ?? {});
            expect(JSON.stringify(card)).not.toContain('${');
        });

        it(`declares a card version Workflows renders (≤ ${WORKFLOWS_MAX_CARD_VERSION})`, async () => {
            const card = await renderValid(entry.name, entry.example);
            const [major, minor] = versionParts(card['version']);
            const [maxMajor, maxMinor] = versionParts(WORKFLOWS_MAX_CARD_VERSION);
            expect(major * 100 + minor).toBeLessThanOrEqual(maxMajor * 100 + maxMinor);
        });

        it(`uses only ${ALLOWED_REPLY_ACTION} actions`, async () => {
            const card = await renderValid(entry.name, entry.example);
            const types = cardActionTypes(card);
            expect(types.length).toBeGreaterThan(0);
            expect(new Set(types)).toEqual(new Set([ALLOWED_REPLY_ACTION]));
        });

        it(`stays under ${SAFE_PAYLOAD_BYTES} bytes`, async () => {
            expect(jsonByteLength(await renderValid(entry.name, entry.example))).toBeLessThan(SAFE_PAYLOAD_BYTES);
        });

        it('wraps every TextBlock, so nothing is cut off on a phone', async () => {
            const blocks = nodesOfType(await renderValid(entry.name, entry.example), 'TextBlock');
            expect(blocks.filter((block) => block['wrap'] !== true)).toEqual([]);
        });

        it('shows the example title or name in the card', async () => {
            const texts = textBlockTexts(await renderValid(entry.name, entry.example)).join('\n');
            const heading = entry.example['title'] ?? entry.example['pipeline'] ?? entry.example['service'];
            expect(texts).toContain(String(heading));
        });
    });

    it('inserts data as text and never expands bindings it holds', async () => {
        const card = await renderValid('message', { title: '${string($root)}', text: '${title}' });
        expect(textBlockTexts(card)).toEqual(['${string($root)}', '${title}']);
    });

    it('shows fact values of any JSON scalar as text', async () => {
        const card = await renderValid('facts', catalogEntry('facts').example);
        const facts = nodesOfType(card, 'FactSet').flatMap((set) => set['facts'] as unknown[]);
        expect(facts).toEqual([
            { title: 'Databases', value: '12' },
            { title: 'Size', value: '184 GB' },
            { title: 'Verified', value: 'true' },
        ]);
    });

    it('renders links as OpenUrl actions after the main link', async () => {
        const card = await renderValid('alert', catalogEntry('alert').example);
        expect(card['actions']).toEqual([
            { type: 'Action.OpenUrl', title: 'Open alert', url: 'https://grafana.example.com/alerting/grafana/cpu-high/view' },
            { type: 'Action.OpenUrl', title: 'Runbook', url: 'https://wiki.example.com/runbooks/cpu-high' },
        ]);
    });

    it('shows a duration in seconds as minutes and seconds', async () => {
        const card = await renderValid('deployment', { service: 'api', duration: 252 });
        expect(nodesOfType(card, 'FactSet')[0]?.['facts']).toContainEqual({ title: 'Duration', value: '4m 12s' });
        const short = await renderValid('deployment', { service: 'api', duration: 42 });
        expect(nodesOfType(short, 'FactSet')[0]?.['facts']).toContainEqual({ title: 'Duration', value: '42s' });
        const none = await renderValid('deployment', { service: 'api', duration: 0 });
        expect(nodesOfType(none, 'FactSet')[0]?.['facts']).toContainEqual({ title: 'Duration', value: '0s' });
    });

    it('shows a commit hash by its first 7 characters', async () => {
        const card = await renderValid('build', { pipeline: 'ci', status: 'succeeded', commit: '9f2c1e7a4b5d6c8e' });
        expect(nodesOfType(card, 'FactSet')[0]?.['facts']).toContainEqual({ title: 'Commit', value: '9f2c1e7' });
    });

    it('heads a deployment with service, version, outcome and environment', async () => {
        const card = await renderValid('deployment', { service: 'api', version: '2.3.0', environment: 'production', status: 'failed' });
        expect(textBlockTexts(card)[0]).toBe('❌ api 2.3.0 failed to deploy to production');
        expect(textBlockTexts(await renderValid('deployment', { service: 'api' }))[0]).toBe('🚀 api deployed');
    });

    it('uses the full width of the channel where it helps', async () => {
        for (const name of ['alert', 'deployment', 'build', 'incident', 'pull-request', 'digest']) {
            expect(await renderValid(name, catalogEntry(name).example), name).toMatchObject({ msteams: { width: 'Full' } });
        }
    });
});
