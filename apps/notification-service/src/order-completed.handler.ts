import { OrderCompleted } from '@catga/order-contracts';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { NotificationLog } from './notification.log.js';

@EventsHandler(OrderCompleted)
export class OrderCompletedHandler implements IEventHandler<OrderCompleted> {
  constructor(private readonly log: NotificationLog) {}

  async handle(event: OrderCompleted): Promise<void> {
    await this.log.add({
      orderId: event.orderId,
      customerId: event.customerId,
      kind: 'order-completed',
      text: `Order ${event.orderId} of ${event.total.toFixed(2)} is confirmed`,
      at: new Date().toISOString(),
    });
  }
}
