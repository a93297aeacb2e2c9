import { currentMessageContext } from '@catga/core';
import { ChargePayment, PAYMENT_LIMIT, PaymentDeclinedError } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PaymentLedger } from './payment.ledger.js';

@CommandHandler(ChargePayment)
export class ChargePaymentHandler implements ICommandHandler<ChargePayment> {
  constructor(private readonly ledger: PaymentLedger) {}

  async execute(command: ChargePayment): Promise<{ orderId: string; amount: number }> {
    await this.ledger.open(command.orderId);
    if (command.amount > PAYMENT_LIMIT) {
      throw new PaymentDeclinedError(`Payment of ${command.amount} declined: the limit is ${PAYMENT_LIMIT}`, {
        details: { orderId: command.orderId, amount: command.amount, limit: PAYMENT_LIMIT },
      });
    }
    await this.ledger.charge(command.orderId, currentMessageContext()?.envelope.id ?? command.orderId);
    return { orderId: command.orderId, amount: command.amount };
  }
}
