import type { PaymentRecord } from '@catga/order-contracts';

/** How many charges and refunds were applied per order. */
export abstract class PaymentLedger {
  abstract get(orderId: string): Promise<PaymentRecord | undefined>;
  /** Records that the order was seen, even when its charge is declined. */
  abstract open(orderId: string): Promise<void>;
  /**
   * Applies a charge once per `chargeId` (the ChargePayment message id): a repeat of the same
   * message, even one whose idempotency record was lost, charges nothing more.
   */
  abstract charge(orderId: string, chargeId: string): Promise<void>;
  /** Gives back one outstanding charge, if any; returns the refunds applied so far. */
  abstract refund(orderId: string): Promise<number>;
}
