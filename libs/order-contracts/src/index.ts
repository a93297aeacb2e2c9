export * from './models/order.model.js';
export { OrderItem } from './models/order-item.js';
export { ConfirmOrder, PlaceOrder, type PlaceOrderResult } from './commands/place-order.command.js';
export { ChargePayment, RefundPayment } from './commands/payment.commands.js';
export { ReleaseInventory, ReserveInventory } from './commands/inventory.commands.js';
export { GetOrder, GetPayment, GetStock, ListNotifications } from './queries/order.queries.js';
export { OrderCompensated, OrderCompleted } from './events/order.events.js';
export { InsufficientStockError, OrderNotFoundError, PaymentDeclinedError, PaymentNotFoundError } from './errors/order.errors.js';

/** Payments above this total are declined. */
export const PAYMENT_LIMIT = 10_000;
/** Units of every product in stock at start. */
export const INITIAL_STOCK = 1_000;
export { ORDER_SYSTEM_BUS_ACCESS } from './topology/order-system.bus-access.js';
export { orderSystemNatsAccountFiles } from './topology/order-system.nats-accounts.js';
