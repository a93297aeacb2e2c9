import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../envelope/envelope.js';
import { newMessageId } from '../envelope/message-id.js';
import type { OutboxEntry, OutboxStore } from '../stores/outbox/outbox-store.interface.js';
import { richValue, type StoreHarness } from './idempotency-store.conformance.js';
import { eventually, uniqueSuffix } from './eventually.js';

function entry(type: string, createdAt = Date.now()): OutboxEntry {
  const id = newMessageId();
  const envelope: Envelope = {
    id,
    type,
    kind: 'event',
    correlationId: id,
    causationId: undefined,
    timestamp: createdAt,
    headers: { a: 'b' },
    body: { n: 1 },
  };
  return { id, envelope, createdAt };
}

/**
 * The behaviour every OutboxStore must have. The store must be empty of other entries for the
 * duration (give it its own key prefix or database).
 */
export function outboxStoreConformance(name: string, setup: () => Promise<StoreHarness<OutboxStore>>): void {
  describe(`OutboxStore conformance: ${name}`, () => {
    let h: StoreHarness<OutboxStore>;
    let store: OutboxStore;
    const owner = () => `owner-${uniqueSuffix()}`;

    before(async () => {
      h = await setup();
      store = h.store;
    });
    after(async () => h.dispose());

    const drainAll = async () => {
      const o = owner();
      for (;;) {
        const batch = await store.claimPending(o, 1000, 10_000);
        if (batch.length === 0) return;
        await store.markPublished(batch.map((e) => e.id));
      }
    };

    it('saved entries are claimed oldest first with their envelope intact', async () => {
      await drainAll();
      const t = Date.now() - 1000;
      const saved = [entry('a', t), entry('b', t + 1), entry('c', t + 2)];
      await store.save(saved);
      const claimed = await store.claimPending(owner(), 10, 10_000);
      assert.deepEqual(
        claimed.map((e) => e.id),
        saved.map((e) => e.id),
      );
      // As JSON: a store that serializes drops absent fields (causationId: undefined).
      assert.deepEqual(JSON.parse(JSON.stringify(claimed[0]!.envelope)), JSON.parse(JSON.stringify(saved[0]!.envelope)));
      await store.markPublished(claimed.map((e) => e.id));
    });

    it('a body holding a Date, a BigInt, a Map, a Set and undefined in an array comes back as it was', async () => {
      await drainAll();
      const plain = entry('values', Date.now() - 1000);
      const saved = { ...plain, envelope: { ...plain.envelope, body: richValue() } };
      await store.save([saved]);
      const [claimed] = await store.claimPending(owner(), 10, 10_000);
      assert.deepEqual(claimed?.envelope.body, richValue());
      await store.markPublished([saved.id]);
    });

    it('a leased batch is not handed to another owner until the lease ends', async () => {
      await drainAll();
      await store.save([entry('x'), entry('y')]);
      const a = await store.claimPending('a', 10, 150);
      assert.equal(a.length, 2);
      assert.equal((await store.claimPending('b', 10, 10_000)).length, 0);
      await eventually(async () => assert.equal((await store.claimPending('b', 10, 10_000)).length, 2), 5_000, 25);
      await store.markPublished(a.map((e) => e.id));
    });

    it('concurrent claimers never share an entry', async () => {
      await drainAll();
      await store.save(Array.from({ length: 30 }, () => entry('c')));
      const stores = h.peer ? [store, await h.peer()] : [store];
      const batches = await Promise.all(Array.from({ length: 6 }, (_, i) => stores[i % stores.length]!.claimPending(`w${i}`, 10, 10_000)));
      const ids = batches.flat().map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(ids.length, 30);
      await store.markPublished(ids);
    });

    it('published entries are gone and released ones come back', async () => {
      await drainAll();
      const [p, r] = [entry('p'), entry('r')];
      await store.save([p, r]);
      const o = owner();
      await store.claimPending(o, 10, 60_000);
      await store.markPublished([p.id]);
      await store.release([r.id], o);
      const again = await store.claimPending(owner(), 10, 60_000);
      assert.deepEqual(
        again.map((e) => e.id),
        [r.id],
      );
      assert.equal(await store.pendingCount(), 1);
      await store.markPublished([r.id]);
      assert.equal(await store.pendingCount(), 0);
    });

    it('entries newer than createdBefore are left for their own instance', async () => {
      await drainAll();
      const old = entry('old', Date.now() - 10_000);
      const fresh = entry('fresh', Date.now());
      await store.save([old, fresh]);
      const claimed = await store.claimPending(owner(), 10, 60_000, Date.now() - 5_000);
      assert.deepEqual(
        claimed.map((e) => e.id),
        [old.id],
      );
      await store.markPublished([old.id, fresh.id]);
    });

    it('saving an id twice keeps one entry', async () => {
      await drainAll();
      const e = entry('twice');
      await store.save([e]);
      await store.save([e]);
      assert.equal(await store.pendingCount(), 1);
      await store.markPublished([e.id]);
    });

    it('a parked entry is never claimed again, not counted as pending, listed with its reason, and a repeat save does not revive it', async () => {
      await drainAll();
      const doomed = entry('doomed');
      const fine = entry('fine');
      await store.save([doomed, fine]);
      const reason = { code: 'PAYLOAD_TOO_LARGE', name: 'PayloadTooLargeError', message: 'too big', retryable: false };
      await store.park([{ id: doomed.id, reason }]);
      assert.equal(await store.pendingCount(), 1);
      const claimed = await store.claimPending(owner(), 10, 60_000);
      assert.deepEqual(
        claimed.map((e) => e.id),
        [fine.id],
      );
      await store.save([doomed]);
      assert.equal(await store.pendingCount(), 1);
      const parked = await store.parked(10);
      assert.deepEqual(
        parked.map((p) => [p.id, p.reason.code, p.envelope.type]),
        [[doomed.id, 'PAYLOAD_TOO_LARGE', 'doomed']],
      );
      assert.ok(parked[0]!.parkedAt > 0);
      await store.markPublished([fine.id]);
    });
  });
}
