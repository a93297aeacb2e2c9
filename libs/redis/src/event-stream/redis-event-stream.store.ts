import {
  ConcurrencyConflictError,
  decodeStoredValue,
  encodeStoredValue,
  type EventStreamStore,
  type NewStreamEvent,
  type StoredStreamEvent,
} from '@catga/core';
import type { Cluster, Redis } from 'ioredis';
import { redisCall } from '../redis-errors.js';
import { LuaScript } from '../lua-script.js';

export interface RedisEventStreamStoreOptions {
  keyPrefix?: string;
}

// A Redis Stream per aggregate; entry ids are `0-<version>`, so the version is the id and reads
// from a version are an XRANGE. The expected-version check and the appends are one script.
const APPEND = new LuaScript(`
local n = redis.call('XLEN', KEYS[1])
if n ~= tonumber(ARGV[1]) then return {0, n} end
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], '0-' .. (n + i - 1), 'e', ARGV[i])
end
return {1, n + #ARGV - 1}`);

/** Per-aggregate event history on Redis Streams with optimistic concurrency. */
export class RedisEventStreamStore implements EventStreamStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisEventStreamStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'catga';
  }

  async append(streamId: string, events: readonly NewStreamEvent[], expectedVersion: number): Promise<number> {
    const timestamp = Date.now();
    const payloads = events.map((e) => encodeStoredValue({ ...e, timestamp }));
    const [ok, version] = (await redisCall('stream append', () =>
      APPEND.run(this.redis, 1, this.key(streamId), String(expectedVersion), ...payloads),
    )) as [number, number];
    if (ok !== 1) {
      throw new ConcurrencyConflictError(`Stream "${streamId}" is at version ${version}, expected ${expectedVersion}`, {
        details: { streamId, expectedVersion, actualVersion: version },
      });
    }
    return version;
  }

  async read(streamId: string, afterVersion = 0, limit = Number.MAX_SAFE_INTEGER): Promise<StoredStreamEvent[]> {
    const count = Math.min(limit, 1_000_000_000);
    const entries = await redisCall('stream read', () =>
      this.redis.xrange(this.key(streamId), `0-${afterVersion + 1}`, '+', 'COUNT', count),
    );
    return entries.map(([id, fields]) => {
      const event = decodeStoredValue<NewStreamEvent & { timestamp: number }>(fields[1]!);
      return { ...event, streamId, version: Number(id.split('-')[1]) };
    });
  }

  async version(streamId: string): Promise<number> {
    return redisCall('stream version', () => this.redis.xlen(this.key(streamId)));
  }

  private key(streamId: string): string {
    return `${this.prefix}:es:{${streamId}}`;
  }
}
