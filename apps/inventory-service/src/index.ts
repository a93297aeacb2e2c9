export { InventoryServiceModule } from './inventory-service.module.js';
export { StockLedger } from './stock.ledger.js';
