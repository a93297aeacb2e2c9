import { messageTypeOf, type MessageClass } from '@catga/core';
import type { BusAccess } from '@catga/nats';
import { ReleaseInventory, ReserveInventory } from '../commands/inventory.commands.js';
import { ChargePayment, RefundPayment } from '../commands/payment.commands.js';
import { ConfirmOrder, PlaceOrder } from '../commands/place-order.command.js';
import { OrderCompensated, OrderCompleted } from '../events/order.events.js';
import { GetOrder, GetPayment, GetStock, ListNotifications } from '../queries/order.queries.js';

const types = (...classes: MessageClass[]): string[] => classes.map((c) => messageTypeOf(c));

/**
 * What each service of the order system does on the bus, by `CATGA_SERVICE_NAME`. The NATS
 * accounts in deploy/nats/accounts.conf and k8s/nats/nats-config.yaml are generated from it
 * (`npm run nats-accounts`); a test checks they are current, and another runs the system
 * with them and checks each service subscribes to exactly what it serves.
 */
export const ORDER_SYSTEM_BUS_ACCESS = {
  'order-api': {
    sends: types(PlaceOrder, GetOrder, GetPayment, GetStock, ListNotifications),
  },
  'order-service': {
    serves: types(PlaceOrder, ConfirmOrder, GetOrder),
    // The fulfilment saga's steps and compensations; it confirms its own orders over the bus.
    sends: types(ChargePayment, RefundPayment, ReserveInventory, ReleaseInventory, ConfirmOrder),
    publishes: types(OrderCompleted, OrderCompensated),
  },
  'payment-service': {
    serves: types(ChargePayment, RefundPayment, GetPayment),
  },
  'inventory-service': {
    serves: types(ReserveInventory, ReleaseInventory, GetStock),
  },
  'notification-service': {
    serves: types(ListNotifications),
    consumes: [{ handler: 'OrderCompletedHandler', type: messageTypeOf(OrderCompleted) }],
  },
} as const satisfies Record<string, BusAccess>;
