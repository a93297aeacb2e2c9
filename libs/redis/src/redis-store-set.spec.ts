import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { redisStores } from './redis-stores.from-env.js';

describe('redisStores on the application’s connection', () => {
  let server: RedisServerHandle;
  let client: Redis;

  before(async () => {
    server = await startRedisServer();
    client = new Redis(server.port, '127.0.0.1');
  });

  after(async () => {
    await client?.quit();
    await server?.stop();
  });

  it('gives every store under the prefix, the outbox saved with the outcome, and leaves the connection open', async () => {
    const stores = redisStores(client, { keyPrefix: 'shop' });
    assert.ok(stores.outbox.savesWith(stores.idempotency), 'the outbox is saved in the outcome script');
    assert.deepEqual(await stores.idempotency.tryClaim('k-1', 'owner-a', 10_000), { status: 'claimed' });
    assert.ok(await stores.idempotency.complete('k-1', 'owner-a', { ok: true, result: { at: new Date(0) } }, 60_000));
    assert.deepEqual(await stores.idempotency.get('k-1'), { ok: true, result: { at: new Date(0) } });
    const keys = await client.keys('*');
    assert.ok(keys.length > 0 && keys.every((key) => key.startsWith('shop:')), keys.join(' '));
    assert.equal(await client.ping(), 'PONG');
  });
});
