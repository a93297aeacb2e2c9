import { Injectable } from '@nestjs/common';
import type { PaymentRecord } from '@catga/order-contracts';

/** How many charges and refunds were applied per order. */
@Injectable()
export class PaymentLedger {
  private readonly records = new Map<string, PaymentRecord>();

  get(orderId: string): PaymentRecord | undefined {
    const r = this.records.get(orderId);
    return r && { ...r };
  }

  /** Records that the order was seen, even when its charge is declined. */
  open(orderId: string): PaymentRecord {
    let r = this.records.get(orderId);
    if (!r) this.records.set(orderId, (r = { orderId, charged: 0, refunded: 0 }));
    return r;
  }
}
