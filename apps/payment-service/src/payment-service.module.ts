import { Module } from '@nestjs/common';
import { ChargePaymentHandler } from './charge-payment.handler.js';
import { GetPaymentHandler } from './get-payment.handler.js';
import { PaymentLedger } from './payment.ledger.js';
import { paymentLedgerProvider } from './payment-ledger.provider.js';
import { RefundPaymentHandler } from './refund-payment.handler.js';

/** Charges and refunds orders; keeps the ledger. */
@Module({
  providers: [paymentLedgerProvider, ChargePaymentHandler, RefundPaymentHandler, GetPaymentHandler],
  exports: [PaymentLedger],
})
export class PaymentServiceModule {}
