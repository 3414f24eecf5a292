/** How deep untrusted JSON nests, measured without recursion, so no input can overflow the stack while it is checked. */

/**
 * Deepest nesting of objects and arrays a job (and any card or data in it) may have, counting the
 * job itself as level 1. Real cards nest a handful of levels (a Container in a Column in a ColumnSet
 * is about 10 levels of JSON below the card; a digest embedding a card adds 4). The libraries a job
 * passes through recurse once per level: the Adaptive Cards object model overflows the stack at
 * about 1,000 nested Containers, `JSON.stringify` at about 10,000 nested arrays. 64 leaves room for
 * any real card and stays far from both.
 */
export const MAX_JSON_DEPTH = 64;

/** Path segments shown in a reason before the rest is elided: enough to say where, short enough to read. */
const SHOWN_PATH_SEGMENTS = 4;

interface Pending {
    readonly value: unknown;
    readonly depth: number;
    readonly key: string | number | undefined;
    readonly parent: Pending | undefined;
}

function pathOf(node: Pending): (string | number)[] {
    const keys: (string | number)[] = [];
    for (let at: Pending | undefined = node; at?.key !== undefined; at = at.parent) {
        keys.push(at.key);
    }
    return keys.reverse();
}

/**
 * Writes a path as the rest of the app does (`adaptiveCard.body[0].items`), keeping the first
 * segments of a long one and eliding the rest.
 *
 * @example
 * formatJsonPath(['adaptiveCard', 'body', 0, 'items', 0, 'items']); // 'adaptiveCard.body[0].items…'
 */
export function formatJsonPath(path: readonly (string | number)[]): string {
    let text = '';
    for (const key of path.slice(0, SHOWN_PATH_SEGMENTS)) {
        text += typeof key === 'number' ? `[${key}]` : text === '' ? key : `.${key}`;
    }
    return path.length > SHOWN_PATH_SEGMENTS ? `${text}…` : text;
}

/**
 * The path of the first object or array that lies deeper than `maxDepth` levels (the value itself,
 * when an object or array, is level 1), or `undefined` when none does. Walks with an explicit stack
 * and never descends past `maxDepth`, so it is safe on input of any depth, cycles included.
 *
 * @example
 * findExcessiveNesting({ a: [[1]] }, 2); // ['a', 0]
 * findExcessiveNesting({ a: [1] }, 2); // undefined
 */
export function findExcessiveNesting(value: unknown, maxDepth: number = MAX_JSON_DEPTH): (string | number)[] | undefined {
    const pending: Pending[] = [{ value, depth: 1, key: undefined, parent: undefined }];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
        const current = node.value;
        if (typeof current !== 'object' || current === null) {
            continue;
        }
        if (node.depth > maxDepth) {
            return pathOf(node);
        }
        const entries: [string | number, unknown][] = Array.isArray(current) ? current.map((item: unknown, index) => [index, item]) : Object.entries(current);
        // Reversed, so the first child is looked at first and the path found is the first in document order.
        for (let index = entries.length - 1; index >= 0; index--) {
            const [key, child] = entries[index] ?? [0, undefined];
            if (typeof child === 'object' && child !== null) {
                pending.push({ value: child, depth: node.depth + 1, key, parent: node });
            }
        }
    }
    return undefined;
}

/**
 * The reason a value nests too deep, naming where, or `undefined` when it does not.
 *
 * @example
 * nestingProblem(job); // 'adaptiveCard.body[0].items…: nested more than 64 levels deep (objects and arrays)'
 */
export function nestingProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): string | undefined {
    const path = findExcessiveNesting(value, maxDepth);
    if (path === undefined) {
        return undefined;
    }
    const where = formatJsonPath(path);
    return `${where === '' ? 'value' : where}: nested more than ${maxDepth} levels deep (objects and arrays)`;
}
