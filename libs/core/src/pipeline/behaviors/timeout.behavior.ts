import type { HandlingContext } from '../../context/message-context.js';
import { TimeoutError } from '../../errors/catga-errors.js';
import { DeadlineQueue } from '../../timing/deadline-queue.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

export interface TimeoutSettings {
  /** Time limit for one handling, in ms. Default 30000. */
  readonly timeoutMs: number;
  /** Per message type limits that override `timeoutMs`. Default none. */
  readonly perType: Readonly<Record<string, number>>;
}

/**
 * Fails the handling with a retryable `TIMEOUT` when it exceeds its limit, and aborts
 * `context.signal` so a cooperative handler can stop. Sits outside idempotency, so a late
 * finish still records the outcome a retry with the same id will receive.
 */
// A deadline and a race, not cockatiel's timeout policy, which builds an AbortController and its
// listeners on every call (docs/DECISIONS.md, The pipeline); handlings with the same limit share one timer.
export class TimeoutBehavior implements PipelineBehavior<HandlingContext> {
  private readonly deadlines = new DeadlineQueue();

  constructor(private readonly settings: TimeoutSettings) {}

  handle(context: HandlingContext, next: () => Promise<unknown>): Promise<unknown> {
    const ms = this.settings.perType[context.envelope.type] ?? this.settings.timeoutMs;
    return new Promise((resolve, reject) => {
      const deadline = this.deadlines.add(ms, () => {
        const error = new TimeoutError(`${context.envelope.type} was not handled within ${ms} ms`, {
          messageId: context.envelope.id,
        });
        context.abort(error);
        reject(error);
      });
      next().then(
        (result) => {
          deadline.cancel();
          resolve(result);
        },
        (error: unknown) => {
          deadline.cancel();
          reject(error);
        },
      );
    });
  }
}
