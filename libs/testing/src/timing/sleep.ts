import { setTimeout as delay } from 'node:timers/promises';

export interface SleepOptions {
  /** Ends the pause early, rejecting with an AbortError. */
  readonly signal?: AbortSignal;
}

/** Resolves after `ms`: the one pause of this package, between polls and around deadlines. */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  return delay(ms, undefined, { signal: options.signal });
}
