// Public surface of shared/notify/ that loads the Azure Storage SDKs: the notification flow on Azure Storage: the Table outbox, the runtime that wires the sender to it, and the producer that enqueues jobs. Imported on demand (a dynamic import() in functions/), so the mention function starts without these SDKs; the rest is in index.ts.
export {
    createTableOutboxStore,
    type OutboxTables,
    type TableOutboxStoreOptions,
} from './outbox/table-store.js';
export {
    answerProducerHook,
    correlationKeyFor,
    type EnqueueJob,
    producerJob,
    producerJobId,
    type ProducerEndpoint,
    type ProducerHookDeps,
    type ProducerInput,
    resolveProducerAliases,
} from './producers/endpoint.js';
export {
    type EnqueuedNotification,
    enqueueNotification,
    type EnqueueOptions,
    MAX_QUEUE_MESSAGE_BYTES,
    NEVER_EXPIRES,
    type QueueOpener,
} from './producer.js';
export {
    createDeliveryRuntime,
    deliveryRuntime,
    type DeliveryRuntime,
    sendWakeup,
} from './runtime.js';
