import { SAMPLE_KEY_PREFIX, SAMPLE_REDIS, type SampleRedis } from '@catga/sample-host';
import type { Provider } from '@nestjs/common';
import { InMemoryNotificationLog, NotificationLog, RedisNotificationLog } from './notification.log.js';

export const notificationLogProvider: Provider = {
  provide: NotificationLog,
  useFactory: (redis: SampleRedis, prefix: string) => (redis ? new RedisNotificationLog(redis, prefix) : new InMemoryNotificationLog()),
  inject: [SAMPLE_REDIS, SAMPLE_KEY_PREFIX],
};
