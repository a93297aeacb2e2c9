import { GetOrder, OrderNotFoundError, type Order } from '@catga/order-contracts';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { OrderRepository } from './order.repository.js';

@QueryHandler(GetOrder)
export class GetOrderHandler implements IQueryHandler<GetOrder> {
  constructor(private readonly orders: OrderRepository) {}

  async execute(query: GetOrder): Promise<Order> {
    const order = await this.orders.get(query.orderId);
    if (!order) throw new OrderNotFoundError(`Order ${query.orderId} not found`);
    return order;
  }
}
