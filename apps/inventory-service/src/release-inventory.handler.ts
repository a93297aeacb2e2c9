import { ReleaseInventory } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StockLedger } from './stock.ledger.js';

@CommandHandler(ReleaseInventory)
export class ReleaseInventoryHandler implements ICommandHandler<ReleaseInventory> {
  constructor(private readonly stock: StockLedger) {}

  async execute(command: ReleaseInventory): Promise<{ orderId: string }> {
    await this.stock.release(command.orderId);
    return { orderId: command.orderId };
  }
}
