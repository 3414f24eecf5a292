// Route templates and the choice of function for a request: literals, parameters, 404 and 405.
import { describe, expect, it } from 'vitest';
import { compileRoutes, selectRoute } from '../../../tools/devhost/http-server.js';
import { compileRoute } from '../../../tools/devhost/route.js';
import type { HttpFunction } from '../../../tools/devhost/triggers.js';

describe('compileRoute', () => {
    it('matches literals case-insensitively, with or without a trailing slash', () => {
        const route = compileRoute('api', 'health');
        expect(route.match('/api/health')).toEqual({});
        expect(route.match('/API/Health/')).toEqual({});
        expect(route.match('/api/health/x')).toBeUndefined();
        expect(route.match('/health')).toBeUndefined();
    });

    it('captures and decodes parameters', () => {
        expect(compileRoute('api', 'echo/{name}').match('/api/echo/J%C3%BCrgen')).toEqual({ name: 'Jürgen' });
    });

    it('matches a parameter to exactly one segment', () => {
        const route = compileRoute('api', 'items/{id}/{part}');
        expect(route.match('/api/items/7/body')).toEqual({ id: '7', part: 'body' });
        expect(route.match('/api/items/7')).toBeUndefined();
        expect(route.match('/api/items/7/body/x')).toBeUndefined();
    });

    it('refuses constraints, optional and catch-all parameters and mixed segments, which the app does not register', () => {
        for (const route of ['n/{id:int}', 'items/{id?}', 'files/{*path}', 'echo/x{name}']) {
            expect(() => compileRoute('api', route), route).toThrow(`Route "api/${route}"`);
        }
    });

    it('works without a route prefix', () => {
        expect(compileRoute('', 'mention').match('/mention')).toEqual({});
    });
});

function httpFunction(name: string, route: string, methods: string[] | undefined): HttpFunction {
    const registration = { metadata: { name, bindings: {} }, handler: () => undefined };
    return { kind: 'http', name, route, methods, authLevel: 'anonymous', handler: registration.handler, registration };
}

describe('selectRoute', () => {
    const routes = compileRoutes(
        [httpFunction('byId', 'items/{id}', ['GET']), httpFunction('special', 'items/special', ['POST']), httpFunction('any', 'any', undefined)],
        'api',
    );

    it('prefers the route with more literal segments', () => {
        const selection = selectRoute(routes, 'POST', '/api/items/special');
        expect(selection.kind === 'found' && selection.route.fn.name).toBe('special');
    });

    it('falls through to a parameter route that allows the method', () => {
        const selection = selectRoute(routes, 'GET', '/api/items/special');
        expect(selection).toMatchObject({ kind: 'found', params: { id: 'special' } });
    });

    it('reports 405 with the allowed methods when only the method is wrong', () => {
        expect(selectRoute(routes, 'DELETE', '/api/items/3')).toEqual({ kind: 'method-not-allowed', allowed: ['GET'] });
    });

    it('accepts every method when the function names none', () => {
        expect(selectRoute(routes, 'PATCH', '/api/any').kind).toBe('found');
    });

    it('reports 404 when no route matches', () => {
        expect(selectRoute(routes, 'GET', '/api/other')).toEqual({ kind: 'not-found' });
    });
});
