// @catga/core/testing: in-process parts for tests: a broker that joins several applications'
// in-memory transports, the in-memory adapters the embedded default runs on, and the saga harness.
export { InMemoryBroker } from '../transport/in-memory.broker.js';
export { InMemoryTransport, type InMemoryTransportOptions } from '../transport/in-memory.transport.js';
export { InMemoryIdempotencyStore, type InMemoryIdempotencyStoreOptions } from '../stores/idempotency/in-memory-idempotency.store.js';
export { InMemorySagaStore } from '../stores/saga/in-memory-saga.store.js';
export { InMemoryOutboxStore } from '../stores/outbox/in-memory-outbox.store.js';
export { InMemoryEventStreamStore } from '../stores/event-stream/in-memory-event-stream.store.js';
export { SagaHarness, type SagaHarnessRun } from './saga.harness.js';
