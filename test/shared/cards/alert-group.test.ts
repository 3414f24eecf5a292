// The alert card's group parts: one line per alert, the note on what was left out, and an https image.
import { describe, expect, it } from 'vitest';
import { validateCardData } from '../../../shared/cards/catalog.js';
import { validateCard } from '../../../shared/cards/validate.js';
import { nodesOfType, renderValid, textBlockTexts } from './card-json.js';

describe('alert card with a group of alerts', () => {
    it('lists each alert with its status icon, its title linked to its URL, and its text', async () => {
        const card = await renderValid('alert', {
            title: 'HighLatency',
            severity: 'high',
            alerts: [
                { title: 'instance=api-1', url: 'https://prometheus.example.com/graph?g0.expr=x', text: 'since 10:02 UTC' },
                { title: 'instance=api-2', status: 'resolved' },
            ],
            note: '3 more alerts not shown',
        });
        const texts = textBlockTexts(card);
        expect(texts).toContain('🔥 [instance=api-1](https://prometheus.example.com/graph?g0.expr=x)');
        expect(texts).toContain('since 10:02 UTC');
        expect(texts).toContain('✅ instance=api-2');
        expect(texts).toContain('3 more alerts not shown');
        expect(texts.some((text) => text.includes('${'))).toBe(false);
        expect(await validateCard(card, { destination: 'workflows' })).toEqual([]);
    });

    it('leaves the alert lines, the note and the image out when there are none', async () => {
        const card = await renderValid('alert', { title: 'Disk full', severity: 'critical' });
        expect(JSON.stringify(card)).not.toContain('${');
        expect(nodesOfType(card, 'Image')).toEqual([]);
        expect(textBlockTexts(card)).toHaveLength(2);
    });

    it('shows an https image, and refuses an http one', async () => {
        const card = await renderValid('alert', { title: 'CPU', severity: 'info', imageUrl: 'https://grafana.example.com/render/a.png' });
        expect(nodesOfType(card, 'Image')).toEqual([{ type: 'Image', url: 'https://grafana.example.com/render/a.png', altText: 'CPU', size: 'Stretch' }]);
        const http = validateCardData('alert', { title: 'CPU', severity: 'info', imageUrl: 'http://grafana.example.com/a.png' });
        expect(http.ok).toBe(false);
    });
});
