import type { Order } from '@catga/order-contracts';
import type { Cluster, Redis } from 'ioredis';
import { redisCall } from '@catga/redis';

/** Orders by id. */
export abstract class OrderRepository {
  abstract get(orderId: string): Promise<Order | undefined>;
  abstract save(order: Order): Promise<void>;
}

export class InMemoryOrderRepository extends OrderRepository {
  private readonly orders = new Map<string, Order>();

  async get(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order && structuredClone(order);
  }

  async save(order: Order): Promise<void> {
    this.orders.set(order.orderId, structuredClone({ ...order, updatedAt: new Date().toISOString() }));
  }
}

/** Orders in Redis as JSON, so any replica answers for any order. */
export class RedisOrderRepository extends OrderRepository {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    super();
  }

  async get(orderId: string): Promise<Order | undefined> {
    const json = await redisCall('get', () => this.redis.get(this.key(orderId)));
    return json ? (JSON.parse(json) as Order) : undefined;
  }

  async save(order: Order): Promise<void> {
    await redisCall('set', () =>
      this.redis.set(this.key(order.orderId), JSON.stringify({ ...order, updatedAt: new Date().toISOString() })),
    );
  }

  private key(orderId: string): string {
    return `${this.prefix}:order:{${orderId}}`;
  }
}
