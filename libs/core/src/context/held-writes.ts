import { CatgaError } from '../errors/catga.error.js';
import { ErrorCode } from '../errors/error-code.decorator.js';
import { currentMessageContext } from './message-context.js';

/** A handler asked to hold a write, but nothing here can apply it atomically with the outcome. */
@ErrorCode('HELD_WRITES_UNAVAILABLE', { retryable: false, httpStatus: 500 })
export class HeldWritesUnavailableError extends CatgaError {}

/**
 * Holds a store write (in the idempotency store's own form, e.g. `@catga/redis`'s
 * `holdRedisWrite`) so it lands in one atomic step with the handling's outcome: if the process
 * dies before, neither is stored and the retry runs the handler again; after, the retry gets the
 * outcome and the write happened once. Discarded if the handling fails or is retried.
 */
export function holdWrite(write: unknown): void {
  const context = currentMessageContext();
  if (!context) throw new HeldWritesUnavailableError('holdWrite is called outside a message handling');
  if (!context.heldWrites) {
    throw new HeldWritesUnavailableError(
      `Writes cannot be held for ${context.envelope.type}: the idempotency behavior is off, the message is a query, or the idempotency store cannot apply writes with the outcome`,
      { messageId: context.envelope.id },
    );
  }
  context.heldWrites.push(write);
}
