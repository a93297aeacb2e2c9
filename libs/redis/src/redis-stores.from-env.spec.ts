import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import type { Cluster, Redis } from 'ioredis';
import { redisClientFromEnv, redisStoresFromEnv } from './redis-stores.from-env.js';

describe('Redis credentials from the environment', () => {
  let server: RedisServerHandle;

  before(async () => {
    server = await startRedisServer();
    await server.command(['CONFIG', 'SET', 'requirepass', 's3cret']);
  });

  after(async () => {
    await server?.stop();
  });

  const roundTrip = async (env: NodeJS.ProcessEnv) => {
    const stores = redisStoresFromEnv(env);
    try {
      return await stores.client.set(`creds:${Date.now()}`, '1', 'PX', 10_000);
    } finally {
      await stores.close();
    }
  };

  it('a password in CATGA_REDIS_URL or in CATGA_REDIS_PASSWORD reaches a server that requires it', async () => {
    assert.equal(await roundTrip({ CATGA_REDIS_URL: `redis://:s3cret@127.0.0.1:${server.port}` }), 'OK');
    assert.equal(await roundTrip({ CATGA_REDIS_URL: `redis://127.0.0.1:${server.port}`, CATGA_REDIS_PASSWORD: 's3cret' }), 'OK');
    await assert.rejects(roundTrip({ CATGA_REDIS_URL: `redis://127.0.0.1:${server.port}` }), /NOAUTH|Authentication required/);
  });

  it('Sentinel and Cluster modes keep the password, the user and TLS, and Sentinel its own auth', async () => {
    const base = { CATGA_REDIS_URL: 'rediss://app:pw@127.0.0.1:1,127.0.0.1:2', CATGA_REDIS_SENTINEL_PASSWORD: 'sp' };
    const sentinel = redisClientFromEnv({ ...base, CATGA_REDIS_MODE: 'sentinel' }) as Redis;
    const cluster = redisClientFromEnv({ ...base, CATGA_REDIS_MODE: 'cluster' }) as Cluster;
    try {
      assert.equal(sentinel.options.username, 'app');
      assert.equal(sentinel.options.password, 'pw');
      assert.equal(sentinel.options.sentinelPassword, 'sp');
      assert.ok(sentinel.options.tls);
      assert.equal(sentinel.options.enableTLSForSentinelMode, true);
      assert.equal(cluster.options.redisOptions?.username, 'app');
      assert.equal(cluster.options.redisOptions?.password, 'pw');
      assert.ok(cluster.options.redisOptions?.tls);
    } finally {
      sentinel.disconnect();
      cluster.disconnect();
    }
  });
});
