import { Module } from '@nestjs/common';
import { GetOrderHandler } from './get-order.handler.js';
import { OrderRepository } from './order.repository.js';
import { orderRepositoryProvider } from './order-repository.provider.js';
import { PlaceOrderHandler } from './place-order.handler.js';

/** Owns orders and runs the order flow. */
@Module({
  providers: [orderRepositoryProvider, PlaceOrderHandler, GetOrderHandler],
  exports: [OrderRepository],
})
export class OrderServiceModule {}
