import { RefundPayment } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PaymentLedger } from './payment.ledger.js';

@CommandHandler(RefundPayment)
export class RefundPaymentHandler implements ICommandHandler<RefundPayment> {
  constructor(private readonly ledger: PaymentLedger) {}

  async execute(command: RefundPayment): Promise<{ orderId: string; refunded: number }> {
    const record = this.ledger.open(command.orderId);
    // Nothing to give back unless a charge is outstanding.
    if (record.charged > record.refunded) record.refunded++;
    return { orderId: command.orderId, refunded: record.refunded };
  }
}
