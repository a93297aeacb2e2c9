import { GetStock, type StockLevel } from '@catga/order-contracts';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { StockLedger } from './stock.ledger.js';

@QueryHandler(GetStock)
export class GetStockHandler implements IQueryHandler<GetStock> {
  constructor(private readonly stock: StockLedger) {}

  async execute(query: GetStock): Promise<StockLevel> {
    return this.stock.level(query.productId);
  }
}
