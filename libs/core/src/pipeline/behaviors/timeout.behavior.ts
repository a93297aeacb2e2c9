import { HandlingContext, type MessageContext } from '../../context/message-context.js';
import { TimeoutError } from '../../errors/catga-errors.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

export interface TimeoutBehaviorOptions {
  /** Time limit for one handling, in ms. */
  timeoutMs: number;
  /** Per message type limits that override `timeoutMs`. */
  perType?: Record<string, number>;
}

/**
 * Fails the handling with a retryable `TIMEOUT` when it exceeds its limit, and aborts
 * `context.signal` so a cooperative handler can stop. Sits outside idempotency, so a late
 * finish still records the outcome a retry with the same id will receive.
 */
// One timer and a race, not cockatiel's timeout policy: that one builds an AbortController and its
// listeners on every call, which was 18% of a NATS server's CPU under load (docs/DECISIONS.md).
export class TimeoutBehavior implements PipelineBehavior {
  constructor(private readonly options: TimeoutBehaviorOptions) {}

  handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const ms = this.options.perType?.[context.envelope.type] ?? this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TimeoutError(`${context.envelope.type} was not handled within ${ms} ms`, {
          messageId: context.envelope.id,
        });
        if (context instanceof HandlingContext) context.abort(error);
        reject(error);
      }, ms);
      next().then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
