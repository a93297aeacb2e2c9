import { decodeStoredValue, encodeStoredValue, type ClaimResult, type IdempotencyOutcome, type IdempotencyStore } from '@catga/core';
import { type HealthReport, type HealthReporting, pollWithBackoff, withTimeout } from '@catga/core/transport';

import type { Cluster, Redis } from 'ioredis';
import { redisCall } from '../redis-errors.js';
import { HeldRedisWrite } from './held-redis-write.js';
import { LuaScript } from '../lua-script.js';

export interface RedisIdempotencyStoreOptions {
  /** First part of every key. Default `catga`. */
  keyPrefix?: string;
  /** How often a waiter looks for the outcome, at most, in ms. Default 200. */
  maxPollIntervalMs?: number;
  /**
   * One Redis Cluster hash tag for every key (`<prefix>:idem:{<hashTag>}:<key>`) instead of each
   * key its own (`<prefix>:idem:{<key>}`). With the outbox's (`OUTBOX_HASH_TAG`), a handling's
   * outcome and its events are saved in one script on a Cluster too, at the cost of keeping
   * every claim on one master. Only Redis Cluster needs it; `redisStoresFromEnv` sets it there.
   */
  hashTag?: string;
}

// One hash per key: state (claimed|completed), owner, outcome (JSON). Each script touches one key,
// so it runs unchanged on Redis Cluster.
const CLAIM = new LuaScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'owner', 'outcome')
if not v[1] then
  redis.call('HSET', KEYS[1], 'state', 'claimed', 'owner', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'claimed'}
end
if v[1] == 'completed' then return {'completed', v[3]} end
return {'in-progress', v[2]}`);

// KEYS[2..] are the keys of the writes held with the outcome; ARGV[4] = JSON
// [[command, [args...], onlyIfPreviousReplied1?], ...] in the same order (`[]` when none). They
// run after the owner check; a write with the flag runs only if the one before it replied 1.
const COMPLETE = new LuaScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'owner')
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] then return 0 end
local last = 0
for i, w in ipairs(cjson.decode(ARGV[4])) do
  if w[3] == nil or last == 1 then last = redis.call(w[1], KEYS[i + 1], unpack(w[2])) else last = 0 end
end
redis.call('HSET', KEYS[1], 'state', 'completed', 'outcome', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

const RENEW = new LuaScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'owner')
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

const TAKE_OVER = new LuaScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'owner')
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

const RELEASE = new LuaScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'owner')
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);

type Client = Redis | Cluster;

/**
 * Idempotency records in Redis, shared by every replica; claims are atomic (Lua). A handler's
 * `holdRedisWrite` writes are applied in the script that stores its outcome.
 */
export class RedisIdempotencyStore implements IdempotencyStore, HealthReporting {
  readonly holdsWrites = true;
  readonly hashTag: string | undefined;
  private readonly prefix: string;
  private readonly maxPoll: number;

  constructor(
    readonly redis: Client,
    options: RedisIdempotencyStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'catga';
    this.maxPoll = options.maxPollIntervalMs ?? 200;
    this.hashTag = options.hashTag;
  }

  async tryClaim(key: string, owner: string, claimTtlMs: number): Promise<ClaimResult> {
    const reply = (await redisCall('claim', () => CLAIM.run(this.redis, 1, this.key(key), owner, String(claimTtlMs)))) as string[];
    if (reply[0] === 'claimed') return { status: 'claimed' };
    if (reply[0] === 'completed') return { status: 'completed', outcome: decodeStoredValue<IdempotencyOutcome>(reply[1]!) };
    return { status: 'in-progress', owner: reply[1] ?? '' };
  }

  async complete(
    key: string,
    owner: string,
    outcome: IdempotencyOutcome,
    retentionMs: number,
    writes: readonly unknown[] = [],
  ): Promise<boolean> {
    const json = encodeStoredValue(outcome.ok ? { ok: true, result: outcome.result ?? null } : outcome);
    const held = writes.map((w) => {
      if (!(w instanceof HeldRedisWrite)) throw new TypeError('The Redis idempotency store applies only writes held with holdRedisWrite');
      return w;
    });
    const keys = [this.key(key), ...held.map((w) => w.key)];
    const encoded = JSON.stringify(held.map((w) => (w.onlyIfPreviousReplied1 ? [w.command, w.args, 1] : [w.command, w.args])));
    return (
      (await redisCall('complete', () => COMPLETE.run(this.redis, keys.length, ...keys, owner, json, String(retentionMs), encoded))) === 1
    );
  }

  async takeOver(key: string, from: string, to: string, claimTtlMs: number): Promise<boolean> {
    return (await redisCall('take over', () => TAKE_OVER.run(this.redis, 1, this.key(key), from, to, String(claimTtlMs)))) === 1;
  }

  async renewClaim(key: string, owner: string, claimTtlMs: number): Promise<boolean> {
    return (await redisCall('renew', () => RENEW.run(this.redis, 1, this.key(key), owner, String(claimTtlMs)))) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await redisCall('release', () => RELEASE.run(this.redis, 1, this.key(key), owner));
  }

  async get(key: string): Promise<IdempotencyOutcome | undefined> {
    const [state, outcome] = await redisCall('get', () => this.redis.hmget(this.key(key), 'state', 'outcome'));
    return state === 'completed' && outcome ? decodeStoredValue<IdempotencyOutcome>(outcome) : undefined;
  }

  async waitForOutcome(key: string, timeoutMs: number): Promise<IdempotencyOutcome | undefined> {
    // `{ outcome: undefined }` when the claim is gone (released): nothing more to wait for.
    const found = await pollWithBackoff(
      async () => {
        const [state, outcome] = await redisCall('wait', () => this.redis.hmget(this.key(key), 'state', 'outcome'));
        if (state === 'completed' && outcome) return { outcome: decodeStoredValue<IdempotencyOutcome>(outcome) };
        return state ? undefined : { outcome: undefined };
      },
      Date.now() + timeoutMs,
      { initialMs: 10, maxMs: this.maxPoll },
    );
    return found?.outcome;
  }

  /** PING within a second: the health of the Redis every Catga store here uses. */
  async health(): Promise<HealthReport> {
    const started = performance.now();
    try {
      await withTimeout(this.redis.ping(), 1_000, () => new Error('no PONG within 1000 ms'));
      return { up: true, details: { redis: true, rttMs: Math.round((performance.now() - started) * 10) / 10 } };
    } catch (error) {
      return { up: false, details: { redis: false, error: (error as Error).message } };
    }
  }

  /** The Redis key of an idempotency key: hash-tagged, so it lives on one Cluster slot. */
  key(key: string): string {
    return this.hashTag === undefined ? `${this.prefix}:idem:{${key}}` : `${this.prefix}:idem:{${this.hashTag}}:${key}`;
  }
}
