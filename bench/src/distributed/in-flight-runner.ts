import type { Operation } from '../measure.js';

/**
 * Keeps `inFlight` operations outstanding: each lane starts the next one when its own resolves,
 * until `more(index)` says no. Each operation's duration goes to `durations` when given.
 * Returns how many operations ran.
 */
export async function runInFlight(
  op: Operation,
  inFlight: number,
  more: (index: number) => boolean,
  durations?: number[],
): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (more(next)) {
      const i = next++;
      const started = performance.now();
      await op(i);
      durations?.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return next;
}

/** Runs for about `ms`: no operation starts after the deadline; the ones in flight finish. */
export function runForDuration(op: Operation, inFlight: number, ms: number, durations?: number[]): Promise<number> {
  const deadline = performance.now() + ms;
  return runInFlight(op, inFlight, () => performance.now() < deadline, durations);
}

/** Runs exactly `count` operations. */
export function runCount(op: Operation, inFlight: number, count: number, durations?: number[]): Promise<number> {
  return runInFlight(op, Math.min(inFlight, count), (i) => i < count, durations);
}
