import { eventStreamStoreConformance, outboxStoreConformance, sagaStoreConformance, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisEventStreamStore } from './event-stream/redis-event-stream.store.js';
import { RedisOutboxStore } from './outbox/redis-outbox.store.js';
import { RedisSagaStore } from './saga/redis-saga.store.js';

let server: RedisServerHandle | undefined;
let users = 0;

/** One redis-server for the file; each suite gets its own key prefix and clients. */
function harness<S>(make: (redis: Redis, keyPrefix: string) => S) {
  return async () => {
    users++;
    server ??= await startRedisServer();
    const keyPrefix = `conf${uniqueSuffix()}`;
    const clients: Redis[] = [];
    const client = () => {
      const c = new Redis(server!.url);
      clients.push(c);
      return c;
    };
    return {
      store: make(client(), keyPrefix),
      peer: async () => make(client(), keyPrefix),
      dispose: async () => {
        await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
        if (--users === 0) {
          await server?.stop();
          server = undefined;
        }
      },
    };
  };
}

sagaStoreConformance('redis', harness((r, keyPrefix) => new RedisSagaStore(r, { keyPrefix })));
outboxStoreConformance('redis', harness((r, keyPrefix) => new RedisOutboxStore(r, { keyPrefix })));
eventStreamStoreConformance('redis', harness((r, keyPrefix) => new RedisEventStreamStore(r, { keyPrefix })));
