export { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './idempotency/redis-idempotency.store.js';
