import { MessageType } from '@catga/core';
import type { OrderLine } from '../models/order.model.js';

@MessageType('orders.order-completed')
export class OrderCompleted {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly total: number,
    readonly items: OrderLine[],
  ) {}
}

@MessageType('orders.order-compensated')
export class OrderCompensated {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly reason: { code: string; message: string },
  ) {}
}
