import { MessageType } from '@catga/core';
import { Command } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, ValidateNested } from 'class-validator';
import { OrderItem } from '../models/order-item.js';

/** Reserves every line or none (INSUFFICIENT_STOCK). */
@MessageType('inventory.reserve')
export class ReserveInventory extends Command<{ orderId: string }> {
  @IsString() orderId: string;

  @IsArray()
  @ArrayMinSize(1)
  // As many lines as an order may have, so a list of a million is refused before its lines are validated.
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItem)
  items: OrderItem[];

  constructor(orderId: string, items: OrderItem[]) {
    super();
    this.orderId = orderId;
    this.items = items;
  }
}

/** Returns a reservation's units to stock (compensation of ReserveInventory). */
@MessageType('inventory.release')
export class ReleaseInventory extends Command<{ orderId: string }> {
  @IsString() orderId: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
