import { idempotencyStoreConformance } from '@catga/core/conformance';
import { startRedisServer } from '@catga/testing';
import { Redis } from 'ioredis';
import { sharedTopology } from '../store-harness.spec-helper.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

const harness = sharedTopology(async () => {
  const server = await startRedisServer();
  return { connect: () => new Redis(server.url), stop: () => server.stop() };
});

idempotencyStoreConformance(
  'redis',
  harness((r, keyPrefix) => new RedisIdempotencyStore(r, { keyPrefix })),
);
