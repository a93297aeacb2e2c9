import {
  DEFAULT_SAGA_LIST_LIMIT,
  decodeStoredValue,
  encodeStoredValue,
  ownersDown,
  type SagaQuery,
  type SagaState,
  type SagaStatus,
  type SagaStore,
  TERMINAL_SAGA_STATUSES,
} from '@catga/core';
import type { Cluster, Redis } from 'ioredis';
import { redisCall } from '../redis-errors.js';
import { LuaScript } from '../lua-script.js';

export interface RedisSagaStoreOptions {
  keyPrefix?: string;
  /** How long a finished saga (Completed, Compensated, Failed) is kept, in ms. Default 7 days. */
  finishedRetentionMs?: number;
}

// One hash per saga, `{sagaId}`-tagged: `state` (JSON), `version`, `owner`, `leaseUntil`.
// Compare-and-set and leases are single-key scripts, so they run unchanged on Redis Cluster.
// ARGV[2], ARGV[3]: the lease owner and its expiry (ms since the epoch), or empty.
const CREATE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'version', 1)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'leaseUntil', ARGV[3]) end
return 1`);

// Returns the previous status, so the index is touched only when the status changes.
// ARGV[4]: an owner whose lease this write releases (the saga's last write), or empty.
const UPDATE = new LuaScript(`
local v = redis.call('HMGET', KEYS[1], 'version', 'state', 'owner')
if not v[1] or tonumber(v[1]) ~= tonumber(ARGV[2]) then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'version', tonumber(ARGV[2]) + 1)
if ARGV[4] ~= '' and v[3] == ARGV[4] then redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil') end
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return cjson.decode(v[2]).status`);

// ARGV[4]: the holder to take the lease from (an owner known down), or empty.
const ACQUIRE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local lease = redis.call('HMGET', KEYS[1], 'owner', 'leaseUntil')
local now = tonumber(ARGV[3])
if lease[1] and lease[1] ~= ARGV[1] and lease[1] ~= ARGV[4] and tonumber(lease[2]) > now then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'leaseUntil', now + tonumber(ARGV[2]))
return 1`);

