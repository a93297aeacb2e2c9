import { sleep } from './sleep.js';

/** A delay that doubles with each attempt, from `initialMs` up to `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The delay before attempt `attempt + 1`, after `attempt` (1-based) failed: `initialMs · 2^(attempt-1)`, capped. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/**
 * Calls `probe` until it returns something other than `undefined`, pausing with `backoff` between
 * calls, and gives `undefined` once `deadline` (epoch ms) has passed.
 */
export async function pollWithBackoff<T>(probe: () => Promise<T | undefined>, deadline: number, backoff: Backoff): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return undefined;
    await sleep(Math.min(backoffDelay(attempt, backoff), remaining));
  }
}
