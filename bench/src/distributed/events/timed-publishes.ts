import type { Operation, Round } from '../../measure.js';
import { runCount } from '../in-flight-runner.js';
import { percentile, sortedDurations } from '../percentile.js';

export interface TimedPublishes {
  readonly round: Round;
  /** Publish-to-ack time per event, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Publishes `count` events at `inFlight`, timing each one until JetStream acked it. */
export async function timePublishes(publish: Operation, inFlight: number, count: number): Promise<TimedPublishes> {
  globalThis.gc?.();
  const durations: number[] = [];
  const started = performance.now();
  const ops = await runCount(publish, inFlight, count, durations);
  const ms = performance.now() - started;
  const sorted = sortedDurations(durations);
  return { round: { ops, ms, opsPerSec: (ops / ms) * 1000 }, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}
