import { eventStreamStoreConformance, outboxStoreConformance, sagaStoreConformance } from '@catga/core/conformance';
import { startRedisServer } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisEventStreamStore } from './event-stream/redis-event-stream.store.js';
import { RedisOutboxStore } from './outbox/redis-outbox.store.js';
import { RedisSagaStore } from './saga/redis-saga.store.js';
import { sharedTopology } from './store-harness.spec-helper.js';

const harness = sharedTopology(async () => {
  const server = await startRedisServer();
  return { connect: () => new Redis(server.url), stop: () => server.stop() };
});

sagaStoreConformance(
  'redis',
  harness((r, keyPrefix) => new RedisSagaStore(r, { keyPrefix })),
);
outboxStoreConformance(
  'redis',
  harness((r, keyPrefix) => new RedisOutboxStore(r, { keyPrefix })),
);
eventStreamStoreConformance(
  'redis',
  harness((r, keyPrefix) => new RedisEventStreamStore(r, { keyPrefix })),
);
