// Public surface of shared/platform/ that loads the Azure Storage SDKs: the Azure Storage clients. Imported on demand (a dynamic import() in functions/), so the mention function starts without these SDKs; the rest is in index.ts.
export {
    createLazyCredential,
    createQueueClient,
    createTableClient,
    DEAD_LETTER_TABLE_NAME,
    DEVELOPMENT_ACCOUNT_KEY,
    DEVELOPMENT_ACCOUNT_NAME,
    DEVELOPMENT_STORAGE_PORTS,
    expandConnectionString,
    isDevelopmentStorage,
    OUTBOX_TABLE_NAME,
    queueServiceUrl,
    tableServiceUrl,
    WAKEUP_QUEUE_SUFFIX,
    wakeupQueueName,
} from './storage.js';
