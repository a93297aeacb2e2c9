import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import 'reflect-metadata';
import { CatgaModule } from '@catga/core';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
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

  it('given a URL, the stores open their own connection and CatgaModule closes it at shutdown', async () => {
    const stores = redisStores(`redis://127.0.0.1:${server.port}`, { keyPrefix: 'owned' });
    @Module({ imports: [CatgaModule.forRoot({ serviceName: 'owned', stores })] })
    class OwnedModule {}
    const app = await NestFactory.createApplicationContext(OwnedModule, { logger: false });
    await app.init();
    assert.deepEqual(await stores.idempotency.tryClaim('k-2', 'owner-b', 10_000), { status: 'claimed' });
    assert.equal(stores.client.status, 'ready');
    const ended = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the connection was not closed within 5 s of app.close()')), 5_000);
      stores.client.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await app.close();
    await ended;
    assert.equal(stores.client.status, 'end');
  });
});
