import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatgaError } from './catga.error.js';
import { HandlerFailedError, HandlerNotFoundError, TimeoutError, ValidationFailedError } from './catga-errors.js';
import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { ErrorCode, registerErrors } from './error-code.decorator.js';
import { deserializeError, errorCodeOf, isDeclaredOutcome, isRetryable, serializeError } from './error.serializer.js';
import { httpStatusOf } from './catga-exception.filter.js';

@ErrorCode('SPEC_OUT_OF_STOCK', { retryable: false })
class OutOfStockError extends CatgaError {
  constructor(
    readonly productId: string,
    available: number,
  ) {
    super(`Only ${available} of ${productId} left`, { details: { productId, available } });
  }
}

const roundTrip = (e: unknown) => deserializeError(JSON.parse(JSON.stringify(serializeError(e, 'm-1')))) as CatgaError;
const wireTrip = (e: unknown): Error => deserializeError(JSON.parse(JSON.stringify(serializeError(e, 'm-1'))));

describe('error serialization', () => {
  it('a user error class survives the wire as the same class with code, flag, details and message id', () => {
    const back = roundTrip(new OutOfStockError('p-1', 2));
    assert.ok(back instanceof OutOfStockError);
    assert.ok(back instanceof CatgaError);
    assert.equal(back.code, 'SPEC_OUT_OF_STOCK');
    assert.equal(back.retryable, false);
    assert.equal(back.message, 'Only 2 of p-1 left');
    assert.equal(back.messageId, 'm-1');
    assert.deepEqual(back.details, { productId: 'p-1', available: 2 });
    assert.equal((back as OutOfStockError).productId, 'p-1');
  });

  it('built-in errors keep their class and retryable flag', () => {
    assert.ok(roundTrip(new TimeoutError('t')) instanceof TimeoutError);
    assert.equal(roundTrip(new TimeoutError('t')).retryable, true);
    const nf = roundTrip(new HandlerNotFoundError('orders.x'));
    assert.ok(nf instanceof HandlerNotFoundError);
    assert.equal((nf as HandlerNotFoundError).messageType, 'orders.x');
    const v = roundTrip(new ValidationFailedError('bad', [{ property: 'a', constraints: { isInt: 'a must be int' } }]));
    assert.ok(v instanceof ValidationFailedError);
    assert.deepEqual((v as ValidationFailedError).issues, [{ property: 'a', constraints: { isInt: 'a must be int' } }]);
  });

  it('a plain Error becomes HANDLER_FAILED keeping its message and name', () => {
    const back = roundTrip(new RangeError('boom'));
    assert.ok(back instanceof HandlerFailedError);
    assert.equal(back.message, 'boom');
    assert.deepEqual(back.details, { name: 'RangeError' });
    assert.equal(back.retryable, false);
  });

  it('an unknown code comes back as a CatgaError with that code', () => {
    const back = deserializeError({ code: 'SOMEONE_ELSES', name: 'X', message: 'm', retryable: true });
    assert.ok(back instanceof CatgaError);
    assert.equal(back.code, 'SOMEONE_ELSES');
    assert.equal(back.retryable, true);
  });

  it('two classes cannot claim the same code', () => {
    assert.throws(() => {
      @ErrorCode('SPEC_OUT_OF_STOCK')
      class Other extends CatgaError {}
      void Other;
    }, /already used/);
  });

  it('a user class that does not extend CatgaError, given @ErrorCode, comes back as itself with its fields', () => {
    @ErrorCode('SPEC_CARD_DECLINED')
    class CardDeclinedError extends Error {
      constructor(readonly card: string) {
        super(`card ${card} declined`);
      }
    }
    const back = wireTrip(new CardDeclinedError('4242'));
    assert.ok(back instanceof CardDeclinedError);
    assert.ok(!(back instanceof CatgaError));
    assert.equal(back.card, '4242');
    assert.equal(back.message, 'card 4242 declined');
    assert.equal(errorCodeOf(new CardDeclinedError('1')), 'SPEC_CARD_DECLINED');
    assert.equal(isRetryable(new CardDeclinedError('1')), false);
    assert.equal(isDeclaredOutcome(new CardDeclinedError('1')), true);
  });

  it('a class registered with registerErrors comes back as itself; two classes of one name cannot both be', () => {
    class LibraryError extends Error {
      override name = 'LibraryError';
      constructor(
        message: string,
        readonly errno: number,
      ) {
        super(message);
      }
    }
    registerErrors(LibraryError);
    const back = wireTrip(new LibraryError('disk full', 28));
    assert.ok(back instanceof LibraryError);
    assert.equal(back.errno, 28);
    assert.equal(back.name, 'LibraryError');
    const first = LibraryError;
    assert.throws(() => {
      class LibraryError extends Error {}
      assert.notEqual(LibraryError, first);
      registerErrors(LibraryError);
    }, /already registered/);
  });

  it("Nest's HttpException family keeps class, status and response body", () => {
    const thrown = new BadRequestException({ message: ['quantity must be positive'], error: 'Bad Request', statusCode: 400 });
    const back = wireTrip(thrown);
    assert.ok(back instanceof BadRequestException);
    assert.ok(back instanceof HttpException);
    assert.equal(back.getStatus(), 400);
    assert.deepEqual(back.getResponse(), thrown.getResponse());
    assert.equal(back.message, thrown.message);
    assert.equal(back.name, 'BadRequestException');
    assert.equal(errorCodeOf(thrown), 'HTTP_400');
    assert.equal(isDeclaredOutcome(thrown), true);
    const notFound = wireTrip(new NotFoundException('no such order'));
    assert.ok(notFound instanceof NotFoundException);
    assert.equal(notFound.getStatus(), 404);
    assert.equal(notFound.message, 'no such order');
  });

  it('an HttpException subclass nobody registered comes back as an HttpException with its status and name', () => {
    class PaymentRequiredException extends HttpException {
      constructor() {
        super('pay first', HttpStatus.PAYMENT_REQUIRED);
      }
    }
    const back = wireTrip(new PaymentRequiredException());
    assert.ok(back instanceof HttpException);
    assert.ok(!(back instanceof PaymentRequiredException));
    assert.equal(back.getStatus(), 402);
    assert.equal(back.getResponse(), 'pay first');
    assert.equal(back.name, 'PaymentRequiredException');
  });

  it('an unregistered class becomes HANDLER_FAILED keeping name, class name and own fields', () => {
    class UnregisteredError extends Error {
      readonly card = '4242';
      readonly code = 'E_CARD';
    }
    const back = wireTrip(new UnregisteredError('declined'));
    assert.ok(back instanceof HandlerFailedError);
    assert.equal(back.code, 'HANDLER_FAILED');
    assert.equal(back.message, 'declined');
    assert.equal(back.name, 'Error');
    assert.deepEqual(back.details, { name: 'Error', type: 'UnregisteredError' });
    assert.equal((back as unknown as { card: string }).card, '4242');
    assert.equal(isDeclaredOutcome(new UnregisteredError('x')), false);
  });

  it('fields JSON cannot carry are left out; the rest of the error still travels', () => {
    const error = new Error('odd') as Error & Record<string, unknown>;
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    Object.assign(error, { big: 10n, cycle, fn: () => 1, kept: { a: [1, 2] } });
    const wire = serializeError(error);
    assert.deepEqual(wire.fields, { kept: { a: [1, 2] } });
    assert.equal((wireTrip(error) as unknown as { kept: unknown }).kept !== undefined, true);
  });

  it("a peer's fields never replace a method, the prototype or the validated status", () => {
    const back = deserializeError({
      code: 'HTTP_400',
      name: 'BadRequestException',
      message: 'm',
      retryable: false,
      type: 'BadRequestException',
      status: 400,
      fields: JSON.parse('{"getStatus":1,"__proto__":{"polluted":true},"status":599,"response":"r"}') as Record<string, unknown>,
    });
    assert.ok(back instanceof BadRequestException);
    assert.equal(back.getStatus(), 400);
    assert.equal(back.getResponse(), 'r');
    assert.equal((back as unknown as { polluted?: boolean }).polluted, undefined);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('each built-in error answers HTTP with a documented status', () => {
    assert.equal(httpStatusOf(new ValidationFailedError('bad')), 400);
    assert.equal(httpStatusOf(new HandlerNotFoundError('x')), 503);
    assert.equal(httpStatusOf(new TimeoutError('t')), 504);
    assert.equal(httpStatusOf(new HandlerFailedError('h')), 500);
    assert.equal(httpStatusOf(roundTrip(new TimeoutError('t'))), 504);
    assert.equal(httpStatusOf(new OutOfStockError('p', 0)), 422);
    assert.equal(httpStatusOf(deserializeError({ code: 'SOMEONE_ELSES', name: 'X', message: 'm', retryable: true }) as CatgaError), 503);
  });
});
