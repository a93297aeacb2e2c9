import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { Backoff } from './backoff.js';

/** Thrown by an attempt to say "try again with the same message id". */
export class RetryableAttempt extends Error {}

/**
 * Runs `attempt` until it succeeds, throws something other than `RetryableAttempt`, or the
 * deadline (epoch ms) passes (then the last `RetryableAttempt` is thrown), pausing with `backoff`
 * (cockatiel's exponential backoff with decorrelated jitter). The first attempt runs without
 * building a retry policy: most succeed, and the policy costs on a hot path.
 */
export async function retryUntilDeadline<T>(attempt: () => Promise<T>, deadline: number, backoff: Backoff): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof RetryableAttempt)) throw error;
  }
  const policy = retry(
    handleWhen((e) => e instanceof RetryableAttempt && Date.now() < deadline),
    {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      backoff: new ExponentialBackoff({ initialDelay: backoff.initialMs, maxDelay: backoff.maxMs }),
    },
  );
  return policy.execute(attempt);
}
