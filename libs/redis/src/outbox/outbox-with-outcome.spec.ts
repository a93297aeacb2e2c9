// An outcome and the events of its handling saved in one script: on one Redis, and on a Redis
// Cluster when the idempotency keys share the outbox's slot.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newMessageId, type Envelope, type OutboxEntry } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@catga/testing';
import { Cluster, Redis } from 'ioredis';
import { RedisIdempotencyStore } from '../idempotency/redis-idempotency.store.js';
import { OUTBOX_HASH_TAG, RedisOutboxStore } from './redis-outbox.store.js';

function entry(n: number): OutboxEntry {
  const id = newMessageId();
  const envelope: Envelope = {
    id,
    type: 'orders.placed',
    kind: 'event',
    correlationId: id,
    causationId: undefined,
    timestamp: Date.now(),
    headers: {},
    body: { n },
  };
  return { id, envelope, createdAt: Date.now() + n };
}

async function savedWithOutcome(idempotency: RedisIdempotencyStore, outbox: RedisOutboxStore): Promise<void> {
  const save = outbox.savesWith(idempotency);
  assert.ok(save, 'the outbox saves inside the outcome script of an idempotency store on its connection');
  const key = `cmd:${uniqueSuffix()}`;
  assert.equal((await idempotency.tryClaim(key, 'a#1', 10_000)).status, 'claimed');
  const events = [entry(1), entry(2)];
  assert.equal(await idempotency.complete(key, 'a#1', { ok: true, result: { done: 1 } }, 60_000, save(events)), true);
  assert.deepEqual(await idempotency.get(key), { ok: true, result: { done: 1 } });
  const pending = await outbox.claimPending('relay', 10, 10_000);
  assert.deepEqual(
    pending.map((e) => e.id),
    events.map((e) => e.id),
    'both events are pending, oldest first',
  );
  assert.deepEqual(pending[1], JSON.parse(JSON.stringify(events[1])), 'stored exactly as save() stores them');
  await outbox.markPublished(pending.map((e) => e.id));
}

async function fencedOwnerSavesNothing(idempotency: RedisIdempotencyStore, outbox: RedisOutboxStore): Promise<void> {
  const save = outbox.savesWith(idempotency)!;
  const before = await outbox.pendingCount();
  const key = `cmd:${uniqueSuffix()}`;
  await idempotency.tryClaim(key, 'a#1', 10_000);
  assert.equal(await idempotency.takeOver(key, 'a#1', 'b#1', 10_000), true);
  assert.equal(await idempotency.complete(key, 'a#1', { ok: true, result: null }, 60_000, save([entry(1)])), false);
  assert.equal(await outbox.pendingCount(), before, 'a refused outcome saves none of its events');
}

async function existingEntryLeftAsItIs(idempotency: RedisIdempotencyStore, outbox: RedisOutboxStore): Promise<void> {
  const save = outbox.savesWith(idempotency)!;
  const parked = entry(1);
  await outbox.save([parked]);
  await outbox.park([{ id: parked.id, reason: { code: 'PAYLOAD_TOO_LARGE', name: 'E', message: 'too large', retryable: false } }]);
  const before = await outbox.pendingCount();
  const key = `cmd:${uniqueSuffix()}`;
  await idempotency.tryClaim(key, 'a#1', 10_000);
  assert.equal(await idempotency.complete(key, 'a#1', { ok: true, result: null }, 60_000, save([parked])), true);
  assert.equal(await outbox.pendingCount(), before, 'a parked id saved again (a deterministic event id) stays parked');
  assert.deepEqual(
    (await outbox.parked(100)).map((e) => e.id),
    [parked.id],
  );
}

describe('outcome and outbox in one script, one Redis', () => {
  const keyPrefix = `owo${uniqueSuffix()}`;
  let server: RedisServerHandle;
  let redis: Redis;
  let other: Redis;

  before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    other = new Redis(server.url);
  });

  after(async () => {
    redis?.disconnect();
    other?.disconnect();
    await server?.stop();
  });

  it('stores the outcome and the pending events together', () =>
    savedWithOutcome(new RedisIdempotencyStore(redis, { keyPrefix }), new RedisOutboxStore(redis, { keyPrefix })));

  it('saves no event of an owner whose claim was taken over', () =>
    fencedOwnerSavesNothing(new RedisIdempotencyStore(redis, { keyPrefix }), new RedisOutboxStore(redis, { keyPrefix })));

  it('leaves an id already in the outbox as it is', () =>
    existingEntryLeftAsItIs(new RedisIdempotencyStore(redis, { keyPrefix }), new RedisOutboxStore(redis, { keyPrefix })));

  it('does not offer it across connections, which may be different servers', () => {
    assert.equal(new RedisOutboxStore(redis, { keyPrefix }).savesWith(new RedisIdempotencyStore(other, { keyPrefix })), undefined);
  });
});

describe('outcome and outbox in one script, Redis Cluster', () => {
  const keyPrefix = `owoc${uniqueSuffix()}`;
  let cluster: RedisClusterHandle;
  let client: Cluster;

  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    client = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  });

  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('offers it only when the claims share the outbox slot: each its own slot would be CROSSSLOT', () => {
    const outbox = new RedisOutboxStore(client, { keyPrefix });
    assert.equal(outbox.savesWith(new RedisIdempotencyStore(client, { keyPrefix })), undefined);
    assert.ok(outbox.savesWith(new RedisIdempotencyStore(client, { keyPrefix, hashTag: OUTBOX_HASH_TAG })));
  });

  it('stores the outcome and the pending events together on the outbox slot', () =>
    savedWithOutcome(
      new RedisIdempotencyStore(client, { keyPrefix, hashTag: OUTBOX_HASH_TAG }),
      new RedisOutboxStore(client, { keyPrefix }),
    ));

  it('saves no event of an owner whose claim was taken over', () =>
    fencedOwnerSavesNothing(
      new RedisIdempotencyStore(client, { keyPrefix, hashTag: OUTBOX_HASH_TAG }),
      new RedisOutboxStore(client, { keyPrefix }),
    ));
});
