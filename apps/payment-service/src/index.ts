export { PaymentServiceModule } from './payment-service.module.js';
export { PaymentLedger } from './payment.ledger.js';
