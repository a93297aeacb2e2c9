import { MessageType } from '@catga/core';
import { Query } from '@nestjs/cqrs';
import { IsOptional, IsString } from 'class-validator';
import type { NotificationRecord, Order, PaymentRecord, StockLevel } from '../models/order.model.js';

@MessageType('orders.get-order')
export class GetOrder extends Query<Order> {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessageType('payments.get-payment')
export class GetPayment extends Query<PaymentRecord> {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessageType('inventory.get-stock')
export class GetStock extends Query<StockLevel> {
  @IsString() productId: string;
  constructor(productId: string) {
    super();
    this.productId = productId;
  }
}

@MessageType('notifications.list')
export class ListNotifications extends Query<NotificationRecord[]> {
  @IsOptional() @IsString() orderId?: string;
  constructor(orderId?: string) {
    super();
    this.orderId = orderId;
  }
}
