import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SagaState } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { ORPHAN_SCAN_PAGE, RedisSagaStore } from './redis-saga.store.js';

function running(sagaId: string): SagaState {
  const now = Date.now();
  return {
    sagaId,
    sagaName: 'test.saga',
    status: 'Running',
    version: 0,
    data: {},
    steps: [{ name: 'one', status: 'Pending', attempts: 0 }],
    createdAt: now,
    updatedAt: now,
  };
}

/** A client that dies (throws) on `command`, as an instance killed at that point would stop. */
function dyingAt(client: Redis, command: string): Redis {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === command) return () => Promise.reject(new Error(`instance died before ${command}`));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('RedisSagaStore: an instance dying between the saga and its index', () => {
  let server: RedisServerHandle;
  let redis: Redis;

  before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });

  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('a saga created by an instance that died right after writing it is found as orphaned', async () => {
    const keyPrefix = `orph${uniqueSuffix()}`;
    const sagaId = `s-${uniqueSuffix()}`;
    await assert.rejects(new RedisSagaStore(dyingAt(redis, 'sadd'), { keyPrefix }).create(running(sagaId)));
    const survivor = new RedisSagaStore(redis, { keyPrefix });
    assert.equal((await survivor.get(sagaId))?.status, 'Running', 'the saga was written');
    assert.deepEqual(await survivor.findOrphaned(Date.now(), 100), [sagaId], 'and another instance can resume it');
  });

  it('a listing whose saga was never written is kept for a grace period, then dropped', async () => {
    const keyPrefix = `orph${uniqueSuffix()}`;
    const store = new RedisSagaStore(redis, { keyPrefix });
    const activeKey = `${keyPrefix}:sagas:{active}`;
    await redis.zadd(activeKey, String(Date.now()), 'being-created');
    await redis.zadd(activeKey, String(Date.now() - 120_000), 'never-created');
    assert.deepEqual(await store.findOrphaned(Date.now(), 100), []);
    assert.deepEqual(await redis.zrange(activeKey, '0', '-1'), ['being-created']);
  });
});

describe('RedisSagaStore: the recovery scan', () => {
  let server: RedisServerHandle;
  let redis: Redis;

  before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });

  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  async function hmgetCalls(): Promise<number> {
    const stats = await redis.info('commandstats');
    return Number(/cmdstat_hmget:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  }

  it('a pass reads a bounded page of the unfinished sagas, and passes in turn reach an orphan behind many live ones', async () => {
    const keyPrefix = `scan${uniqueSuffix()}`;
    const store = new RedisSagaStore(redis, { keyPrefix });
    const live = ORPHAN_SCAN_PAGE * 2 + 50;
    for (let i = 0; i < live; i++) await store.create(running(`live-${i}`), { owner: 'alive', ttlMs: 60_000 });
    await store.create(running('orphan'));

    const before = await hmgetCalls();
    const first = await store.findOrphaned(Date.now(), 100);
    const read = (await hmgetCalls()) - before;
    assert.ok(read <= ORPHAN_SCAN_PAGE, `one pass read ${read} sagas of ${live + 1}`);
    assert.deepEqual(first, []);

    const found: string[] = [];
    for (let pass = 0; pass < 3 && found.length === 0; pass++) found.push(...(await store.findOrphaned(Date.now(), 100)));
    assert.deepEqual(found, ['orphan']);
  });
});
