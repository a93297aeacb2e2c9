import { CATGA_IDEMPOTENCY_STORE, type IdempotencyStore } from '@catga/core';
import { withTimeout } from '@catga/core/transport';

import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Cluster, type Redis } from 'ioredis';
import { RedisIdempotencyStore } from '../idempotency/redis-idempotency.store.js';

/**
 * Terminus indicator for the Redis Catga's stores use: PING within a time limit, with the mode
 * (single, cluster, sentinel) and the round trip. Reports `up` with `mode: 'none'` when the
 * stores are not on Redis.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(CATGA_IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
  ) {}

  async isHealthy<const Key extends string = 'redis'>(key: Key = 'redis' as Key, timeoutMs = 1_000): Promise<HealthIndicatorResult<Key>> {
    const session = this.health.check(key);
    if (!(this.store instanceof RedisIdempotencyStore)) return session.up({ mode: 'none' });
    const client = this.store.redis;
    const mode = client instanceof Cluster ? 'cluster' : (client as Redis).options.sentinels ? 'sentinel' : 'single';
    const started = performance.now();
    try {
      await withTimeout(client.ping(), timeoutMs, () => new Error(`no PONG within ${timeoutMs} ms`));
      return session.up({ mode, responseTimeMs: Math.round((performance.now() - started) * 10) / 10 });
    } catch (error) {
      return session.down({ mode, message: (error as Error).message });
    }
  }
}
