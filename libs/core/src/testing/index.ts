// @catga/core/testing: in-process parts for tests: CatgaTestingModule and its harness (one service
// on in-memory parts, across the wire codec), a broker that joins several applications' in-memory
// transports, the in-memory adapters the embedded default runs on, and the saga harness.
export { InMemoryBroker } from '../transport/in-memory.broker.js';
export { InMemoryTransport, type InMemoryTransportOptions } from '../transport/in-memory.transport.js';
export { InMemoryIdempotencyStore, type InMemoryIdempotencyStoreOptions } from '../stores/idempotency/in-memory-idempotency.store.js';
export { InMemorySagaStore } from '../stores/saga/in-memory-saga.store.js';
export { InMemoryOutboxStore } from '../stores/outbox/in-memory-outbox.store.js';
export { InMemoryEventStreamStore } from '../stores/event-stream/in-memory-event-stream.store.js';
export { SagaHarness, type SagaHarnessRun } from './saga.harness.js';
export { CatgaTestingModule } from './catga-testing.module.js';
export type { CatgaTestingCatgaOptions, CatgaTestingModuleOptions, CatgaTestingOptions } from './catga-testing-options.interface.js';
export { CatgaTestHarness, type FakeHandle, type ResultOf } from './catga-test.harness.js';
export { MessageLog } from './message-log.js';
export { DeadLetterLog, type TypedDeadLetter } from './dead-letter-log.js';
