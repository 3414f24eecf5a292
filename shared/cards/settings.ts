/**
 * The cards' section of the configuration, `config.cards`: where the custom card templates are.
 * `shared/config.ts` composes it with the others; `shared/platform/config.ts` says how a setting is added.
 */
import { z } from 'zod';
import { defineSection } from '../platform/config.js';

/** `config.cards`. */
interface CardSettings {
    /**
     * `CARD_TEMPLATES_DIR` as set (absolute, or relative to the app's folder); `undefined` when unset
     * or empty: the default `templates/`, which may be absent.
     */
    readonly templatesDir: string | undefined;
}

/** `config.cards`: `CARD_TEMPLATES_DIR`. */
export const cardsSection = defineSection({
    keys: {
        CARD_TEMPLATES_DIR: z
            .string()
            .trim()
            .optional()
            .transform((value) => (value === '' ? undefined : value)),
    },
    build: (settings): CardSettings => ({ templatesDir: settings.CARD_TEMPLATES_DIR }),
});