const RELEASE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil') end
return 1`);

const STATUSES: SagaStatus[] = ['Pending', 'Running', 'Compensating', 'Completed', 'Compensated', 'Failed'];

/** Sagas of one status a listing reads at most: the set is scanned, not sorted, so a listing is bounded work. */
const LIST_SCAN_PER_STATUS = 1_000;

/** How long an active listing may wait for its saga to be written before it is dropped. */
const ORPHAN_LISTING_GRACE_MS = 60_000;
/** Unfinished sagas one recovery pass looks at. */
export const ORPHAN_SCAN_PAGE = 200;

/**
 * Saga state in Redis. The by-status index (a set per status, and a sorted set of unfinished
 * sagas) lives on other slots, so it is written apart from the saga: the active listing before
 * the create (so a saga always has one), the rest after the compare-and-set. `findOrphaned`
 * re-reads each saga, so a stale index entry never resumes a finished saga.
 */
export class RedisSagaStore implements SagaStore {
  private readonly prefix: string;
  private readonly retentionMs: number;
  /** Where the next orphan scan starts in the unfinished set. */
  private scanCursor = 0;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisSagaStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'catga';
    this.retentionMs = options.finishedRetentionMs ?? 7 * 24 * 3600_000;
  }

  async create(state: SagaState, lease?: { owner: string; ttlMs: number }): Promise<boolean> {
    const stored = { ...state, version: 1 };
    delete stored.lease;
    // Listed as active before it exists: an instance dying right after the create leaves a saga
    // that recovery can find. (The other order could leave one no instance would ever resume.)
    await redisCall('saga index', () => this.redis.zadd(this.activeKey(), 'NX', String(state.createdAt), state.sagaId));
    const owner = lease?.owner ?? '';
    const until = lease ? String(Date.now() + lease.ttlMs) : '';
    const created =
      (await redisCall('saga create', () => CREATE.run(this.redis, 1, this.key(state.sagaId), encodeStoredValue(stored), owner, until))) ===
      1;
    if (created) await this.index(state.sagaId, undefined, state.status, state.createdAt);
    return created;
  }

  async get(sagaId: string): Promise<SagaState | undefined> {
    const [json, version, owner, leaseUntil] = await redisCall('saga get', () =>
      this.redis.hmget(this.key(sagaId), 'state', 'version', 'owner', 'leaseUntil'),
    );
    if (!json) return undefined;
    const state = decodeStoredValue<SagaState>(json);
    state.version = Number(version);
    if (owner) state.lease = { owner, expiresAt: Number(leaseUntil) };
    else delete state.lease;
    return state;
  }

  async update(state: SagaState, expectedVersion: number, releaseLeaseOf?: string): Promise<boolean> {
    const stored = { ...state, version: expectedVersion + 1 };
    delete stored.lease;
    const finished = TERMINAL_SAGA_STATUSES.includes(state.status);
    const previous = (await redisCall('saga update', () =>
      UPDATE.run(
        this.redis,
        1,
        this.key(state.sagaId),
        encodeStoredValue(stored),
        String(expectedVersion),
        String(finished ? this.retentionMs : 0),
        releaseLeaseOf ?? '',
      ),
    )) as SagaStatus | null;
    if (previous === null) return false;
    if (previous !== state.status) await this.index(state.sagaId, previous, state.status, state.createdAt);
    return true;
  }

  async acquireLease(sagaId: string, owner: string, ttlMs: number, takeFrom?: string): Promise<boolean> {
    const args = [owner, String(ttlMs), String(Date.now()), takeFrom ?? ''];
    return (await redisCall('saga lease', () => ACQUIRE.run(this.redis, 1, this.key(sagaId), ...args))) === 1;
  }

  async releaseLease(sagaId: string, owner: string): Promise<void> {
    await redisCall('saga release', () => RELEASE.run(this.redis, 1, this.key(sagaId), owner));
  }

  /**
   * Looks at one page of the unfinished sagas per call (oldest first, `ORPHAN_SCAN_PAGE` at most,
   * its sagas read in one batch), resuming after the page the previous call read, so each
   * recovery pass costs the same however many sagas run, and every saga is looked at in turn.
   */
  async findOrphaned(now: number, limit: number, ownerIsDown?: (owner: string) => Promise<boolean>): Promise<string[]> {
    const start = this.scanCursor;
    const page = await redisCall('saga orphans', () =>
      this.redis.zrange(this.activeKey(), String(start), String(start + ORPHAN_SCAN_PAGE - 1), 'WITHSCORES'),
    );
    const listed: Array<{ sagaId: string; listedAt: number }> = [];
    for (let i = 0; i + 1 < page.length; i += 2) listed.push({ sagaId: page[i]!, listedAt: Number(page[i + 1]) });
    this.scanCursor = listed.length < ORPHAN_SCAN_PAGE ? 0 : start + listed.length;
    const leases = await redisCall('saga orphans', () =>
      Promise.all(listed.map(({ sagaId }) => this.redis.hmget(this.key(sagaId), 'state', 'leaseUntil', 'owner'))),
    );
    const down = await ownersDown(
      leases.map(([, leaseUntil, owner]) => (owner && Number(leaseUntil) > now ? owner : undefined)),
      ownerIsDown,
    );
    const out: string[] = [];
    const stale: string[] = [];
    listed.forEach(({ sagaId, listedAt }, i) => {
      const [json, leaseUntil, owner] = leases[i]!;
      // Listed but not created: an instance between the two writes, or one that died there.
      if (!json) {
        if (now - listedAt > ORPHAN_LISTING_GRACE_MS) stale.push(sagaId);
        return;
      }
      if (TERMINAL_SAGA_STATUSES.includes((JSON.parse(json) as SagaState).status)) stale.push(sagaId);
      else if ((!owner || Number(leaseUntil) <= now || down.has(owner)) && out.length < limit) out.push(sagaId);
    });
    if (stale.length > 0) {
      await redisCall('saga index', () => this.redis.zrem(this.activeKey(), ...stale));
      // What was removed shifts the rest down: the next page starts that much earlier.
      if (this.scanCursor > 0) this.scanCursor = Math.max(0, this.scanCursor - stale.length);
    }
    return out;
  }

  async countByStatus(): Promise<Record<SagaStatus, number>> {
    const counts = await Promise.all(STATUSES.map((s) => redisCall('saga count', () => this.redis.scard(this.statusKey(s)))));
    return Object.fromEntries(STATUSES.map((s, i) => [s, counts[i]!])) as Record<SagaStatus, number>;
  }

  // The index writes are independent of each other (each is re-checked on read), so they go out
  // together: one round trip rather than three. A new saga is listed as active already.
  /**
   * Reads up to `LIST_SCAN_PER_STATUS` sagas of each status asked (SSCAN of its set, then the
   * states in one batch) and returns the most recently updated; ids whose saga expired are dropped
   * from the set on the way.
   */
  async list(query: SagaQuery = {}): Promise<SagaState[]> {
    const statuses = query.status ? [query.status] : STATUSES;
    const found: SagaState[] = [];
    for (const status of statuses) {
      const ids = await this.scanStatus(status);
      const rows = await redisCall('saga list', () =>
        Promise.all(ids.map((id) => this.redis.hmget(this.key(id), 'state', 'version', 'owner', 'leaseUntil'))),
      );
      const expired: string[] = [];
      rows.forEach(([json, version, owner, leaseUntil], i) => {
        if (!json) return void expired.push(ids[i]!);
        const state = decodeStoredValue<SagaState>(json);
        if (query.sagaName && state.sagaName !== query.sagaName) return;
        state.version = Number(version);
        if (owner) state.lease = { owner, expiresAt: Number(leaseUntil) };
        else delete state.lease;
        found.push(state);
      });
      if (expired.length > 0) await redisCall('saga index', () => this.redis.srem(this.statusKey(status), ...expired));
    }
    return found.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, query.limit ?? DEFAULT_SAGA_LIST_LIMIT);
  }

  private async scanStatus(status: SagaStatus): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redisCall('saga list', () => this.redis.sscan(this.statusKey(status), cursor, 'COUNT', 200));
      for (const id of batch) if (ids.size < LIST_SCAN_PER_STATUS) ids.add(id);
      cursor = next;
    } while (cursor !== '0' && ids.size < LIST_SCAN_PER_STATUS);
    return [...ids];
  }

  private async index(sagaId: string, from: SagaStatus | undefined, to: SagaStatus, createdAt: number): Promise<void> {
    await redisCall('saga index', async () => {
      const writes: Array<Promise<unknown>> = [this.redis.sadd(this.statusKey(to), sagaId)];
      if (from && from !== to) writes.push(this.redis.srem(this.statusKey(from), sagaId));
      if (TERMINAL_SAGA_STATUSES.includes(to)) writes.push(this.redis.zrem(this.activeKey(), sagaId));
      else if (from) writes.push(this.redis.zadd(this.activeKey(), String(createdAt), sagaId));
      await Promise.all(writes);
    });
  }

  private key(sagaId: string): string {
    return `${this.prefix}:saga:{${sagaId}}`;
  }

  private activeKey(): string {
    return `${this.prefix}:sagas:{active}`;
  }

  private statusKey(status: SagaStatus): string {
    return `${this.prefix}:sagas:{status-${status}}`;
  }
}
