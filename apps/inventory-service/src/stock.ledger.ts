import type { OrderLine, StockLevel } from '@catga/order-contracts';

/** Units available and reserved per product, and what each order holds. */
export abstract class StockLedger {
  abstract level(productId: string): Promise<StockLevel>;
  /** Reserves every line or none (INSUFFICIENT_STOCK). A second reservation for an order changes nothing. */
  abstract reserve(orderId: string, lines: readonly OrderLine[]): Promise<void>;
  /** Gives an order's reserved units back; nothing if it holds none. */
  abstract release(orderId: string): Promise<void>;
}

/** Total quantity per product of an order's lines. */
export function quantitiesOf(lines: readonly OrderLine[]): Map<string, number> {
  const wanted = new Map<string, number>();
  for (const line of lines) wanted.set(line.productId, (wanted.get(line.productId) ?? 0) + line.quantity);
  return wanted;
}
