import { sleep } from '../timing/sleep.js';
import { WaitTimeoutError } from './wait-timeout-error.js';

export interface PollOptions {
  /** What is being waited for, used in the timeout message ("nats-server n1 healthy"). */
  readonly description: string;
  readonly timeoutMs: number;
  /** Pause between attempts. Default 100 ms. */
  readonly intervalMs?: number;
  /** Throw from here to stop waiting at once, e.g. because the watched process died. */
  readonly abortIf?: () => void;
  /** Extra text appended to the timeout error, e.g. the tail of a server log. */
  readonly diagnostics?: () => string;
  /**
   * What is thrown at the deadline, given the last failure of `probe`. Default: a WaitTimeoutError
   * with the description, that failure's message and the diagnostics.
   */
  readonly timeoutError?: (lastFailure: unknown) => unknown;
}

/**
 * Calls `probe` until it resolves, and returns its value. A probe signals "not yet" by throwing;
 * the last such message ends up in the timeout error so a failing test says what it was still seeing.
 */
export async function pollUntil<T>(probe: () => Promise<T> | T, options: PollOptions): Promise<T> {
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.abortIf?.();
    let lastFailure: unknown;
    try {
      return await probe();
    } catch (error) {
      lastFailure = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      // A dead process explains a timeout better than the last probe failure does.
      options.abortIf?.();
      throw options.timeoutError !== undefined ? options.timeoutError(lastFailure) : timedOut(options, lastFailure);
    }
    await sleep(Math.min(interval, remaining));
  }
}

function timedOut(options: PollOptions, lastFailure: unknown): WaitTimeoutError {
  const lastReason = lastFailure instanceof Error ? lastFailure.message : String(lastFailure);
  return new WaitTimeoutError(options.description, options.timeoutMs, lastReason, options.diagnostics?.() ?? '');
}
