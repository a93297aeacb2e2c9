import { CatgaMediator, toCatgaError } from '@catga/core';
import {
  ChargePayment,
  OrderCompensated,
  OrderCompleted,
  PlaceOrder,
  RefundPayment,
  ReleaseInventory,
  ReserveInventory,
  type Order,
  type OrderStep,
  type OrderStepName,
  type PlaceOrderResult,
} from '@catga/order-contracts';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { OrderRepository } from './order.repository.js';

type Reason = { code: string; message: string };

/**
 * The order flow: charge payment, reserve inventory, confirm. When a step fails, the steps done
 * before it are compensated in reverse order (refund, release) and the order ends `Compensated`;
 * if a compensation fails too, it ends `Failed`. Each step's command has an id derived from the
 * order, so re-running the flow never charges or reserves twice.
 */
@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly mediator: CatgaMediator,
    private readonly events: EventBus,
  ) {}

  async execute(command: PlaceOrder): Promise<PlaceOrderResult> {
    const existing = await this.orders.get(command.orderId);
    if (existing && existing.status !== 'Pending') return { orderId: existing.orderId, status: existing.status };

    const now = new Date().toISOString();
    const order: Order = existing ?? {
      orderId: command.orderId,
      customerId: command.customerId,
      items: command.items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: i.price })),
      total: Math.round(command.items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100,
      status: 'Pending',
      steps: (['charge-payment', 'reserve-inventory', 'confirm-order'] as const).map((name) => ({ name, status: 'Pending' })),
      createdAt: now,
      updatedAt: now,
    };
    await this.orders.save(order);

    const charged = await this.step(order, 'charge-payment', () =>
      this.mediator.send(new ChargePayment(order.orderId, order.customerId, order.total), {
        messageId: `${order.orderId}:charge-payment`,
      }),
    );
    if (charged) return this.compensate(order, charged);

    const reserved = await this.step(order, 'reserve-inventory', () =>
      this.mediator.send(new ReserveInventory(order.orderId, command.items), {
        messageId: `${order.orderId}:reserve-inventory`,
      }),
    );
    if (reserved) return this.compensate(order, reserved);

    await this.step(order, 'confirm-order', async () => undefined);
    order.status = 'Completed';
    await this.orders.save(order);
    // Held by Catga until this command succeeds, then published.
    this.events.publish(new OrderCompleted(order.orderId, order.customerId, order.total, order.items));
    return { orderId: order.orderId, status: order.status };
  }

  /** Runs one step and records its outcome; returns the failure reason, if any. */
  private async step(order: Order, name: OrderStepName, action: () => Promise<unknown>): Promise<Reason | undefined> {
    const step = stepOf(order, name);
    try {
      await action();
      step.status = 'Completed';
      return undefined;
    } catch (error) {
      const e = toCatgaError(error);
      step.status = 'Failed';
      step.error = { code: e.code, message: e.message };
      return step.error;
    } finally {
      await this.orders.save(order);
    }
  }

  private async compensate(order: Order, reason: Reason): Promise<PlaceOrderResult> {
    const compensations: Partial<Record<OrderStepName, () => Promise<unknown>>> = {
      'reserve-inventory': () =>
        this.mediator.send(new ReleaseInventory(order.orderId), { messageId: `${order.orderId}:release-inventory` }),
      'charge-payment': () =>
        this.mediator.send(new RefundPayment(order.orderId), { messageId: `${order.orderId}:refund-payment` }),
    };
    let failed = false;
    for (const step of [...order.steps].reverse()) {
      const undo = compensations[step.name];
      if (step.status !== 'Completed' || !undo) continue;
      try {
        await undo();
        step.status = 'Compensated';
      } catch (error) {
        const e = toCatgaError(error);
        step.status = 'CompensationFailed';
        step.error = { code: e.code, message: e.message };
        failed = true;
      }
      await this.orders.save(order);
    }
    order.status = failed ? 'Failed' : 'Compensated';
    await this.orders.save(order);
    this.events.publish(new OrderCompensated(order.orderId, order.customerId, reason));
    return { orderId: order.orderId, status: order.status };
  }
}

function stepOf(order: Order, name: OrderStepName): OrderStep {
  return order.steps.find((s) => s.name === name)!;
}
