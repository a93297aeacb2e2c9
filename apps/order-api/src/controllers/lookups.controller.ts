import {
  GetPayment,
  GetStock,
  ListNotifications,
  type NotificationRecord,
  type PaymentRecord,
  type StockLevel,
} from '@catga/order-contracts';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';

/** Read-only views of the other services, for operators and tests. */
@Controller('api')
export class LookupsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('payments/:orderId')
  payment(@Param('orderId') orderId: string): Promise<PaymentRecord> {
    return this.queries.execute(new GetPayment(orderId));
  }

  @Get('inventory/:productId')
  stock(@Param('productId') productId: string): Promise<StockLevel> {
    return this.queries.execute(new GetStock(productId));
  }

  @Get('notifications')
  notifications(@Query('orderId') orderId?: string): Promise<NotificationRecord[]> {
    return this.queries.execute(new ListNotifications(orderId || undefined));
  }
}
