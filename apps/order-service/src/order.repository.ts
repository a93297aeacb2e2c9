import { Injectable } from '@nestjs/common';
import type { Order } from '@catga/order-contracts';

/** Orders by id. */
@Injectable()
export class OrderRepository {
  private readonly orders = new Map<string, Order>();

  get(orderId: string): Order | undefined {
    const order = this.orders.get(orderId);
    return order && structuredClone(order);
  }

  save(order: Order): void {
    this.orders.set(order.orderId, structuredClone({ ...order, updatedAt: new Date().toISOString() }));
  }
}
