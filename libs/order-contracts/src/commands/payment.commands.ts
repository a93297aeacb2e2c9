import { MessageType } from '@catga/core';
import { Command } from '@nestjs/cqrs';
import { IsNumber, IsString, Min } from 'class-validator';

/** Charges the order total; declined above the limit (PAYMENT_DECLINED). */
@MessageType('payments.charge')
export class ChargePayment extends Command<{ orderId: string; amount: number }> {
  @IsString() orderId: string;
  @IsString() customerId: string;
  @IsNumber() @Min(0) amount: number;

  constructor(orderId: string, customerId: string, amount: number) {
    super();
    this.orderId = orderId;
    this.customerId = customerId;
    this.amount = amount;
  }
}

/** Gives back a charge (compensation of ChargePayment). */
@MessageType('payments.refund')
export class RefundPayment extends Command<{ orderId: string; refunded: number }> {
  @IsString() orderId: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
