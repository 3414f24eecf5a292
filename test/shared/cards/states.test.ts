// What cards show by colour (alert severity, deployment/build/incident status) and whom they mention (pull-request reviewers).
import { describe, expect, it } from 'vitest';
import { ALERT_RESOLVED_LOOK, ALERT_SEVERITIES, ALERT_SEVERITY_LOOK } from '../../../shared/cards/templates/alert.js';
import { BUILD_STATUSES, BUILD_STATUS_LOOK } from '../../../shared/cards/templates/build.js';
import { DEPLOYMENT_STATUSES, DEPLOYMENT_STATUS_LOOK } from '../../../shared/cards/templates/deployment.js';
import { INCIDENT_STATUSES, INCIDENT_STATUS_LOOK } from '../../../shared/cards/templates/incident.js';
import { catalogEntry, headerStyle, nodesOfType, renderValid, textBlockTexts } from './card-json.js';

/** Every `<at>...</at>` in a text, in order. */
const MENTION = /<at>.*?<\/at>/g;

describe('alert colour', () => {
    it.each(ALERT_SEVERITIES)('follows severity %s in the header band and the label', async (severity) => {
        const card = await renderValid('alert', { title: 'Disk full', severity });
        const look = ALERT_SEVERITY_LOOK[severity];
        expect(headerStyle(card)).toBe(look.colour);
        const label = nodesOfType(card, 'TextBlock')[0];
        expect(label).toMatchObject({ color: look.colour, text: `${look.icon} ${severity.toUpperCase()}` });
    });

    it('is red for critical and amber for high', () => {
        expect([ALERT_SEVERITY_LOOK.critical.colour, ALERT_SEVERITY_LOOK.high.colour]).toEqual(['attention', 'warning']);
    });

    it('turns green with a tick when the alert is resolved, keeping the severity in the label', async () => {
        const card = await renderValid('alert', { title: 'Disk full', severity: 'critical', status: 'resolved' });
        expect(headerStyle(card)).toBe(ALERT_RESOLVED_LOOK.colour);
        expect(textBlockTexts(card)[0]).toBe(`${ALERT_RESOLVED_LOOK.icon} RESOLVED · CRITICAL`);
    });
});

describe('status colour', () => {
    it.each(DEPLOYMENT_STATUSES)('of a deployment that %s', async (status) => {
        const card = await renderValid('deployment', { service: 'api', status });
        expect(headerStyle(card)).toBe(DEPLOYMENT_STATUS_LOOK[status].colour);
        expect(textBlockTexts(card)[0]).toMatch(new RegExp(`^${DEPLOYMENT_STATUS_LOOK[status].icon} api`, 'u'));
    });

    it.each(BUILD_STATUSES)('of a build that %s', async (status) => {
        const card = await renderValid('build', { pipeline: 'api CI', status, runNumber: 12 });
        expect(headerStyle(card)).toBe(BUILD_STATUS_LOOK[status].colour);
        expect(textBlockTexts(card)[0]).toBe(`${BUILD_STATUS_LOOK[status].icon} api CI #12 ${status}`);
    });

    it.each(INCIDENT_STATUSES)('of an incident %s', async (status) => {
        const card = await renderValid('incident', { title: 'Sign-in failing', status, id: 'INC-1' });
        expect(headerStyle(card)).toBe(INCIDENT_STATUS_LOOK[status].colour);
        expect(textBlockTexts(card)[0]).toBe(`${INCIDENT_STATUS_LOOK[status].icon} ${status.toUpperCase()} · INC-1`);
    });

    it('is green for a deployment without a status, which is announced as done', async () => {
        const card = await renderValid('deployment', { service: 'api' });
        expect(headerStyle(card)).toBe(DEPLOYMENT_STATUS_LOOK.succeeded.colour);
    });
});

describe('pull-request mentions', () => {
    it('has one mention entity per reviewer, each matching an <at> text in the card', async () => {
        const example = catalogEntry('pull-request').example;
        const card = await renderValid('pull-request', example);
        const atTexts = textBlockTexts(card).flatMap((text) => text.match(MENTION) ?? []);
        const entities = (card['msteams'] as { entities: { type: string; text: string; mentioned: unknown }[] }).entities;
        expect(atTexts).toEqual(['<at>Ada Lovelace</at>', '<at>Alan Turing</at>']);
        expect(entities.map((entity) => entity.text)).toEqual(atTexts);
        expect(entities).toEqual([
            { type: 'mention', text: '<at>Ada Lovelace</at>', mentioned: { id: 'ada@contoso.com', name: 'Ada Lovelace' } },
            { type: 'mention', text: '<at>Alan Turing</at>', mentioned: { id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', name: 'Alan Turing' } },
        ]);
    });

    it('mentions nobody and shows no <at> text without reviewers', async () => {
        const card = await renderValid('pull-request', { repo: 'contoso/api', number: 7, title: 'Fix typo' });
        expect(JSON.stringify(card)).not.toContain('<at>');
        expect(card['msteams']).toEqual({ width: 'Full', entities: [] });
    });

    it('shows branches and the size of the change', async () => {
        const card = await renderValid('pull-request', { repo: 'r', number: 1, title: 't', sourceBranch: 'feature/x', targetBranch: 'main', additions: 0, deletions: 3 });
        expect(textBlockTexts(card)).toEqual(expect.arrayContaining(['`feature/x` → `main`', '+0', '−3']));
    });
});
