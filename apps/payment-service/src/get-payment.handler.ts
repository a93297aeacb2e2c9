import { GetPayment, PaymentNotFoundError, type PaymentRecord } from '@catga/order-contracts';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PaymentLedger } from './payment.ledger.js';

@QueryHandler(GetPayment)
export class GetPaymentHandler implements IQueryHandler<GetPayment> {
  constructor(private readonly ledger: PaymentLedger) {}

  async execute(query: GetPayment): Promise<PaymentRecord> {
    const record = await this.ledger.get(query.orderId);
    if (!record) throw new PaymentNotFoundError(`No payment for order ${query.orderId}`);
    return record;
  }
}
