import { Injectable } from '@nestjs/common';
import { INITIAL_STOCK, InsufficientStockError, type OrderLine, type StockLevel } from '@catga/order-contracts';

/** Units available and reserved per product, and what each order holds. */
@Injectable()
export class StockLedger {
  private readonly levels = new Map<string, StockLevel>();
  private readonly reservations = new Map<string, OrderLine[]>();

  level(productId: string): StockLevel {
    return { ...this.entry(productId) };
  }

  /** Reserves every line or none. A second reservation for the same order changes nothing. */
  reserve(orderId: string, lines: readonly OrderLine[]): void {
    if (this.reservations.has(orderId)) return;
    const wanted = new Map<string, number>();
    for (const line of lines) wanted.set(line.productId, (wanted.get(line.productId) ?? 0) + line.quantity);
    const short = [...wanted].filter(([productId, quantity]) => this.entry(productId).available < quantity);
    if (short.length > 0) {
      throw new InsufficientStockError(
        `Not enough stock for ${short.map(([p, q]) => `${p} (wanted ${q}, available ${this.entry(p).available})`).join(', ')}`,
        { details: { orderId, products: short.map(([p]) => p) } },
      );
    }
    for (const [productId, quantity] of wanted) {
      const level = this.entry(productId);
      level.available -= quantity;
      level.reserved += quantity;
    }
    this.reservations.set(orderId, lines.map((l) => ({ ...l })));
  }

  /** Gives an order's reserved units back; nothing if it holds none. */
  release(orderId: string): void {
    const lines = this.reservations.get(orderId);
    if (!lines) return;
    for (const line of lines) {
      const level = this.entry(line.productId);
      level.available += line.quantity;
      level.reserved -= line.quantity;
    }
    this.reservations.delete(orderId);
  }

  private entry(productId: string): StockLevel {
    let level = this.levels.get(productId);
    if (!level) this.levels.set(productId, (level = { productId, available: INITIAL_STOCK, reserved: 0 }));
    return level;
  }
}
