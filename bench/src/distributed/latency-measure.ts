import { median, type Operation, type Round } from '../measure.js';
import type { DistributedSettings } from './distributed-settings.js';
import { runForDuration } from './in-flight-runner.js';
import { percentile, sortedDurations } from './percentile.js';

export interface LatencyMeasurement {
  readonly inFlight: number;
  readonly rounds: readonly Round[];
  /** Median of the rounds. */
  readonly opsPerSec: number;
  /** Over every timed operation of every round, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ops: number;
}

/** Warms up for `warmupMs`, then times `rounds` rounds of `roundMs`, recording every request's duration. */
export async function measureLatency(op: Operation, inFlight: number, settings: DistributedSettings): Promise<LatencyMeasurement> {
  await runForDuration(op, inFlight, settings.warmupMs);
  const durations: number[] = [];
  const rounds: Round[] = [];
  for (let r = 0; r < settings.rounds; r++) {
    // Start each round from a clean heap so one round's garbage is not collected in the next.
    globalThis.gc?.();
    const started = performance.now();
    const ops = await runForDuration(op, inFlight, settings.roundMs, durations);
    const ms = performance.now() - started;
    rounds.push({ ops, ms, opsPerSec: (ops / ms) * 1000 });
  }
  const sorted = sortedDurations(durations);
  return {
    inFlight,
    rounds,
    opsPerSec: median(rounds.map((r) => r.opsPerSec)),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    ops: sorted.length,
  };
}
