import { CatgaMediator } from '@catga/core';
import { GetOrder, PlaceOrder, type Order, type PlaceOrderResult } from '@catga/order-contracts';
import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CreateOrderDto } from '../dto/create-order.dto.js';
import { orderIdFor } from './order-id.js';

@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly mediator: CatgaMediator,
    private readonly queries: QueryBus,
  ) {}

  /**
   * Places an order. The same `Idempotency-Key` twice returns the first order and creates no
   * other: the message id and the order id (the saga id) both come from the key.
   */
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateOrderDto, @Headers('idempotency-key') key?: string): Promise<PlaceOrderResult> {
    const orderId = orderIdFor(key);
    return this.mediator.send(new PlaceOrder(orderId, body.customerId, body.items), {
      messageId: key ? `place-order:${key}` : orderId,
    });
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<Order> {
    return this.queries.execute(new GetOrder(id));
  }
}
