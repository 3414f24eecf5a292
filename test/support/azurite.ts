// Starts a private in-memory Azurite on free ports for storage tests.
import { afterAll, beforeAll } from 'vitest';
import { spawnAzurite } from '../../tools/devhost/azurite-process.js';

/** A running Azurite for one test file. */
export interface TestAzurite {
    /** Connection string for the development account; pass it to `QueueServiceClient.fromConnectionString` etc. */
    readonly connectionString: string;
    readonly blobPort: number;
    readonly queuePort: number;
    readonly tablePort: number;
    /** Stops the emulator; all its data is gone. Safe to call twice. */
    stop(): Promise<void>;
}

/**
 * Starts Azurite (blob, queue and table) in memory, telemetry off, on free loopback ports. Every call
 * gets its own empty emulator, so test files never share state. Stop it in `afterAll`.
 * @example
 * let azurite: TestAzurite;
 * beforeAll(async () => { azurite = await startAzurite(); });
 * afterAll(async () => { await azurite?.stop(); });
 */
export async function startAzurite(): Promise<TestAzurite> {
    const azurite = await spawnAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
    return {
        connectionString: azurite.connectionString,
        blobPort: azurite.blobPort,
        queuePort: azurite.queuePort,
        tablePort: azurite.tablePort,
        stop: () => azurite.stop(),
    };
}

/**
 * One Azurite for the calling test file: started in `beforeAll`, stopped in `afterAll`. Its fields
 * can be read in tests and hooks, once it has started.
 * @example
 * const azurite = useAzurite();
 * it('writes', async () => { await TableClient.fromConnectionString(azurite.connectionString, 'jobs').createTable(); });
 */
export function useAzurite(): TestAzurite {
    let started: TestAzurite | undefined;
    const running = (): TestAzurite => {
        if (started === undefined) {
            throw new Error('Azurite has not started: read it inside a test or hook');
        }
        return started;
    };
    beforeAll(async () => {
        started = await startAzurite();
    });
    afterAll(async () => {
        await started?.stop();
    });
    return {
        get connectionString() { return running().connectionString; },
        get blobPort() { return running().blobPort; },
        get queuePort() { return running().queuePort; },
        get tablePort() { return running().tablePort; },
        stop: () => running().stop(),
    };
}
