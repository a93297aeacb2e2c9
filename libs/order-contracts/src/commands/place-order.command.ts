import { MessageType } from '@catga/core';
import { Command } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { OrderItem } from '../models/order-item.js';
import type { OrderStatus } from '../models/order.model.js';

export interface PlaceOrderResult {
  orderId: string;
  status: OrderStatus;
}

/** Runs the whole order flow: charge, reserve, confirm (with compensation on failure). */
@MessageType('orders.place-order')
export class PlaceOrder extends Command<PlaceOrderResult> {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  orderId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(128)
  customerId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItem)
  items!: OrderItem[];

  constructor(orderId: string, customerId: string, items: OrderItem[]) {
    super();
    this.orderId = orderId;
    this.customerId = customerId;
    this.items = items;
  }
}

/** Marks an order confirmed: the last step of the order flow, handled by order-service. */
@MessageType('orders.confirm-order')
export class ConfirmOrder extends Command<{ orderId: string }> {
  @IsString()
  @MinLength(1)
  orderId: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
