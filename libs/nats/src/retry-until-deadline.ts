import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';

/** Thrown by an attempt to say "try again with the same message id". */
export class RetryableAttempt extends Error {}

/**
 * Runs `attempt` until it succeeds, throws something other than `RetryableAttempt`, or the
 * deadline passes (then the last `RetryableAttempt` is thrown). The first attempt runs without
 * building a retry policy: most succeed, and the policy costs on a hot path.
 */
export async function retryUntilDeadline<T>(
  attempt: () => Promise<T>,
  deadline: number,
  backoff: { initialDelay: number; maxDelay: number },
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof RetryableAttempt)) throw error;
  }
  const policy = retry(handleWhen((e) => e instanceof RetryableAttempt && Date.now() < deadline), {
    maxAttempts: Number.MAX_SAFE_INTEGER,
    backoff: new ExponentialBackoff(backoff),
  });
  return policy.execute(attempt);
}
