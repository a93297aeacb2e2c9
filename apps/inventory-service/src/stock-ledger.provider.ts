import { SAMPLE_KEY_PREFIX, SAMPLE_REDIS, type SampleRedis } from '@catga/sample-host';
import type { Provider } from '@nestjs/common';
import { InMemoryStockLedger } from './in-memory-stock.ledger.js';
import { RedisStockLedger } from './redis-stock.ledger.js';
import { StockLedger } from './stock.ledger.js';

export const stockLedgerProvider: Provider = {
  provide: StockLedger,
  useFactory: (redis: SampleRedis, prefix: string) => (redis ? new RedisStockLedger(redis, prefix) : new InMemoryStockLedger()),
  inject: [SAMPLE_REDIS, SAMPLE_KEY_PREFIX],
};
