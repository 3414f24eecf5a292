// Template data validation: every problem names its field as card.data.<path>, defaults are applied, enqueueing refuses bad data.
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { CARD_CATALOG, checkCardData, validateCardData } from '../../../shared/cards/catalog.js';
import { ClientError } from '../../../shared/platform/errors.js';
import { enqueueNotification } from '../../../shared/notify/producer.js';

/** Azurite's well-known development connection string; the refused jobs below never reach it. */
const UNUSED_STORAGE = 'UseDevelopmentStorage=true';

describe('validateCardData', () => {
    it.each([...CARD_CATALOG.values()])("accepts the $name template's example data", (entry) => {
        expect(validateCardData(entry.name, entry.example)).toMatchObject({ ok: true });
    });

    it.each([
        ['message', {}, 'card.data.title: required by the "message" template'],
        ['alert', { title: 'Disk full' }, 'card.data.severity: required by the "alert" template'],
        ['alert', { title: 'Disk full', severity: 'urgent' }, 'card.data.severity: Invalid option: expected one of "critical"|"high"|"medium"|"low"|"info"'],
        ['alert', { title: 42, severity: 'high' }, 'card.data.title: Invalid input: expected string, received number'],
        ['alert', { title: 'x', severity: 'high', url: 'javascript:alert(1)' }, 'card.data.url: must be an http(s) URL'],
        ['deployment', { service: 'api', status: 'done' }, 'card.data.status: Invalid option'],
        ['deployment', { service: 'api', changes: 'one change' }, 'card.data.changes: Invalid input: expected array'],
        ['build', { pipeline: 'ci', status: 'failed', duration: true }, 'card.data.duration: must be a text such as "4m 12s" or whole seconds'],
        ['build', { pipeline: 'ci', status: 'failed', duration: -5 }, 'card.data.duration: Too small: expected number to be >=0'],
        ['incident', { title: 'x', status: 'fixed' }, 'card.data.status: Invalid option'],
        ['pull-request', { repo: 'r', title: 't', number: '12' }, 'card.data.number: must be a whole number'],
        ['pull-request', { repo: 'r', title: 't', number: 1, reviewers: [{ name: 'Ada' }] }, 'card.data.reviewers.0.id: required by the "pull-request" template'],
        ['facts', { title: 'x', facts: [] }, 'card.data.facts: needs at least one fact'],
        ['facts', { title: 'x', facts: [{ name: 'a', value: { nested: true } }] }, 'card.data.facts.0.value: must be a string, a number or a boolean'],
        ['message', { title: 'x', links: [{ title: 'Open', url: 'ftp://files' }] }, 'card.data.links.0.url: must be an http(s) URL'],
        ['digest', { title: 'x', items: [] }, 'card.data.items: needs at least one item'],
        ['digest', { title: 'x', items: [{ title: 'a', card: { type: 'Card' } }] }, 'card.data.items.0.card.type: must be "AdaptiveCard"'],
    ])('refuses %s data %j, naming the field', (template, data, expected) => {
        const result = validateCardData(template, data);
        expect(result.ok).toBe(false);
        expect(result.ok ? [] : result.problems).toContainEqual(expect.stringContaining(expected));
    });

    it('refuses an embedded card with an action other than Action.OpenUrl', () => {
        const card = { type: 'AdaptiveCard', body: [{ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Approve' }] }] };
        expect(checkCardData('digest', { title: 'x', items: [{ title: 'a', card }] })).toEqual([
            'card.data.items.0.card: only Action.OpenUrl actions are allowed, found Action.Submit',
        ]);
    });

    it('reports every problem at once', () => {
        expect(checkCardData('pull-request', {})).toEqual([
            'card.data.repo: required by the "pull-request" template',
            'card.data.number: required by the "pull-request" template',
            'card.data.title: required by the "pull-request" template',
        ]);
    });

    it('names the unknown template and the known ones', () => {
        expect(checkCardData('nope', {})).toEqual([`card.template: unknown template "nope" (known: ${[...CARD_CATALOG.keys()].join(', ')})`]);
    });

    it('returns the data parsed, defaults applied', () => {
        expect(validateCardData('alert', { title: 'Disk full', severity: 'low' })).toEqual({ ok: true, data: { title: 'Disk full', severity: 'low', status: 'firing' } });
        expect(validateCardData('deployment', { service: 'api' })).toEqual({ ok: true, data: { service: 'api', status: 'succeeded' } });
    });

    it('tolerates fields it does not know and leaves them out of the parsed data', () => {
        expect(validateCardData('message', { title: 'Hi', colour: 'red' })).toEqual({ ok: true, data: { title: 'Hi' } });
    });

    it('returns no problems for valid data', () => {
        expect(checkCardData('message', { title: 'Hi' })).toEqual([]);
    });
});

describe('enqueueNotification with a card', () => {
    it('refuses a job whose card data fails its template, naming the field, before touching the queue', async () => {
        const queue = new QueueClient(UNUSED_STORAGE, 'never-used');
        const sending = enqueueNotification({ to: 'ops', card: { template: 'alert', data: { title: 'Disk full', severity: 'urgent' } } }, { queue });
        await expect(sending).rejects.toBeInstanceOf(ClientError);
        await expect(sending).rejects.toThrow(/card\.data\.severity: Invalid option/);
    });

    it('refuses a job naming an unknown template', async () => {
        const queue = new QueueClient(UNUSED_STORAGE, 'never-used');
        await expect(enqueueNotification({ to: 'ops', card: { template: 'nope' } }, { queue })).rejects.toThrow(/card\.template: unknown template "nope"/);
    });
});
