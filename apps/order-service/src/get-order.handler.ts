import { SagaOrchestrator } from '@catga/core';
import { GetOrder, OrderNotFoundError, type Order } from '@catga/order-contracts';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { OrderRepository } from './order.repository.js';
import { orderStatusOf } from './place-order.handler.js';

/** The order with its status and each step's outcome, read from the saga store. */
@QueryHandler(GetOrder)
export class GetOrderHandler implements IQueryHandler<GetOrder> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly sagas: SagaOrchestrator,
  ) {}

  async execute(query: GetOrder): Promise<Order> {
    const order = await this.orders.get(query.orderId);
    if (!order) throw new OrderNotFoundError(`Order ${query.orderId} not found`);
    const saga = await this.sagas.status(query.orderId);
    if (!saga) return order;
    return {
      ...order,
      status: orderStatusOf(saga),
      steps: saga.steps.map((s) => ({
        name: s.name as Order['steps'][number]['name'],
        status: s.status,
        ...(s.error ? { error: { code: s.error.code, message: s.error.message } } : {}),
      })),
    };
  }
}
