import {
  decodeStoredValue,
  encodeStoredValue,
  type IdempotencyStore,
  type OutboxEntry,
  type OutboxStore,
  type ParkedOutboxEntry,
  type SerializedError,
} from '@catga/core';
import type { Cluster, Redis } from 'ioredis';
import { HeldRedisWrite } from '../idempotency/held-redis-write.js';
import { RedisIdempotencyStore } from '../idempotency/redis-idempotency.store.js';
import { redisCall } from '../redis-errors.js';
import { LuaScript } from '../lua-script.js';

/** The hash tag of every outbox key: on Redis Cluster, the slot an idempotency store shares to save events with outcomes. */
export const OUTBOX_HASH_TAG = 'outbox';

export interface RedisOutboxStoreOptions {
  keyPrefix?: string;
}

// Three keys under one hash tag (one Cluster slot): entries (hash id -> JSON), pending (sorted
// set by creation time) and leases (hash id -> "owner|until").
const SAVE = new LuaScript(`
for i = 1, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 2]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
  end
end
return 1`);

const CLAIM = new LuaScript(`
local owner, limit, leaseUntil, before, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. before)
local out = {}
for _, id in ipairs(ids) do
  if #out >= limit then break end
  local lease = redis.call('HGET', KEYS[3], id)
  local free = true
  if lease then
    local sep = string.find(lease, '|', 1, true)
    local holder = string.sub(lease, 1, sep - 1)
    local expires = tonumber(string.sub(lease, sep + 1))
    if holder ~= owner and expires > now then free = false end
  end
  if free then
    redis.call('HSET', KEYS[3], id, owner .. '|' .. leaseUntil)
    table.insert(out, redis.call('HGET', KEYS[1], id))
  end
end
return out`);

const PUBLISHED = new LuaScript(`
for _, id in ipairs(ARGV) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return 1`);

const RELEASE = new LuaScript(`
local owner = ARGV[1]
for i = 2, #ARGV do
  local lease = redis.call('HGET', KEYS[3], ARGV[i])
  if lease and string.sub(lease, 1, #owner + 1) == owner .. '|' then redis.call('HDEL', KEYS[3], ARGV[i]) end
end
return 1`);

// KEYS[4]: parked (sorted set by parking time); ARGV: now, then id and reason JSON pairs. The entry
// stays in KEYS[1]; its reason goes under '<id>#parked' there.
const PARK = new LuaScript(`
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('ZREM', KEYS[2], id) == 1 then
    redis.call('HDEL', KEYS[3], id)
    redis.call('HSET', KEYS[1], id .. '#parked', ARGV[i + 1])
    redis.call('ZADD', KEYS[4], ARGV[1], id)
  end
end
return 1`);

/** Outbox in Redis: atomic saves and leased batches, shared by every instance of a service. */
export class RedisOutboxStore implements OutboxStore {
  private readonly keys: [string, string, string];
  private readonly parkedKey: string;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisOutboxStoreOptions = {},
  ) {
    const p = options.keyPrefix ?? 'catga';
    const base = `${p}:outbox:{${OUTBOX_HASH_TAG}}`;
    this.keys = [`${base}:entries`, `${base}:pending`, `${base}:leases`];
    this.parkedKey = `${base}:parked`;
  }

  async save(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap((e) => [e.id, String(e.createdAt), encodeStoredValue(e)]);
    await redisCall('outbox save', () => SAVE.run(this.redis, 2, this.keys[0], this.keys[1], ...args));
  }

  /**
   * Saves inside a `RedisIdempotencyStore`'s outcome script when both use this connection (on
   * Redis Cluster, also this outbox's slot: its `hashTag` is `OUTBOX_HASH_TAG`). The entries are
   * then written exactly as `save` writes them (an id already there, pending or parked, is left
   * as it is), after the script's owner check.
   */
  savesWith(store: IdempotencyStore): ((entries: readonly OutboxEntry[]) => unknown[]) | undefined {
    if (!(store instanceof RedisIdempotencyStore) || store.redis !== this.redis) return undefined;
    if (this.redis.isCluster && store.hashTag !== OUTBOX_HASH_TAG) return undefined;
    const [entriesKey, pendingKey] = this.keys;
    return (entries) =>
      entries.flatMap((e) => [
        new HeldRedisWrite('HSETNX', entriesKey, [e.id, encodeStoredValue(e)]),
        new HeldRedisWrite('ZADD', pendingKey, [String(e.createdAt), e.id], true),
      ]);
  }

  async claimPending(owner: string, limit: number, leaseMs: number, createdBefore = Number.MAX_SAFE_INTEGER): Promise<OutboxEntry[]> {
    const now = Date.now();
    const raw = (await redisCall('outbox claim', () =>
      CLAIM.run(this.redis, 3, ...this.keys, owner, String(limit), String(now + leaseMs), String(createdBefore), String(now)),
    )) as string[];
    return raw.map((json) => decodeStoredValue<OutboxEntry>(json));
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await redisCall('outbox published', () => PUBLISHED.run(this.redis, 3, ...this.keys, ...ids));
  }

  async release(ids: readonly string[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    await redisCall('outbox release', () => RELEASE.run(this.redis, 3, ...this.keys, owner, ...ids));
  }

  async pendingCount(): Promise<number> {
    return redisCall('outbox count', () => this.redis.zcard(this.keys[1]));
  }

  async park(entries: readonly { id: string; reason: SerializedError }[]): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap((e) => [e.id, JSON.stringify({ reason: e.reason, parkedAt: Date.now() })]);
    await redisCall('outbox park', () => PARK.run(this.redis, 4, ...this.keys, this.parkedKey, String(Date.now()), ...args));
  }

  async parked(limit: number): Promise<ParkedOutboxEntry[]> {
    const ids = await redisCall('outbox parked', () => this.redis.zrange(this.parkedKey, '0', String(limit - 1)));
    if (ids.length === 0) return [];
    const values = await redisCall('outbox parked', () => this.redis.hmget(this.keys[0], ...ids.flatMap((id) => [id, `${id}#parked`])));
    const out: ParkedOutboxEntry[] = [];
    for (let i = 0; i + 1 < values.length; i += 2) {
      const [entry, parking] = [values[i], values[i + 1]];
      if (entry && parking)
        out.push({ ...decodeStoredValue<OutboxEntry>(entry), ...(JSON.parse(parking) as { reason: SerializedError; parkedAt: number }) });
    }
    return out;
  }
}
