import { INITIAL_STOCK, InsufficientStockError, type OrderLine, type StockLevel } from '@catga/order-contracts';
import { quantitiesOf, StockLedger } from './stock.ledger.js';

export class InMemoryStockLedger extends StockLedger {
  private readonly levels = new Map<string, StockLevel>();
  private readonly reservations = new Map<string, Map<string, number>>();

  async level(productId: string): Promise<StockLevel> {
    return { ...this.entry(productId) };
  }

  async reserve(orderId: string, lines: readonly OrderLine[]): Promise<void> {
    if (this.reservations.has(orderId)) return;
    const wanted = quantitiesOf(lines);
    const short = [...wanted].filter(([productId, quantity]) => this.entry(productId).available < quantity);
    if (short.length > 0)
      throw shortage(
        orderId,
        short.map(([p, q]) => ({ productId: p, wanted: q, available: this.entry(p).available })),
      );
    for (const [productId, quantity] of wanted) {
      const level = this.entry(productId);
      level.available -= quantity;
      level.reserved += quantity;
    }
    this.reservations.set(orderId, wanted);
  }

  async release(orderId: string): Promise<void> {
    const held = this.reservations.get(orderId);
    if (!held) return;
    for (const [productId, quantity] of held) {
      const level = this.entry(productId);
      level.available += quantity;
      level.reserved -= quantity;
    }
    this.reservations.delete(orderId);
  }

  private entry(productId: string): StockLevel {
    let level = this.levels.get(productId);
    if (!level) this.levels.set(productId, (level = { productId, available: INITIAL_STOCK, reserved: 0 }));
    return level;
  }
}

export function shortage(orderId: string, short: Array<{ productId: string; wanted: number; available: number }>): InsufficientStockError {
  return new InsufficientStockError(
    `Not enough stock for ${short.map((s) => `${s.productId} (wanted ${s.wanted}, available ${s.available})`).join(', ')}`,
    { details: { orderId, products: short.map((s) => s.productId) } },
  );
}
