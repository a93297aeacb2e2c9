import { SAMPLE_KEY_PREFIX, SAMPLE_REDIS, type SampleRedis } from '@catga/sample-host';
import type { Provider } from '@nestjs/common';
import { InMemoryPaymentLedger } from './in-memory-payment.ledger.js';
import { PaymentLedger } from './payment.ledger.js';
import { RedisPaymentLedger } from './redis-payment.ledger.js';

export const paymentLedgerProvider: Provider = {
  provide: PaymentLedger,
  useFactory: (redis: SampleRedis, prefix: string) => (redis ? new RedisPaymentLedger(redis, prefix) : new InMemoryPaymentLedger()),
  inject: [SAMPLE_REDIS, SAMPLE_KEY_PREFIX],
};
