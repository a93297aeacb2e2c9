import { Module } from '@nestjs/common';
import { ConfirmOrderHandler } from './confirm-order.handler.js';
import { GetOrderHandler } from './get-order.handler.js';
import { OrderRepository } from './order.repository.js';
import { orderRepositoryProvider } from './order-repository.provider.js';
import { PlaceOrderHandler } from './place-order.handler.js';
import { SimulatedIo } from './simulated-io.js';

/** Owns orders and runs the order fulfilment saga. */
@Module({
  providers: [orderRepositoryProvider, SimulatedIo, PlaceOrderHandler, ConfirmOrderHandler, GetOrderHandler],
  exports: [OrderRepository],
})
export class OrderServiceModule {}
