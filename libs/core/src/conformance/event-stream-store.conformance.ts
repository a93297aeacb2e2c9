import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newMessageId } from '../envelope/message-id.js';
import { ConcurrencyConflictError } from '../errors/catga-errors.js';
import type { EventStreamStore, NewStreamEvent } from '../stores/event-stream/event-stream-store.interface.js';
import { richValue, type StoreHarness } from './idempotency-store.conformance.js';
import { uniqueSuffix } from './eventually.js';

const ev = (type: string, body: unknown): NewStreamEvent => ({ id: newMessageId(), type, body, metadata: { by: 'test' } });

/** The behaviour every EventStreamStore must have. */
export function eventStreamStoreConformance(name: string, setup: () => Promise<StoreHarness<EventStreamStore>>): void {
  describe(`EventStreamStore conformance: ${name}`, () => {
    let h: StoreHarness<EventStreamStore>;
    let store: EventStreamStore;
    const stream = (label: string) => `order-${uniqueSuffix()}-${label}`;

    before(async () => {
      h = await setup();
      store = h.store;
    });
    after(async () => h.dispose());

    it('appending to a new stream at version 0 returns the new version and reads back in order', async () => {
      const s = stream('new');
      const events = [ev('created', { a: 1 }), ev('paid', { amount: 10 })];
      assert.equal(await store.append(s, events, 0), 2);
      const read = await store.read(s);
      assert.deepEqual(
        read.map((e) => [e.version, e.type, e.body, e.id, e.streamId]),
        [
          [1, 'created', { a: 1 }, events[0]!.id, s],
          [2, 'paid', { amount: 10 }, events[1]!.id, s],
        ],
      );
      assert.deepEqual(read[0]!.metadata, { by: 'test' });
      assert.equal(typeof read[0]!.timestamp, 'number');
      assert.equal(await store.version(s), 2);
    });

    it('a body holding a Date, a BigInt, a Map, a Set and undefined in an array reads back as it was', async () => {
      const s = stream('values');
      await store.append(s, [ev('valued', richValue())], 0);
      assert.deepEqual((await store.read(s))[0]?.body, richValue());
    });

    it('reading after a version returns only later events, up to the limit', async () => {
      const s = stream('from');
      await store.append(s, [ev('a', 1), ev('b', 2), ev('c', 3), ev('d', 4)], 0);
      assert.deepEqual(
        (await store.read(s, 2)).map((e) => e.type),
        ['c', 'd'],
      );
      assert.deepEqual(
        (await store.read(s, 1, 2)).map((e) => e.type),
        ['b', 'c'],
      );
    });

    it('an append with a stale expected version fails with ConcurrencyConflictError and adds nothing', async () => {
      const s = stream('stale');
      await store.append(s, [ev('a', 1)], 0);
      await assert.rejects(store.append(s, [ev('b', 2)], 0), ConcurrencyConflictError);
      await assert.rejects(store.append(s, [ev('b', 2)], 5), ConcurrencyConflictError);
      assert.equal(await store.version(s), 1);
    });

    it('of concurrent appends at the same version exactly one succeeds', async () => {
      const s = stream('race');
      const stores = h.peer ? [store, await h.peer()] : [store];
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => stores[i % stores.length]!.append(s, [ev('x', i)], 0)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof ConcurrencyConflictError));
      assert.equal(await store.version(s), 1);
    });

    it('an unknown stream reads empty at version 0', async () => {
      const s = stream('none');
      assert.deepEqual(await store.read(s), []);
      assert.equal(await store.version(s), 0);
    });
  });
}
