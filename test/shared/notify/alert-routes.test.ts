// ROUTES_ALERTS: parsing, validation against the configured aliases, and first-match routing on labels.
import { describe, expect, it } from 'vitest';
import { parseAlertRoutes, routeByLabels } from '../../../shared/notify/producers/routes.js';
import { loadConfig } from '../../../shared/config.js';

const ALIASES = ['dba', 'oncall', 'ops'];

describe('parseAlertRoutes', () => {
    it('reads routes in order, each with its matchers and aliases', () => {
        const { routes, problems } = parseAlertRoutes('team=db:dba; severity=critical,env=prod:oncall,ops ;*:ops', ALIASES);
        expect(problems).toEqual([]);
        expect(routes).toEqual([
            { matchers: [{ name: 'team', value: 'db' }], aliases: ['dba'] },
            { matchers: [{ name: 'severity', value: 'critical' }, { name: 'env', value: 'prod' }], aliases: ['oncall', 'ops'] },
            { matchers: [], aliases: ['ops'] },
        ]);
    });

    it('reads nothing from a blank value', () => {
        expect(parseAlertRoutes('  ;  ', ALIASES)).toEqual({ routes: [], problems: [] });
    });

    it('keeps a label value that holds a colon, since aliases never do', () => {
        const { routes } = parseAlertRoutes('instance=db-1:9100:dba', ALIASES);
        expect(routes[0]?.matchers).toEqual([{ name: 'instance', value: 'db-1:9100' }]);
    });

    it('lower-cases aliases, as TEAMS_WEBHOOK_<ALIAS> does', () => {
        expect(parseAlertRoutes('*:OPS', ALIASES).routes[0]?.aliases).toEqual(['ops']);
    });

    it('names each bad entry by position: no colon, a bad label name, no alias, an unknown alias', () => {
        const { routes, problems } = parseAlertRoutes('team=db;9x=1:ops;*:;*:ops,nobody', ALIASES);
        expect(routes).toEqual([]);
        expect(problems).toHaveLength(4);
        expect(problems[0]).toMatch(/^ROUTES_ALERTS entry 1 \("team=db"\): write/);
        expect(problems[1]).toMatch(/^ROUTES_ALERTS entry 2 .*"9x=1" is not <label>=<value>/);
        expect(problems[2]).toMatch(/^ROUTES_ALERTS entry 3 .*names no alias/);
        expect(problems[3]).toMatch(/^ROUTES_ALERTS entry 4 .*unknown alias "nobody"/);
    });
});

describe('routeByLabels', () => {
    const { routes } = parseAlertRoutes('team=db:dba;severity=critical:oncall;*:ops', ALIASES);

    it('takes the first route whose matchers all hold', () => {
        expect(routeByLabels(routes, { team: 'db', severity: 'critical' })).toEqual(['dba']);
        expect(routeByLabels(routes, { team: 'web', severity: 'critical' })).toEqual(['oncall']);
        expect(routeByLabels(routes, { team: 'web' })).toEqual(['ops']);
    });

    it('matches an empty value to an absent label, and never reads inherited properties', () => {
        const { routes: absent } = parseAlertRoutes('team=:ops;constructor=x:dba', ALIASES);
        expect(routeByLabels(absent, {})).toEqual(['ops']);
        expect(routeByLabels(absent, { team: 'db' })).toBeUndefined();
    });

    it('answers undefined when no route matches', () => {
        expect(routeByLabels(parseAlertRoutes('team=db:dba', ALIASES).routes, { team: 'web' })).toBeUndefined();
    });
});

describe('ROUTES_ALERTS in the configuration', () => {
    const webhooks = {
        TEAMS_WEBHOOK_OPS: 'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
        TEAMS_WEBHOOK_DBA: 'https://contoso.webhook.office.com/webhookb2/d/IncomingWebhook/e/f',
    };

    it('is empty when unset', () => {
        expect(loadConfig(webhooks).targets.alertRoutes).toEqual([]);
    });

    it('is parsed against the configured aliases', () => {
        expect(loadConfig({ ...webhooks, ROUTES_ALERTS: 'team=db:dba;*:ops' }).targets.alertRoutes.map((route) => route.aliases)).toEqual([['dba'], ['ops']]);
    });

    it('stops start-up naming the key when a route names an alias that is not configured', () => {
        expect(() => loadConfig({ ...webhooks, ROUTES_ALERTS: '*:oncall' })).toThrow(/ROUTES_ALERTS entry 1 .*unknown alias "oncall"/);
    });
});
