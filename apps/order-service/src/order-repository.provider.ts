import { SAMPLE_KEY_PREFIX, SAMPLE_REDIS, type SampleRedis } from '@catga/sample-host';
import type { Provider } from '@nestjs/common';
import { InMemoryOrderRepository, OrderRepository, RedisOrderRepository } from './order.repository.js';

export const orderRepositoryProvider: Provider = {
  provide: OrderRepository,
  useFactory: (redis: SampleRedis, prefix: string) => (redis ? new RedisOrderRepository(redis, prefix) : new InMemoryOrderRepository()),
  inject: [SAMPLE_REDIS, SAMPLE_KEY_PREFIX],
};
