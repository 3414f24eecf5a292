/** Real Teams payloads from the shared fixtures folder beside the repository, read as exact bytes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared fixtures folder (`../shared/fixtures` from the repository root). */
export const FIXTURES_FOLDER = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));

/** The exact bytes of a fixture file, e.g. `outgoing/msdocs-example-message.json`. */
export function fixtureBytes(relativePath: string): Buffer {
    return readFileSync(`${FIXTURES_FOLDER}${relativePath}`);
}

/** Microsoft's documented outgoing-webhook example and the token the docs sign it with (TEAMS.md). */
export const MSDOCS_EXAMPLE = {
    path: 'outgoing/msdocs-example-message.json',
    token: 'vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=',
    authorization: 'HMAC 759zW+5zrhBieEiOwfNzhpRzWxUCaxQw01gjKgb4u3o=',
} as const;
