import { INITIAL_STOCK, PAYMENT_LIMIT, type OrderLine } from '@catga/order-contracts';

/** One order the load will place, and what the sample must make of it. */
export interface PlannedOrder {
  readonly n: number;
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly items: readonly OrderLine[];
  readonly total: number;
  /** Above the payment limit: the sample declines it, so it must end Compensated with nothing charged. */
  readonly declined: boolean;
}

export interface OrderPlan {
  /** In every key, customer id and product id of this plan. */
  readonly tag: string;
  readonly orders: readonly PlannedOrder[];
  readonly products: readonly string[];
}

/** One order in this many is above the payment limit. */
export const DECLINE_EVERY = 25;
const MAX_QUANTITY = 3;
const MAX_LINES = 2;

/**
 * `count` orders, mostly normal (1-2 lines, 1-3 units, small prices) and one in DECLINE_EVERY
 * above the payment limit. Products are many enough that no product nears its stock, so every
 * normal order can complete; `tag` keeps the keys and products of one run apart from another's.
 */
export function planOrders(count: number, tag: string): OrderPlan {
  const productCount = Math.max(50, Math.ceil(count / 10));
  const products = Array.from({ length: productCount }, (_, i) => `${tag}-sku-${i}`);
  const orders = Array.from({ length: count }, (_, n): PlannedOrder => {
    const declined = n % DECLINE_EVERY === DECLINE_EVERY - 1;
    const lineCount = declined ? 1 : 1 + (n % MAX_LINES);
    const items = Array.from({ length: lineCount }, (_, line) => ({
      productId: products[(n + line * 13) % productCount] as string,
      quantity: declined ? 1 : 1 + ((n + line) % MAX_QUANTITY),
      price: declined ? PAYMENT_LIMIT + 1_000 : 5 + ((n * 11 + line) % 40),
    }));
    const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);
    return { n, idempotencyKey: `${tag}-order-${n}`, customerId: `${tag}-customer-${n % 97}`, items, total, declined };
  });
  // Each line position visits the products in turn, so no product is in more than this many orders' lines.
  const mostUnits = MAX_LINES * Math.ceil(count / productCount) * MAX_QUANTITY;
  if (mostUnits > INITIAL_STOCK) throw new Error(`planOrders: ${count} orders could exhaust the stock of a product`);
  return { tag, orders, products };
}
