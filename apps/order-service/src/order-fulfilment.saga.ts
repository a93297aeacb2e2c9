import { SagaDefinition, SagaWorkflow } from '@catga/core';
import { ChargePayment, ConfirmOrder, RefundPayment, ReleaseInventory, ReserveInventory, type OrderItem } from '@catga/order-contracts';

export interface OrderFulfilmentData {
  orderId: string;
  customerId: string;
  total: number;
  items: OrderItem[];
}

/** Charge payment, reserve inventory, confirm; refund and release as compensations. */
@SagaWorkflow('orders.fulfilment')
export class OrderFulfilmentSaga extends SagaDefinition<OrderFulfilmentData> {
  readonly steps = [
    this.step('charge-payment', {
      send: (d) => new ChargePayment(d.orderId, d.customerId, d.total),
      compensateWith: (d) => new RefundPayment(d.orderId),
    }),
    this.step('reserve-inventory', {
      send: (d) => new ReserveInventory(d.orderId, d.items),
      compensateWith: (d) => new ReleaseInventory(d.orderId),
    }),
    this.step('confirm-order', { send: (d) => new ConfirmOrder(d.orderId) }),
  ];
}
