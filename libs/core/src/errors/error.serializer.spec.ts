import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatgaError } from './catga.error.js';
import { HandlerFailedError, HandlerNotFoundError, TimeoutError, ValidationFailedError } from './catga-errors.js';
import { ErrorCode } from './error-code.decorator.js';
import { deserializeError, serializeError } from './error.serializer.js';

@ErrorCode('SPEC_OUT_OF_STOCK', { retryable: false })
class OutOfStockError extends CatgaError {
  constructor(
    readonly productId: string,
    available: number,
  ) {
    super(`Only ${available} of ${productId} left`, { details: { productId, available } });
  }
}

const roundTrip = (e: unknown) => deserializeError(JSON.parse(JSON.stringify(serializeError(e, 'm-1'))));

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
});
