import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { HandlingContext, type MessageContext } from '../../context/message-context.js';
import { CatgaError } from '../../errors/catga.error.js';
import type { CatgaSignals } from '../../signals/catga-signals.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

export interface RetryBehaviorOptions {
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  /** First backoff delay in ms; later ones grow exponentially with jitter. Default 50. */
  initialDelayMs?: number;
  /** Largest backoff delay in ms. Default 2000. */
  maxDelayMs?: number;
  /** Called before each retry (metrics, logs). */
  onRetry?: (context: MessageContext, attempt: number, error: unknown) => void;
}

const RETRY_ATTEMPT = Symbol.for('catga.retry-attempt');

/** Retries a handling that failed with an error marked `retryable`, with exponential backoff and jitter. */
export class RetryBehavior implements PipelineBehavior {
  private readonly policy: RetryPolicy;

  constructor(
    private readonly options: RetryBehaviorOptions = {},
    private readonly signals?: CatgaSignals,
  ) {
    this.policy = retry(
      handleWhen((error) => error instanceof CatgaError && error.retryable),
      {
        maxAttempts: Math.max(0, (options.maxAttempts ?? 3) - 1),
        backoff: new ExponentialBackoff({
          initialDelay: options.initialDelayMs ?? 50,
          maxDelay: options.maxDelayMs ?? 2_000,
        }),
      },
    );
  }

  handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    // No signal passed: reading context.signal would build an AbortController for every message.
    return this.policy.execute(({ attempt }) => {
      if (attempt > 0) {
        // Timed out meanwhile: the caller has its answer, stop trying.
        const aborted = context instanceof HandlingContext ? context.abortReason : undefined;
        if (aborted !== undefined) return Promise.reject(aborted);
        context.items.set(RETRY_ATTEMPT, attempt);
        this.options.onRetry?.(context, attempt, undefined);
        if (this.signals?.wrapsOperations) return this.signals.run({ name: 'retry', envelope: context.envelope, attempt }, next);
      }
      return next();
    });
  }
}

/** How many retries the current handling has made (0 on the first attempt). */
export function retryAttemptOf(context: MessageContext): number {
  const attempt = context instanceof HandlingContext ? context.peek(RETRY_ATTEMPT) : context.items.get(RETRY_ATTEMPT);
  return (attempt as number | undefined) ?? 0;
}
