// Matches request paths against Functions route templates of literal segments and whole-segment {param}s.

/** A compiled route template. */
export interface RouteMatcher {
    /** The full template including the route prefix, e.g. `api/echo/{name}`. */
    readonly template: string;
    /** Literal segments, used to prefer the most specific route when several match. */
    readonly literalSegments: number;
    /** The decoded route parameters when `pathname` matches, else `undefined`. */
    match(pathname: string): Record<string, string> | undefined;
}

/** A segment that is one route parameter and nothing else, e.g. `{name}`. */
const PARAMETER_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

function escapeLiteral(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a route template (after the prefix) into a matcher; literals match case-insensitively. The
 * app registers literal routes only; a whole segment `{name}` is a parameter. Constraints (`{id:int}`),
 * optional (`{id?}`) and catch-all (`{*path}`) parameters, which the app does not use, are refused.
 * @throws {Error} naming the template when it uses one of them.
 * @example compileRoute('api', 'echo/{name}').match('/api/echo/bob') // { name: 'bob' }
 */
export function compileRoute(routePrefix: string, route: string): RouteMatcher {
    const template = [routePrefix, route]
        .map((part) => part.replace(/^\/+|\/+$/g, ''))
        .filter((part) => part !== '')
        .join('/');
    const names: string[] = [];
    let pattern = '^';
    let literalSegments = 0;
    for (const segment of template.split('/').filter((part) => part !== '')) {
        const parameter = PARAMETER_SEGMENT.exec(segment)?.[1];
        if (parameter !== undefined) {
            names.push(parameter);
            pattern += '/([^/]+)';
        } else if (/[{}]/.test(segment)) {
            throw new Error(`Route "${template}": the local host matches literal segments and whole-segment {name} parameters only`);
        } else {
            literalSegments += 1;
            pattern += `/${escapeLiteral(segment)}`;
        }
    }
    const regex = new RegExp(`${pattern}/?$`, 'i');
    return {
        template,
        literalSegments,
        match(pathname: string): Record<string, string> | undefined {
            const found = regex.exec(pathname === '' ? '/' : pathname);
            if (!found) return undefined;
            const params: Record<string, string> = {};
            names.forEach((name, index) => {
                const value = found[index + 1] ?? '';
                try {
                    params[name] = decodeURIComponent(value);
                } catch {
                    params[name] = value;
                }
            });
            return params;
        },
    };
}
