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

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('in-memory idempotency store bound', () => {
  it('forgets the oldest completed records beyond maxEntries, never a live claim', async () => {
    const store = new InMemoryIdempotencyStore({ maxEntries: 100 });
    await store.tryClaim('live', 'owner', 60_000);
    for (let i = 0; i < 300; i++) {
      await store.tryClaim(`k${i}`, 'o', 60_000);
      await store.complete(`k${i}`, 'o', { ok: true, result: i }, 60_000);
    }
    assert.ok(store.size <= 101 && store.size >= 80, `size ${store.size}`);
    assert.equal(await store.get('k0'), undefined);
    assert.deepEqual(await store.get('k299'), { ok: true, result: 299 });
    assert.deepEqual(await store.tryClaim('live', 'other', 60_000), { status: 'in-progress', owner: 'owner' });
  });
});
