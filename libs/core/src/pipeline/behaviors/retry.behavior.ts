import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { HandlingContext, MessageContext } from '../../context/message-context.js';
import { isRetryable } from '../../errors/error.serializer.js';
import type { CatgaSignals } from '../../signals/catga-signals.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

export interface RetrySettings {
  /** Attempts in all, the first included. Default 3. */
  readonly maxAttempts: number;
  /** First backoff delay in ms; later ones grow exponentially with jitter. Default 50. */
  readonly initialDelayMs: number;
  /** Largest backoff delay in ms. Default 2000. */
  readonly maxDelayMs: number;
}

export type RetryBehaviorOptions = Partial<RetrySettings>;

const RETRY_ATTEMPT = Symbol.for('catga.retry-attempt');

/** Retries a handling that failed with an error marked `retryable` (a `CatgaError`'s flag, `@ErrorCode`'s option), with exponential backoff and jitter. */
export class RetryBehavior implements PipelineBehavior<HandlingContext> {
  private readonly policy: RetryPolicy;

  constructor(
    settings: RetrySettings,
    private readonly signals?: CatgaSignals,
  ) {
    this.policy = retry(handleWhen(isRetryable), {
      maxAttempts: Math.max(0, settings.maxAttempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: settings.initialDelayMs, maxDelay: settings.maxDelayMs }),
    });
  }

  handle(context: HandlingContext, next: () => Promise<unknown>): Promise<unknown> {
    // No signal passed: reading context.signal would build an AbortController for every message.
    return this.policy.execute(({ attempt }) => {
      if (attempt > 0) {
        // Timed out meanwhile: the caller has its answer, stop trying.
        const aborted = context.abortReason;
        if (aborted !== undefined) return Promise.reject(aborted);
        context.items.set(RETRY_ATTEMPT, attempt);
        if (this.signals?.wrapsOperations) return this.signals.run({ name: 'retry', envelope: context.envelope, attempt }, next);
      }
      return next();
    });
  }
}

/** How many retries the current handling has made (0 on the first attempt). */
export function retryAttemptOf(context: MessageContext): number {
  return (context.peek(RETRY_ATTEMPT) as number | undefined) ?? 0;
}
