import { CatgaError, ErrorCode } from '@catga/core';

/** The payment provider refused the charge (here: totals above the limit). */
@ErrorCode('PAYMENT_DECLINED', { retryable: false })
export class PaymentDeclinedError extends CatgaError {}

/** Some line asks for more units than are available. */
@ErrorCode('INSUFFICIENT_STOCK', { retryable: false })
export class InsufficientStockError extends CatgaError {}

@ErrorCode('ORDER_NOT_FOUND', { retryable: false, httpStatus: 404 })
export class OrderNotFoundError extends CatgaError {}

@ErrorCode('PAYMENT_NOT_FOUND', { retryable: false, httpStatus: 404 })
export class PaymentNotFoundError extends CatgaError {}
