import { ReserveInventory } from '@catga/order-contracts';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StockLedger } from './stock.ledger.js';

@CommandHandler(ReserveInventory)
export class ReserveInventoryHandler implements ICommandHandler<ReserveInventory> {
  constructor(private readonly stock: StockLedger) {}

  async execute(command: ReserveInventory): Promise<{ orderId: string }> {
    await this.stock.reserve(command.orderId, command.items);
    return { orderId: command.orderId };
  }
}
