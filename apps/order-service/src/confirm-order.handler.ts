import { ConfirmOrder, OrderNotFoundError } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderRepository } from './order.repository.js';
import { SimulatedIo } from './simulated-io.js';

@CommandHandler(ConfirmOrder)
export class ConfirmOrderHandler implements ICommandHandler<ConfirmOrder> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly io: SimulatedIo,
  ) {}

  async execute(command: ConfirmOrder): Promise<{ orderId: string }> {
    await this.io.use();
    const order = await this.orders.get(command.orderId);
    if (!order) throw new OrderNotFoundError(`Order ${command.orderId} not found`);
    order.status = 'Completed';
    await this.orders.save(order);
    return { orderId: command.orderId };
  }
}
