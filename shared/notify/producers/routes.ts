/** `ROUTES_ALERTS`: which aliases an alert goes to when the request names none, chosen by the alert group's common labels. */
import { ALIAS_PATTERN, listEntries } from '../../platform/config.js';

/** The matcher that matches every group: the fallback route. */
const MATCH_EVERYTHING = '*';

/** A Prometheus label name (Prometheus docs, "Data model": `[a-zA-Z_][a-zA-Z0-9_]*`). */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Characters of a bad entry quoted in a problem (routes hold label values and aliases, never secrets). */
const QUOTED_ENTRY_CHARS = 60;

/** One label a route requires: `name=value` (an empty value matches a label that is absent or empty, as in Prometheus). */
interface LabelMatcher {
    readonly name: string;
    readonly value: string;
}

/** One route: when every matcher holds (none: always), the alert goes to `aliases`. */
export interface AlertRoute {
    readonly matchers: readonly LabelMatcher[];
    readonly aliases: readonly string[];
}

/**
 * Parses `ROUTES_ALERTS`: routes separated by `;`, each `<matchers>:<aliases>`, where matchers are
 * `*` or `label=value` pairs joined by `,` (all must hold) and aliases are comma-separated configured
 * aliases. Blank means no routes. Problems name the entry by position and quote it.
 *
 * @example
 * parseAlertRoutes('team=db:dba;severity=critical:oncall;*:ops', ['dba', 'oncall', 'ops']).routes.length; // 3
 */
export function parseAlertRoutes(value: string, configuredAliases: Iterable<string>): { routes: AlertRoute[]; problems: string[] } {
    const known = new Set(configuredAliases);
    const routes: AlertRoute[] = [];
    const problems: string[] = [];
    const entries = value
        .split(';')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
    entries.forEach((entry, index) => {
        const where = `ROUTES_ALERTS entry ${index + 1} (${JSON.stringify(entry.slice(0, QUOTED_ENTRY_CHARS))})`;
        // Aliases hold no ':', label values may: the last ':' separates them.
        const colon = entry.lastIndexOf(':');
        if (colon === -1) {
            problems.push(`${where}: write <label>=<value>[,<label>=<value>...]:<alias>[,<alias>...] or ${MATCH_EVERYTHING}:<alias>`);
            return;
        }
        const matcherText = entry.slice(0, colon).trim();
        const aliases = listEntries(entry.slice(colon + 1)).map((alias) => alias.toLowerCase());
        const matchers: LabelMatcher[] = [];
        if (matcherText !== MATCH_EVERYTHING) {
            for (const pair of matcherText.split(',')) {
                const equals = pair.indexOf('=');
                const name = equals === -1 ? '' : pair.slice(0, equals).trim();
                if (!LABEL_NAME.test(name)) {
                    problems.push(`${where}: "${pair.trim().slice(0, QUOTED_ENTRY_CHARS)}" is not <label>=<value> with a label name of letters, digits and '_'`);
                    return;
                }
                matchers.push({ name, value: pair.slice(equals + 1).trim() });
            }
        }
        if (aliases.length === 0) {
            problems.push(`${where}: names no alias after the ':'`);
            return;
        }
        const unknown = aliases.filter((alias) => !ALIAS_PATTERN.test(alias) || !known.has(alias));
        if (unknown.length > 0) {
            problems.push(`${where}: unknown alias ${unknown.map((alias) => `"${alias.slice(0, QUOTED_ENTRY_CHARS)}"`).join(', ')} (set TEAMS_WEBHOOK_<ALIAS> for each)`);
            return;
        }
        routes.push(Object.freeze({ matchers: Object.freeze(matchers), aliases: Object.freeze([...new Set(aliases)]) }));
    });
    return { routes, problems };
}

/**
 * The aliases of the first route whose matchers all hold on `labels`, or `undefined` when none does.
 *
 * @example
 * routeByLabels(routes, { team: 'db', severity: 'warning' }); // ['dba']
 */
export function routeByLabels(routes: readonly AlertRoute[], labels: Readonly<Record<string, string>>): readonly string[] | undefined {
    const matched = routes.find((route) => route.matchers.every(({ name, value }) => (Object.hasOwn(labels, name) ? labels[name] : '') === value));
    return matched?.aliases;
}
