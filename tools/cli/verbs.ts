/** The CLI's verbs, one line each: adding a verb is its file in `commands/` and its line here. */
import type { CliCommand } from './command.js';

/** A verb and how to load it: a verb's module is loaded only when it runs (or for `--help`), as some bring the storage SDKs. */
export interface Verb {
    /** What people type; the `name` its command declares. */
    readonly name: string;
    readonly load: () => Promise<{ readonly default: CliCommand }>;
}

/** Every verb of `teams-relay`; `--help` lists them sorted by name. */
export const VERBS: readonly Verb[] = [
    { name: 'budget', load: () => import('./commands/budget.js') },
    { name: 'deadletters', load: () => import('./commands/deadletters.js') },
    { name: 'outbox', load: () => import('./commands/outbox.js') },
    { name: 'preview', load: () => import('./commands/preview.js') },
    { name: 'send', load: () => import('./commands/send.js') },
    { name: 'sign', load: () => import('./commands/sign.js') },
    { name: 'templates', load: () => import('./commands/templates.js') },
];
