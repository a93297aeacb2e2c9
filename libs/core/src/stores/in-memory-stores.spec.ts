import { eventStreamStoreConformance } from '../conformance/event-stream-store.conformance.js';
import { idempotencyStoreConformance } from '../conformance/idempotency-store.conformance.js';
import { outboxStoreConformance } from '../conformance/outbox-store.conformance.js';
import { sagaStoreConformance } from '../conformance/saga-store.conformance.js';
import { InMemoryEventStreamStore } from './event-stream/in-memory-event-stream.store.js';
import { InMemoryIdempotencyStore } from './idempotency/in-memory-idempotency.store.js';
import { InMemoryOutboxStore } from './outbox/in-memory-outbox.store.js';
import { InMemorySagaStore } from './saga/in-memory-saga.store.js';

const none = async () => undefined;
idempotencyStoreConformance('in-memory', async () => ({ store: new InMemoryIdempotencyStore(), dispose: none }));
sagaStoreConformance('in-memory', async () => ({ store: new InMemorySagaStore(), dispose: none }));
outboxStoreConformance('in-memory', async () => ({ store: new InMemoryOutboxStore(), dispose: none }));
eventStreamStoreConformance('in-memory', async () => ({ store: new InMemoryEventStreamStore(), dispose: none }));
