import { pollUntil } from './poll-until.js';

/**
 * `pollUntil` for assertions: calls `check` until it returns without throwing, and at the deadline
 * rethrows its last error, so the test fails with the assertion's own message.
 */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 10): Promise<T> {
  return pollUntil(check, {
    description: 'a check to pass',
    timeoutMs,
    intervalMs,
    timeoutError: (lastFailure) => lastFailure,
  });
}
