// Starts a private in-memory Azurite on free ports for storage tests.
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
