/**
 * Milliseconds since the epoch with sub-millisecond resolution. Unlike `performance.now()` it is
 * comparable between processes on one machine, so a subscriber can time an event another sent.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
