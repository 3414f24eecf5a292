/** Real Teams payloads from `test/fixtures/`, read as exact bytes (see `test/fixtures/README.md` for their sources). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The fixtures folder, `test/fixtures/`. */
export const FIXTURES_FOLDER = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The exact bytes of a fixture file, e.g. `outgoing/msdocs-example-message.json`. */
export function fixtureBytes(relativePath: string): Buffer {
    return readFileSync(`${FIXTURES_FOLDER}${relativePath}`);
}

/**
 * Microsoft's documented outgoing-webhook example and the sample token of the same documentation
 * (its "contoso" key), with the `Authorization` value that token gives over the file's exact bytes
 * (docs/teams-facts.md, "Outgoing webhooks").
 */
export const MSDOCS_EXAMPLE = {
    path: 'outgoing/msdocs-example-message.json',
    token: 'vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=',
    authorization: 'HMAC 759zW+5zrhBieEiOwfNzhpRzWxUCaxQw01gjKgb4u3o=',
} as const;

/** The Azure Monitor samples in `producers/azure-monitor/`, one per kind of alert (see `test/fixtures/README.md`). */
export const AZURE_MONITOR_SAMPLES = [
    'metric-static',
    'metric-dynamic',
    'availability-test',
    'log-search-v1',
    'log-search-v2',
    'activity-log',
    'resource-health',
    'service-health',
    'budget',
    'smart-detector',
] as const;
