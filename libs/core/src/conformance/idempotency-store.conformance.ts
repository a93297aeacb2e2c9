import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IdempotencyStore } from '../stores/idempotency/idempotency-store.interface.js';
import { eventually, uniqueSuffix } from './eventually.js';

/** Values a store that keeps text must give back as an in-memory store does (the value codec, value.codec.ts). */
export function richValue(): Record<string, unknown> {
  return {
    at: new Date('2026-12-01T10:00:00.000Z'),
    amount: 12345678901234567890n,
    byId: new Map<string, unknown>([['a', { since: new Date(0) }]]),
    tags: new Set(['x']),
    sparse: [1, undefined, 3],
  };
}

export interface StoreHarness<S> {
  store: S;
  /** A second store instance on the same backend (another process's view), when the backend is shared. */
  peer?: () => Promise<S>;
  dispose(): Promise<void>;
}

/** The behaviour every IdempotencyStore must have. */
export function idempotencyStoreConformance(name: string, setup: () => Promise<StoreHarness<IdempotencyStore>>): void {
  describe(`IdempotencyStore conformance: ${name}`, () => {
    let h: StoreHarness<IdempotencyStore>;
    let store: IdempotencyStore;
    const key = (label: string) => `conf:${uniqueSuffix()}:${label}`;

    before(async () => {
      h = await setup();
      store = h.store;
    });
    after(async () => h.dispose());

    it('the first claim wins and a second claimant sees it in progress with its owner', async () => {
      const k = key('first');
      assert.deepEqual(await store.tryClaim(k, 'a', 10_000), { status: 'claimed' });
      assert.deepEqual(await store.tryClaim(k, 'b', 10_000), { status: 'in-progress', owner: 'a' });
    });

    it('of many concurrent claims exactly one wins', async () => {
      const k = key('race');
      const stores = h.peer ? [store, ...(await Promise.all([h.peer(), h.peer()]))] : [store];
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % stores.length]!.tryClaim(k, `o${i}`, 10_000)));
      assert.equal(results.filter((r) => r.status === 'claimed').length, 1);
      assert.equal(results.filter((r) => r.status === 'in-progress').length, 59);
    });

    it('a completed result is returned to every later claim', async () => {
      const k = key('done');
      await store.tryClaim(k, 'a', 10_000);
      await store.complete(k, 'a', { ok: true, result: { orderId: 'o-1', items: [1, 2] } }, 60_000);
      assert.deepEqual(await store.tryClaim(k, 'b', 10_000), {
        status: 'completed',
        outcome: { ok: true, result: { orderId: 'o-1', items: [1, 2] } },
      });
      assert.deepEqual(await store.get(k), { ok: true, result: { orderId: 'o-1', items: [1, 2] } });
    });

    it('a completed error is returned with its code and retryable flag', async () => {
      const k = key('err');
      await store.tryClaim(k, 'a', 10_000);
      const error = { code: 'PAYMENT_DECLINED', name: 'PaymentDeclinedError', message: 'too much', retryable: false, messageId: 'm1' };
      await store.complete(k, 'a', { ok: false, error }, 60_000);
      const claim = await store.tryClaim(k, 'b', 10_000);
      assert.deepEqual(claim, { status: 'completed', outcome: { ok: false, error } });
    });

    it('a result holding a Date, a BigInt, a Map, a Set and undefined in an array comes back as it was', async () => {
      const k = key('values');
      const result = richValue();
      await store.tryClaim(k, 'a', 10_000);
      await store.complete(k, 'a', { ok: true, result }, 60_000);
      assert.deepEqual(await store.get(k), { ok: true, result });
      assert.deepEqual(await store.tryClaim(k, 'b', 10_000), { status: 'completed', outcome: { ok: true, result } });
    });

    it('an undefined or null result round-trips', async () => {
      const k = key('void');
      await store.tryClaim(k, 'a', 10_000);
      await store.complete(k, 'a', { ok: true, result: null }, 60_000);
      assert.deepEqual(await store.get(k), { ok: true, result: null });
    });

    it('completing a claim one does not hold changes nothing', async () => {
      const k = key('not-owner');
      await store.tryClaim(k, 'a', 10_000);
      await store.complete(k, 'intruder', { ok: true, result: 'stolen' }, 60_000);
      assert.equal(await store.get(k), undefined);
      assert.deepEqual(await store.tryClaim(k, 'b', 10_000), { status: 'in-progress', owner: 'a' });
    });

    it('complete says whether it stored the outcome: false for a claim one does not hold', async () => {
      const k = key('complete-result');
      await store.tryClaim(k, 'a', 10_000);
      assert.equal(await store.complete(k, 'intruder', { ok: true, result: 'stolen' }, 60_000), false);
      assert.equal(await store.complete(k, 'a', { ok: true, result: 'mine' }, 60_000), true);
      assert.equal(await store.complete(k, 'a', { ok: true, result: 'again' }, 60_000), false, 'a completed claim is not completed twice');
      assert.deepEqual(await store.get(k), { ok: true, result: 'mine' });
    });

    it('a claim is taken over from its owner by compare-and-set, and the old owner is fenced off', async () => {
      const k = key('take-over');
      await store.tryClaim(k, 'dead', 10_000);
      assert.equal(await store.takeOver(k, 'someone-else', 'b', 10_000), false, 'only from the owner it holds');
      assert.equal(await store.takeOver(k, 'dead', 'b', 10_000), true);
      assert.equal(await store.takeOver(k, 'dead', 'c', 10_000), false, 'a second contender loses the race');
      assert.deepEqual(await store.tryClaim(k, 'c', 10_000), { status: 'in-progress', owner: 'b' });
      // The old owner wakes up: its outcome, renewal and release are all refused.
      assert.equal(await store.complete(k, 'dead', { ok: true, result: 'late' }, 60_000), false);
      assert.equal(await store.renewClaim(k, 'dead', 10_000), false);
      await store.release(k, 'dead');
      assert.deepEqual(await store.tryClaim(k, 'c', 10_000), { status: 'in-progress', owner: 'b' });
      assert.equal(await store.complete(k, 'b', { ok: true, result: 'taken' }, 60_000), true);
      assert.deepEqual(await store.get(k), { ok: true, result: 'taken' });
      assert.equal(await store.takeOver(k, 'b', 'c', 10_000), false, 'a completed key is never taken over');
    });

    it('a released claim can be taken by another owner', async () => {
      const k = key('release');
      await store.tryClaim(k, 'a', 10_000);
      await store.release(k, 'b');
      assert.equal((await store.tryClaim(k, 'c', 10_000)).status, 'in-progress', 'a non-owner released it');
      await store.release(k, 'a');
      assert.deepEqual(await store.tryClaim(k, 'c', 10_000), { status: 'claimed' });
    });

    it('a claim whose owner died expires and can be taken over', async () => {
      const k = key('expire');
      await store.tryClaim(k, 'dead', 150);
      assert.equal((await store.tryClaim(k, 'b', 10_000)).status, 'in-progress');
      await eventually(async () => assert.deepEqual(await store.tryClaim(k, 'b', 10_000), { status: 'claimed' }), 5_000, 25);
    });

    it('the owner keeps a claim alive by renewing it; others cannot', async () => {
      const k = key('renew');
      // Renewed every 300 ms for 1.2 s, past the 1 s the claim was made for; the margins hold
      // on a loaded machine.
      await store.tryClaim(k, 'a', 1_000);
      assert.equal(await store.renewClaim(k, 'b', 10_000), false);
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await store.renewClaim(k, 'a', 1_000), true);
      }
      assert.deepEqual(await store.tryClaim(k, 'b', 10_000), { status: 'in-progress', owner: 'a' });
      await store.complete(k, 'a', { ok: true, result: 'x' }, 60_000);
      assert.equal(await store.renewClaim(k, 'a', 300), false, 'a completed record is no claim');
    });

    it('an outcome is forgotten after its retention', async () => {
      const k = key('retention');
      await store.tryClaim(k, 'a', 10_000);
      await store.complete(k, 'a', { ok: true, result: 1 }, 150);
      assert.deepEqual(await store.get(k), { ok: true, result: 1 });
      await eventually(async () => assert.equal(await store.get(k), undefined), 5_000, 25);
    });

    it('a waiter receives the outcome as soon as the owner completes', async () => {
      const k = key('wait');
      await store.tryClaim(k, 'a', 10_000);
      const waiting = store.waitForOutcome(k, 5_000);
      setTimeout(() => void store.complete(k, 'a', { ok: true, result: 'late' }, 60_000), 50);
      const started = Date.now();
      assert.deepEqual(await waiting, { ok: true, result: 'late' });
      assert.ok(Date.now() - started < 4_000);
    });

    it('a waiter is told when the claim is released without an outcome', async () => {
      const k = key('wait-release');
      await store.tryClaim(k, 'a', 10_000);
      const waiting = store.waitForOutcome(k, 5_000);
      setTimeout(() => void store.release(k, 'a'), 50);
      const started = Date.now();
      assert.equal(await waiting, undefined);
      assert.ok(Date.now() - started < 4_000);
    });

    it('waiting on an unknown key returns at once', async () => {
      assert.equal(await store.waitForOutcome(key('unknown'), 5_000), undefined);
    });
  });
}
