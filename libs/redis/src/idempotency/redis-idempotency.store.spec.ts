import { idempotencyStoreConformance, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

let server: RedisServerHandle | undefined;

idempotencyStoreConformance('redis', async () => {
  server = await startRedisServer();
  const keyPrefix = `conf${uniqueSuffix()}`;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(server!.url, { lazyConnect: false });
    clients.push(c);
    return c;
  };
  return {
    store: new RedisIdempotencyStore(client(), { keyPrefix }),
    peer: async () => new RedisIdempotencyStore(client(), { keyPrefix }),
    dispose: async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
      await server?.stop();
    },
  };
});
