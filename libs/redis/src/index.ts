export { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './idempotency/redis-idempotency.store.js';
export { RedisSagaStore, type RedisSagaStoreOptions } from './saga/redis-saga.store.js';
export { OUTBOX_HASH_TAG, RedisOutboxStore, type RedisOutboxStoreOptions } from './outbox/redis-outbox.store.js';
export { RedisEventStreamStore, type RedisEventStreamStoreOptions } from './event-stream/redis-event-stream.store.js';
export {
  redisClientFromEnv,
  redisStores,
  redisStoresFromEnv,
  type RedisStores,
  type RedisStoreSet,
  type RedisStoresOptions,
} from './redis-stores.from-env.js';
export { RedisStreamsTransport } from './transport/redis-streams.transport.js';
export type { RedisStreamsTransportOptions } from './transport/redis-streams-transport-options.interface.js';
export { resolveRedisStreamsSettings, type RedisStreamsSettings } from './transport/redis-streams-settings.js';
export { redisStreamsTransport } from './transport/redis-streams-transport.factory.js';
export { RedisHealthIndicator } from './health/redis.health.js';
export { holdRedisWrite, HeldRedisWrite } from './idempotency/held-redis-write.js';
export { redisCall } from './redis-errors.js';
export { LuaScript } from './lua-script.js';
