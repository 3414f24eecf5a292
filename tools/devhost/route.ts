// Matches request paths against Functions route templates: literals, {param}, {param?}, {param:int}, {*rest}.

/** A compiled route template. */
export interface RouteMatcher {
    /** The full template including the route prefix, e.g. `api/echo/{name}`. */
    readonly template: string;
    /** Literal segments, used to prefer the most specific route when several match. */
    readonly literalSegments: number;
    /** The decoded route parameters when `pathname` matches, else `undefined`. */
    match(pathname: string): Record<string, string> | undefined;
}

/** Inline constraints the local host understands (ASP.NET Core route constraints); others match any segment. */
const CONSTRAINTS: Readonly<Record<string, string>> = {
    int: '-?\\d+',
    long: '-?\\d+',
    alpha: '[A-Za-z]+',
    bool: '(?:true|false)',
    guid: '[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}',
};

const PARAMETER = /\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+)(?:\([^)]*\))?)?(\?)?\}/g;

function escapeLiteral(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a route template (after the prefix) into a matcher; literals match case-insensitively.
 * @example compileRoute('api', 'echo/{name?}').match('/api/echo/bob') // { name: 'bob' }
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
        const whole = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+(?:\([^)]*\))?)?(\?)?\}$/.exec(segment);
        if (whole?.[1] === '*') {
            names.push(whole[2] ?? '');
            pattern += '(?:/(.*))?';
            continue;
        }
        if (whole?.[3] === '?') {
            names.push(whole[2] ?? '');
            const constraint = /:([A-Za-z]+)/.exec(segment)?.[1];
            pattern += `(?:/(${CONSTRAINTS[constraint ?? ''] ?? '[^/]+'}))?`;
            continue;
        }
        let segmentPattern = '';
        let last = 0;
        let hasParameter = false;
        for (const match of segment.matchAll(PARAMETER)) {
            hasParameter = true;
            segmentPattern += escapeLiteral(segment.slice(last, match.index));
            names.push(match[2] ?? '');
            segmentPattern += `(${CONSTRAINTS[match[3] ?? ''] ?? '[^/]+'})`;
            last = match.index + match[0].length;
        }
        segmentPattern += escapeLiteral(segment.slice(last));
        if (!hasParameter) literalSegments += 1;
        pattern += `/${segmentPattern}`;
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
                const value = found[index + 1];
                if (value !== undefined) {
                    try {
                        params[name] = decodeURIComponent(value);
                    } catch {
                        params[name] = value;
                    }
                }
            });
            return params;
        },
    };
}
