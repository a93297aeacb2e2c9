import { backoffDelay } from '../../timing/backoff.js';

/** The longest a failed event waits before its next delivery, on every transport. */
export const MAX_REDELIVERY_DELAY_MS = 30_000;

/** The delay before redelivering an event whose delivery number `attempt` failed: `baseMs · 2^(attempt-1)`, capped at 30 s. */
export function redeliveryDelay(attempt: number, baseMs: number): number {
  return backoffDelay(attempt, { initialMs: baseMs, maxMs: MAX_REDELIVERY_DELAY_MS });
}
