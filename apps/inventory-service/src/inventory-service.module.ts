import { Module } from '@nestjs/common';
import { GetStockHandler } from './get-stock.handler.js';
import { ReleaseInventoryHandler } from './release-inventory.handler.js';
import { ReserveInventoryHandler } from './reserve-inventory.handler.js';
import { StockLedger } from './stock.ledger.js';
import { stockLedgerProvider } from './stock-ledger.provider.js';

/** Reserves and releases stock; every product starts with INITIAL_STOCK units. */
@Module({
  providers: [stockLedgerProvider, ReserveInventoryHandler, ReleaseInventoryHandler, GetStockHandler],
  exports: [StockLedger],
})
export class InventoryServiceModule {}
