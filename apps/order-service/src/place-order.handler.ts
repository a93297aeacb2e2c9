import { CatgaMediator, SagaOrchestrator, type SagaState } from '@catga/core';
import { OrderCompensated, OrderCompleted, PlaceOrder, type Order, type OrderStatus, type PlaceOrderResult } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderFulfilmentSaga } from './order-fulfilment.saga.js';
import { OrderRepository } from './order.repository.js';
import { SimulatedIo } from './simulated-io.js';

/**
 * Records the order and runs its fulfilment saga (the saga id is the order id, so placing the
 * same order again returns its outcome instead of charging twice), then publishes the outcome.
 */
@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly sagas: SagaOrchestrator,
    private readonly mediator: CatgaMediator,
    private readonly io: SimulatedIo,
  ) {}

  async execute(command: PlaceOrder): Promise<PlaceOrderResult> {
    await this.io.use();
    const now = new Date().toISOString();
    const order: Order = (await this.orders.get(command.orderId)) ?? {
      orderId: command.orderId,
      customerId: command.customerId,
      items: command.items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: i.price })),
      total: Math.round(command.items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100,
      status: 'Pending',
      steps: [],
      createdAt: now,
      updatedAt: now,
    };
    if (order.status === 'Pending') await this.orders.save(order);

    const saga = await this.sagas.start(OrderFulfilmentSaga, order.orderId, {
      orderId: order.orderId,
      customerId: order.customerId,
      total: order.total,
      items: command.items,
    });
    const status = orderStatusOf(saga);
    const latest = (await this.orders.get(order.orderId)) ?? order;
    if (latest.status !== status) await this.orders.save({ ...latest, status });
    // Held by Catga until this command succeeds, then published. The event id comes from the
    // order, so a second run of this command (its idempotency record lost) publishes the same
    // event, which JetStream and the subscribers' idempotency take once.
    if (status === 'Completed') {
      await this.mediator.publish(new OrderCompleted(order.orderId, order.customerId, order.total, order.items), {
        messageId: `order-completed:${order.orderId}`,
      });
    } else if (saga.error) {
      await this.mediator.publish(
        new OrderCompensated(order.orderId, order.customerId, { code: saga.error.code, message: saga.error.message }),
        {
          messageId: `order-compensated:${order.orderId}`,
        },
      );
    }
    return { orderId: order.orderId, status };
  }
}

export function orderStatusOf(saga: SagaState): OrderStatus {
  switch (saga.status) {
    case 'Completed':
    case 'Compensated':
    case 'Failed':
      return saga.status;
    default:
      return 'Pending';
  }
}
