import type { CatgaStores } from '@catga/core';
import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { RedisEventStreamStore } from './event-stream/redis-event-stream.store.js';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency.store.js';
import { RedisOutboxStore } from './outbox/redis-outbox.store.js';
import { RedisSagaStore } from './saga/redis-saga.store.js';

export interface RedisStores extends Required<CatgaStores> {
  readonly client: Redis | Cluster;
  close(): Promise<void>;
}

function hostPort(entry: string): { host: string; port: number } {
  const url = new URL(entry.includes('://') ? entry : `redis://${entry}`);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/**
 * A Redis client from the environment: `CATGA_REDIS_URL` (`redis://host:port`, or comma-separated
 * nodes with `CATGA_REDIS_MODE=cluster` or `sentinel`; `CATGA_REDIS_SENTINEL_NAME`, default `catga`).
 */
export function redisClientFromEnv(env: NodeJS.ProcessEnv = process.env): Redis | Cluster {
  const client = createClient(env);
  // One line per outage, not one per reconnect attempt; without a listener ioredis prints each.
  const logger = new Logger('CatgaRedis');
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn(`Redis unreachable: ${error.message}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log('Redis reachable again');
    down = false;
  });
  return client;
}

function createClient(env: NodeJS.ProcessEnv): Redis | Cluster {
  const url = env.CATGA_REDIS_URL;
  if (!url) throw new Error('CATGA_REDIS_URL is not set');
  const nodes = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Fail a command after two reconnect attempts rather than twenty: callers get a retryable
  // STORE_UNAVAILABLE within seconds and the pipeline's retry (or the caller's) takes over.
  const common = { maxRetriesPerRequest: 2, connectTimeout: 2_000 };
  switch (env.CATGA_REDIS_MODE ?? 'single') {
    case 'cluster':
      return new Cluster(nodes.map(hostPort), { redisOptions: common });
    case 'sentinel':
      return new Redis({ ...common, sentinels: nodes.map(hostPort), name: env.CATGA_REDIS_SENTINEL_NAME ?? 'catga' });
    case 'single':
      return new Redis(nodes[0]!, common);
    default:
      throw new Error(`CATGA_REDIS_MODE must be single, cluster or sentinel, not "${env.CATGA_REDIS_MODE}"`);
  }
}

/** Every Catga store on one Redis connection, with keys under `CATGA_REDIS_PREFIX` (default `catga`). */
export function redisStoresFromEnv(env: NodeJS.ProcessEnv = process.env): RedisStores {
  const client = redisClientFromEnv(env);
  const keyPrefix = env.CATGA_REDIS_PREFIX ?? 'catga';
  return {
    client,
    idempotency: new RedisIdempotencyStore(client, { keyPrefix }),
    saga: new RedisSagaStore(client, { keyPrefix }),
    outbox: new RedisOutboxStore(client, { keyPrefix }),
    eventStream: new RedisEventStreamStore(client, { keyPrefix }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
