import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SagaState } from '../stores/saga/saga-state.js';
import type { SagaStore } from '../stores/saga/saga-store.interface.js';
import { richValue, type StoreHarness } from './idempotency-store.conformance.js';
import { eventually, uniqueSuffix } from './eventually.js';

function newSaga(sagaId: string, overrides: Partial<SagaState> = {}): SagaState {
  const now = Date.now();
  return {
    sagaId,
    sagaName: 'conformance',
    status: 'Running',
    version: 0,
    data: { orderId: sagaId, total: 10 },
    steps: [{ name: 'charge', status: 'Pending', attempts: 0 }],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** The behaviour every SagaStore must have. */
export function sagaStoreConformance(name: string, setup: () => Promise<StoreHarness<SagaStore>>): void {
  describe(`SagaStore conformance: ${name}`, () => {
    let h: StoreHarness<SagaStore>;
    let store: SagaStore;
    const id = (label: string) => `conf-${uniqueSuffix()}-${label}`;

    before(async () => {
      h = await setup();
      store = h.store;
    });
    after(async () => h.dispose());

    it('a created saga reads back at version 1 with its data and steps', async () => {
      const s = id('create');
      assert.equal(await store.create(newSaga(s)), true);
      const read = await store.get(s);
      assert.ok(read);
      assert.equal(read.version, 1);
      assert.deepEqual(read.data, { orderId: s, total: 10 });
      assert.deepEqual(read.steps, [{ name: 'charge', status: 'Pending', attempts: 0 }]);
    });

    it('data and step results holding a Date, a BigInt, a Map, a Set and undefined in an array come back as they were', async () => {
      const s = id('values');
      await store.create(
        newSaga(s, { data: richValue(), steps: [{ name: 'charge', status: 'Completed', attempts: 1, result: richValue() }] }),
      );
      const read = await store.get(s);
      assert.deepEqual(read?.data, richValue());
      assert.deepEqual(read?.steps[0]?.result, richValue());
      assert.ok(await store.update({ ...read!, status: 'Completed' }, read!.version));
      assert.deepEqual((await store.get(s))?.data, richValue());
    });

    it('creating an existing saga id changes nothing', async () => {
      const s = id('dup');
      await store.create(newSaga(s));
      assert.equal(await store.create(newSaga(s, { data: { other: true } })), false);
      assert.deepEqual((await store.get(s))?.data, { orderId: s, total: 10 });
    });

    it('an unknown saga reads as undefined', async () => {
      assert.equal(await store.get(id('missing')), undefined);
    });

    it('an update with the current version succeeds and bumps the version', async () => {
      const s = id('cas');
      await store.create(newSaga(s));
      const read = (await store.get(s))!;
      read.steps[0]!.status = 'Completed';
      assert.equal(await store.update(read, 1), true);
      const after = (await store.get(s))!;
      assert.equal(after.version, 2);
      assert.equal(after.steps[0]!.status, 'Completed');
    });

    it('an update with a stale version is refused and changes nothing', async () => {
      const s = id('stale');
      await store.create(newSaga(s));
      const first = (await store.get(s))!;
      assert.equal(await store.update({ ...first, status: 'Completed' }, 1), true);
      assert.equal(await store.update({ ...first, status: 'Compensated' }, 1), false);
      assert.equal((await store.get(s))!.status, 'Completed');
    });

    it('of concurrent updates from the same version exactly one wins', async () => {
      const s = id('race');
      await store.create(newSaga(s));
      const base = (await store.get(s))!;
      const stores = h.peer ? [store, await h.peer()] : [store];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.update({ ...base, data: { winner: i } }, 1)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('a lease is exclusive until released or expired', async () => {
      const s = id('lease');
      await store.create(newSaga(s));
      assert.equal(await store.acquireLease(s, 'a', 10_000), true);
      assert.equal(await store.acquireLease(s, 'b', 10_000), false);
      assert.equal(await store.acquireLease(s, 'a', 10_000), true, 'the owner renews');
      await store.releaseLease(s, 'b');
      assert.equal(await store.acquireLease(s, 'b', 10_000), false, 'a non-owner released it');
      await store.releaseLease(s, 'a');
      assert.equal(await store.acquireLease(s, 'b', 150), true);
      await eventually(async () => assert.equal(await store.acquireLease(s, 'c', 10_000), true), 5_000, 25);
    });

    it('a lease is taken from a holder named down by compare-and-set, and from no other', async () => {
      const s = id('take-lease');
      await store.create(newSaga(s), { owner: 'dead', ttlMs: 60_000 });
      assert.equal(await store.acquireLease(s, 'b', 10_000, 'someone-else'), false, 'only from the holder it has');
      assert.equal(await store.acquireLease(s, 'b', 10_000, 'dead'), true);
      assert.equal((await store.get(s))?.lease?.owner, 'b');
      assert.equal(await store.acquireLease(s, 'c', 10_000, 'dead'), false, 'a second contender loses the race');
      assert.equal(await store.acquireLease(s, 'dead', 10_000), false, 'the old holder cannot renew it back');
      await store.releaseLease(s, 'dead');
      assert.equal((await store.get(s))?.lease?.owner, 'b', 'nor release it');
    });

    it('orphaned sagas include those whose live lease is held by an owner that is down', async () => {
      const past = Date.now() - 60_000;
      const held = id('held-by-dead');
      const alive = id('held-by-alive');
      await store.create(newSaga(held, { createdAt: past }), { owner: 'dead-owner', ttlMs: 60_000 });
      await store.create(newSaga(alive, { createdAt: past }), { owner: 'live-owner', ttlMs: 60_000 });
      const asked: string[] = [];
      const found = await store.findOrphaned(Date.now(), 10_000, async (owner) => {
        asked.push(owner);
        return owner === 'dead-owner';
      });
      assert.ok(found.includes(held));
      assert.ok(!found.includes(alive));
      assert.ok(!(await store.findOrphaned(Date.now(), 10_000)).includes(held), 'without the question, a live lease is no orphan');
      assert.equal(asked.filter((o) => o === 'dead-owner').length, 1, 'each owner asked once');
    });

    it('a saga created with a lease is leased to its creator in the same write', async () => {
      const s = id('born-leased');
      assert.equal(await store.create(newSaga(s), { owner: 'creator', ttlMs: 10_000 }), true);
      assert.equal((await store.get(s))?.lease?.owner, 'creator');
      assert.equal(await store.acquireLease(s, 'other', 10_000), false);
      assert.ok(!(await store.findOrphaned(Date.now(), 10_000)).includes(s));
      assert.equal(await store.acquireLease(s, 'creator', 10_000), true);
    });

    it('an update keeps the lease', async () => {
      const s = id('lease-kept');
      await store.create(newSaga(s));
      await store.acquireLease(s, 'a', 10_000);
      const read = (await store.get(s))!;
      assert.equal(await store.update({ ...read, status: 'Compensating' }, read.version), true);
      assert.equal(await store.acquireLease(s, 'b', 10_000), false);
    });

    it("an update that releases its owner's lease does so in the same write, and leaves another owner's alone", async () => {
      const mine = id('release-with-update');
      const theirs = id('release-other');
      await store.create(newSaga(mine), { owner: 'a', ttlMs: 60_000 });
      await store.create(newSaga(theirs), { owner: 'b', ttlMs: 60_000 });
      const read = (await store.get(mine))!;
      assert.equal(await store.update({ ...read, status: 'Completed' }, read.version, 'a'), true);
      const after = (await store.get(mine))!;
      assert.equal(after.status, 'Completed');
      assert.equal(after.lease, undefined, 'released');
      const other = (await store.get(theirs))!;
      assert.equal(await store.update({ ...other, status: 'Completed' }, other.version, 'a'), true);
      assert.equal((await store.get(theirs))?.lease?.owner, 'b', 'not the releasing owner: kept');
    });

    it('orphaned sagas are the unfinished ones without a live lease', async () => {
      const orphan = id('orphan');
      const leased = id('leased');
      const finished = id('finished');
      const past = Date.now() - 60_000;
      await store.create(newSaga(orphan, { createdAt: past }));
      await store.create(newSaga(leased, { createdAt: past }));
      await store.create(newSaga(finished, { createdAt: past, status: 'Completed' }));
      await store.acquireLease(leased, 'alive', 60_000);
      const found = await store.findOrphaned(Date.now(), 10_000);
      assert.ok(found.includes(orphan));
      assert.ok(!found.includes(leased));
      assert.ok(!found.includes(finished));
      await store.acquireLease(orphan, 'x', 100);
      await eventually(async () => assert.ok((await store.findOrphaned(Date.now(), 10_000)).includes(orphan)), 5_000, 25);
    });

    it('counts by status follow updates', async () => {
      const before = await store.countByStatus();
      const s = id('count');
      await store.create(newSaga(s));
      const read = (await store.get(s))!;
      await store.update({ ...read, status: 'Compensated' }, read.version);
      const after = await store.countByStatus();
      assert.equal(after.Compensated - before.Compensated, 1);
      assert.equal(after.Running - before.Running, 0);
    });

    it('lists sagas by status and name, most recently updated first, within the limit', async () => {
      const name = `listed-${uniqueSuffix()}`;
      const [a, b, c] = [id('list-a'), id('list-b'), id('list-c')];
      const t = Date.now();
      await store.create(newSaga(a, { sagaName: name, updatedAt: t - 3000 }));
      await store.create(newSaga(b, { sagaName: name, updatedAt: t - 2000 }));
      await store.create(newSaga(c, { sagaName: name, updatedAt: t - 1000 }));
      const read = (await store.get(b))!;
      await store.update({ ...read, status: 'Failed', updatedAt: t }, read.version);
      await store.acquireLease(c, 'holder', 60_000);

      const all = await store.list({ sagaName: name });
      assert.deepEqual(
        all.map((s) => s.sagaId),
        [b, c, a],
      );
      assert.equal(all[1]!.lease?.owner, 'holder');
      assert.equal(all[0]!.version, 2);
      assert.deepEqual(
        (await store.list({ sagaName: name, status: 'Failed' })).map((s) => s.sagaId),
        [b],
      );
      assert.deepEqual(
        (await store.list({ sagaName: name, status: 'Running', limit: 1 })).map((s) => s.sagaId),
        [c],
      );
      assert.deepEqual(await store.list({ sagaName: `${name}-none` }), []);
    });
  });
}
