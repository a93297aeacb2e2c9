import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import type { MessageContext } from '../../context/message-context.js';
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
export class TimeoutBehavior implements PipelineBehavior {
  private readonly policies = new Map<number, ReturnType<typeof timeout>>();

  constructor(private readonly options: TimeoutBehaviorOptions) {}

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const ms = this.options.perType?.[context.envelope.type] ?? this.options.timeoutMs;
    try {
      return await this.policy(ms).execute(({ signal }) => {
        context.signal = signal;
        return next();
      });
    } catch (error) {
      if (error instanceof TaskCancelledError) {
        throw new TimeoutError(`${context.envelope.type} was not handled within ${ms} ms`, {
          messageId: context.envelope.id,
        });
      }
      throw error;
    }
  }

  private policy(ms: number) {
    let policy = this.policies.get(ms);
    if (!policy) this.policies.set(ms, (policy = timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false })));
    return policy;
  }
}
