/** Hostile card shapes for tests: elements nested as deep as a producer cares to nest them. */

/**
 * `count` Containers, each inside the last, around one TextBlock: at 1,200 this overflowed the stack
 * of card validation before depth was checked.
 *
 * @example
 * ({ type: 'AdaptiveCard', version: '1.4', body: [nestedContainers(1_200)] });
 */
export function nestedContainers(count: number, inner: Record<string, unknown> = { type: 'TextBlock', text: 'deep inside' }): Record<string, unknown> {
    let element = inner;
    for (let level = 0; level < count; level++) {
        element = { type: 'Container', items: [element] };
    }
    return element;
}

/** A job for `to` whose card body holds {@link nestedContainers}. */
export function nestedContainersJob(count: number, to = 'ops'): { id: string; to: string; adaptiveCard: { type: 'AdaptiveCard'; version: string; body: unknown[] } } {
    return { id: 'deep', to, adaptiveCard: { type: 'AdaptiveCard', version: '1.4', body: [nestedContainers(count)] } };
}
