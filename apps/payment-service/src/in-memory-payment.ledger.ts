import type { PaymentRecord } from '@catga/order-contracts';
import { PaymentLedger } from './payment.ledger.js';

export class InMemoryPaymentLedger extends PaymentLedger {
  private readonly records = new Map<string, PaymentRecord>();
  private readonly charges = new Set<string>();

  async get(orderId: string): Promise<PaymentRecord | undefined> {
    const r = this.records.get(orderId);
    return r && { ...r };
  }

  async open(orderId: string): Promise<void> {
    this.entry(orderId);
  }

  async charge(orderId: string, chargeId: string): Promise<void> {
    if (this.charges.has(chargeId)) return;
    this.charges.add(chargeId);
    this.entry(orderId).charged++;
  }

  async refund(orderId: string): Promise<number> {
    const r = this.entry(orderId);
    if (r.charged > r.refunded) r.refunded++;
    return r.refunded;
  }

  private entry(orderId: string): PaymentRecord {
    let r = this.records.get(orderId);
    if (!r) this.records.set(orderId, (r = { orderId, charged: 0, refunded: 0 }));
    return r;
  }
}
