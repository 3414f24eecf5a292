/** `.funcignore` read exactly as Azure Functions Core Tools reads it when `func azure functionapp publish` zips a folder. */

/** Folders Core Tools never uploads, at any depth (`FileSystemHelpers.GetLocalFiles`), compared case-insensitively. */
const ALWAYS_EXCLUDED_FOLDERS = ['.git', '.vscode'] as const;

/** Files Core Tools never uploads, at any depth (`FileSystemHelpers.GetLocalFiles`), compared case-insensitively. */
const ALWAYS_EXCLUDED_FILES = ['.funcignore', '.gitignore', 'local.settings.json', 'project.lock.json'] as const;

/** Characters Core Tools escapes before turning `**` and `*` into regular expressions (`GitIgnoreParser.PrepareRegexPattern`). */
const ESCAPED_CHARACTERS = /[-[\]/{}()+?.\\^$|]/g;

/** A regular expression that matches nothing, used by Core Tools for an empty rule list. */
const MATCHES_NOTHING = /$^/;

/** The compiled rules of one `.funcignore`. */
export interface FuncignoreRules {
    /**
     * Whether Core Tools uploads the file at `path` (relative to the app folder, forward slashes).
     * @example compileFuncignore('test/\n').accepts('test/a.js') // false
     */
    accepts(path: string): boolean;
}

function toPatternSource(pattern: string): string {
    return pattern.replace(ESCAPED_CHARACTERS, '\\$&').replaceAll('**', '(.+)').replaceAll('*', '([^\\/]+)');
}

function toRuleExpression(patterns: readonly string[]): RegExp {
    if (patterns.length === 0) return MATCHES_NOTHING;
    return new RegExp(`^((${patterns.map(toPatternSource).join(')|(')}))\\b`);
}

function isAlwaysExcluded(path: string): boolean {
    const segments = path.toLowerCase().split('/');
    const fileName = segments.pop() ?? '';
    return (
        (ALWAYS_EXCLUDED_FILES as readonly string[]).includes(fileName) ||
        segments.some((segment) => (ALWAYS_EXCLUDED_FOLDERS as readonly string[]).includes(segment))
    );
}

/**
 * Compiles `.funcignore` text with Core Tools' semantics (`GitIgnoreParser`, a port of codemix/gitignore-parser),
 * which differ from git's: a pattern matches from the start of the path only (`*.ts` is a top-level
 * file, `**\/*.ts` one inside a folder), it needs no match at the end (`dist/` covers everything
 * below it), `*` stands for at least one character, and a `!` line re-includes whatever it matches
 * whatever its place in the file.
 * The files and folders Core Tools always leaves out are left out too.
 * @example compileFuncignore('**\/*.map\n').accepts('dist/functions/mention.js.map') // false
 */
export function compileFuncignore(text: string): FuncignoreRules {
    const excluded: string[] = [];
    const included: string[] = [];
    for (const rawLine of text.split('\n')) {
        let line = rawLine.trim();
        if (line === '' || line.startsWith('#')) continue;
        const negated = line.startsWith('!');
        if (negated) line = line.slice(1);
        if (line.startsWith('/')) line = line.slice(1);
        (negated ? included : excluded).push(line);
    }
    const exclusion = toRuleExpression(excluded);
    const inclusion = toRuleExpression(included);
    return {
        accepts(path: string): boolean {
            if (isAlwaysExcluded(path)) return false;
            return inclusion.test(path) || !exclusion.test(path);
        },
    };
}
