import type { CatgaStores } from '@catga/core';
import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { RedisEventStreamStore } from './event-stream/redis-event-stream.store.js';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency.store.js';
import { OUTBOX_HASH_TAG, RedisOutboxStore } from './outbox/redis-outbox.store.js';
import { RedisSagaStore } from './saga/redis-saga.store.js';

/** Every Catga store on one Redis connection: what `CatgaModule.forRoot({ stores })` takes. */
export interface RedisStoreSet extends Required<CatgaStores> {
  readonly idempotency: RedisIdempotencyStore;
  readonly saga: RedisSagaStore;
  readonly outbox: RedisOutboxStore;
  readonly eventStream: RedisEventStreamStore;
}

/** The stores on a connection made from the environment, which `close` ends. */
export interface RedisStores extends RedisStoreSet {
  readonly client: Redis | Cluster;
  close(): Promise<void>;
}

export interface RedisStoresOptions {
  /** First part of every key, to keep applications or runs apart on one Redis. Default `catga`. */
  keyPrefix?: string;
}

/**
 * Every Catga store on one Redis connection, set up as they belong together: the outbox is saved
 * in the same script as the outcome, and on a Cluster every claim shares the outbox's slot so that
 * script can run. Given a URL (`redis://user:pass@host:6379`, `rediss://` for TLS), the stores open
 * the connection (reconnecting every 250 ms at most, as `CATGA_REDIS_URL` does) and `CatgaModule`
 * closes it at shutdown. Given the application's client (a `Redis`, a Sentinel `Redis` or a
 * `Cluster`), the connection stays the application's to close.
 */
export function redisStores(url: string, options?: RedisStoresOptions): RedisStores;
export function redisStores(client: Redis | Cluster, options?: RedisStoresOptions): RedisStoreSet;
export function redisStores(connection: string | Redis | Cluster, options: RedisStoresOptions = {}): RedisStoreSet | RedisStores {
  if (typeof connection === 'string') return owningStores(redisClientFromEnv({ CATGA_REDIS_URL: connection }), options);
  const client = connection;
  const keyPrefix = options.keyPrefix ?? 'catga';
  return {
    idempotency: new RedisIdempotencyStore(client, { keyPrefix, ...(client.isCluster ? { hashTag: OUTBOX_HASH_TAG } : {}) }),
    saga: new RedisSagaStore(client, { keyPrefix }),
    outbox: new RedisOutboxStore(client, { keyPrefix }),
    eventStream: new RedisEventStreamStore(client, { keyPrefix }),
  };
}

function urlOf(entry: string): URL {
  return new URL(entry.includes('://') ? entry : `redis://${entry}`);
}

function hostPort(entry: string): { host: string; port: number } {
  const url = urlOf(entry);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/**
 * What every connection to a data node needs to authenticate and encrypt, in every mode: the user
 * and password of the first node's URL (`redis://user:pass@host`) or `CATGA_REDIS_USERNAME` /
 * `CATGA_REDIS_PASSWORD`, TLS for `rediss://` or `CATGA_REDIS_TLS_CA` (a CA file to trust).
 */
function securityFromEnv(first: string, env: NodeJS.ProcessEnv): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const url = urlOf(first);
  const out: Pick<RedisOptions, 'username' | 'password' | 'tls'> = {};
  const username = env.CATGA_REDIS_USERNAME ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = env.CATGA_REDIS_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : undefined);
  if (username) out.username = username;
  if (password) out.password = password;
  const ca = env.CATGA_REDIS_TLS_CA;
  if (url.protocol === 'rediss:' || ca) out.tls = ca ? { ca: readFileSync(ca) } : {};
  return out;
}

/**
 * A Redis client from the environment: `CATGA_REDIS_URL` (`redis://host:port`, or comma-separated
 * nodes with `CATGA_REDIS_MODE=cluster` or `sentinel`; `CATGA_REDIS_SENTINEL_NAME`, default `catga`),
 * with credentials and TLS in every mode (`securityFromEnv`; Sentinel's own with
 * `CATGA_REDIS_SENTINEL_USERNAME` / `CATGA_REDIS_SENTINEL_PASSWORD`), and ioredis's auto-pipelining on.
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

/** Attempts a command waits through while its connection is down: about 3 s of `reconnectDelayMs`. */
const COMMAND_RECONNECT_ATTEMPTS = 12;

/** 50, 100, 150, 200, then 250 ms between reconnect attempts, with up to 50 ms of jitter. */
function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * attempt, 250) + Math.floor(Math.random() * 50);
}

function createClient(env: NodeJS.ProcessEnv): Redis | Cluster {
  const url = env.CATGA_REDIS_URL;
  if (!url) throw new Error('CATGA_REDIS_URL is not set');
  const nodes = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Reconnect every quarter second at most (ioredis's default backs off to 5 s: a Sentinel
  // promotion at 2.5 s was first tried at 3.1 s and more), and fail a command after about 3 s
  // of that: it runs at once when Redis is back within it (a restart, a promotion), and
  // otherwise its caller gets a retryable STORE_UNAVAILABLE and the retries take over.
  const common = {
    retryStrategy: reconnectDelayMs,
    maxRetriesPerRequest: COMMAND_RECONNECT_ATTEMPTS,
    connectTimeout: 2_000,
    ...securityFromEnv(nodes[0]!, env),
  };
  // The commands of one event-loop turn leave in one write (DECISIONS.md, Redis).
  const enableAutoPipelining = true;
  switch (env.CATGA_REDIS_MODE ?? 'single') {
    case 'cluster':
      return new Cluster(nodes.map(hostPort), { redisOptions: common, enableAutoPipelining });
    case 'sentinel':
      return new Redis({
        ...common,
        enableAutoPipelining,
        sentinels: nodes.map(hostPort),
        name: env.CATGA_REDIS_SENTINEL_NAME ?? 'catga',
        // Sentinels have their own auth; with TLS on, they are reached over TLS too.
        ...(env.CATGA_REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.CATGA_REDIS_SENTINEL_PASSWORD } : {}),
        ...(env.CATGA_REDIS_SENTINEL_USERNAME ? { sentinelUsername: env.CATGA_REDIS_SENTINEL_USERNAME } : {}),
        ...(common.tls ? { enableTLSForSentinelMode: true, sentinelTLS: common.tls } : {}),
      });
    case 'single':
      return new Redis(nodes[0]!, { ...common, enableAutoPipelining });
    default:
      throw new Error(`CATGA_REDIS_MODE must be single, cluster or sentinel, not "${env.CATGA_REDIS_MODE}"`);
  }
}

/** Every Catga store on one Redis connection, with keys under `CATGA_REDIS_PREFIX` (default `catga`). */
export function redisStoresFromEnv(env: NodeJS.ProcessEnv = process.env): RedisStores {
  return owningStores(redisClientFromEnv(env), { keyPrefix: env.CATGA_REDIS_PREFIX ?? 'catga' });
}

/** The stores on a connection they opened, which their `close` ends. */
function owningStores(client: Redis | Cluster, options: RedisStoresOptions): RedisStores {
  return {
    ...redisStores(client, options),
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
