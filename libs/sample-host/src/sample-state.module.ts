import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

/** The Redis client the sample services keep their state in, or `null` for in-process state. */
export const SAMPLE_REDIS = Symbol.for('catga.sample-redis');
/** Key prefix of the sample services' state. */
export const SAMPLE_KEY_PREFIX = Symbol.for('catga.sample-key-prefix');

export type SampleRedis = Redis | Cluster | null;

/**
 * Where the sample services keep orders, ledger, stock and notifications: Redis when
 * `CATGA_REDIS_URL` is set (any replica answers for any order), else this process's memory.
 */
@Global()
@Module({
  providers: [
    {
      provide: SAMPLE_REDIS,
      useFactory: async (): Promise<SampleRedis> => {
        if (!process.env.CATGA_REDIS_URL) return null;
        const { redisClientFromEnv } = await import('@catga/redis');
        return redisClientFromEnv();
      },
    },
    { provide: SAMPLE_KEY_PREFIX, useFactory: () => `${process.env.CATGA_REDIS_PREFIX ?? 'catga'}:sample` },
  ],
  exports: [SAMPLE_REDIS, SAMPLE_KEY_PREFIX],
})
export class SampleStateModule implements OnApplicationShutdown {
  constructor(@Inject(SAMPLE_REDIS) private readonly redis: SampleRedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
