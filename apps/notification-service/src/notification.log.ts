import type { NotificationRecord } from '@catga/order-contracts';
import type { Cluster, Redis } from 'ioredis';
import { redisCall } from '@catga/redis';

/** Notifications sent, in order. */
export abstract class NotificationLog {
  abstract add(record: NotificationRecord): Promise<void>;
  abstract list(orderId?: string): Promise<NotificationRecord[]>;
}

export class InMemoryNotificationLog extends NotificationLog {
  private readonly records: NotificationRecord[] = [];

  async add(record: NotificationRecord): Promise<void> {
    this.records.push(record);
  }

  async list(orderId?: string): Promise<NotificationRecord[]> {
    return this.records.filter((r) => orderId === undefined || r.orderId === orderId).map((r) => ({ ...r }));
  }
}

/** Notifications in Redis: a list per order and one of all. */
export class RedisNotificationLog extends NotificationLog {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    super();
  }

  async add(record: NotificationRecord): Promise<void> {
    const json = JSON.stringify(record);
    await redisCall('rpush', () => this.redis.rpush(this.key(record.orderId), json));
    await redisCall('rpush', () => this.redis.rpush(this.key('*all*'), json));
  }

  async list(orderId?: string): Promise<NotificationRecord[]> {
    const items = await redisCall('lrange', () => this.redis.lrange(this.key(orderId ?? '*all*'), 0, -1));
    return items.map((json) => JSON.parse(json) as NotificationRecord);
  }

  private key(orderId: string): string {
    return `${this.prefix}:notifications:{${orderId}}`;
  }
}
