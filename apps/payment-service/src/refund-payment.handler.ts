import { RefundPayment } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PaymentLedger } from './payment.ledger.js';

@CommandHandler(RefundPayment)
export class RefundPaymentHandler implements ICommandHandler<RefundPayment> {
  constructor(private readonly ledger: PaymentLedger) {}

  async execute(command: RefundPayment): Promise<{ orderId: string; refunded: number }> {
    await this.ledger.open(command.orderId);
    // Nothing is given back unless a charge is outstanding.
    return { orderId: command.orderId, refunded: await this.ledger.refund(command.orderId) };
  }
}
