import type { Mode } from './mode.js';
import type { RunSettings } from './run-settings.js';

/** One benchmarked call; `i` varies the input so every call builds a fresh message. */
export type Operation = (i: number) => Promise<unknown>;

export interface Round {
  readonly ops: number;
  readonly ms: number;
  readonly opsPerSec: number;
}

export interface Measurement {
  readonly mode: Mode;
  readonly opsPerRound: number;
  readonly rounds: readonly Round[];
  /** Median of the rounds. */
  readonly opsPerSec: number;
  /** 1e6 / opsPerSec: in the concurrent mode this is throughput cost, not latency. */
  readonly usPerOp: number;
}

// Warmup chunks grow until one takes this long, so reading the clock stays negligible.
const MIN_CHUNK_MS = 50;
const MIN_OPS_PER_ROUND = 1000;

export async function measure(op: Operation, mode: Mode, settings: RunSettings): Promise<Measurement> {
  const run = mode === 'sequential' ? runSequential : runConcurrent;
  const opsPerRound = await warmUp(op, run, settings);
  const rounds: Round[] = [];
  for (let r = 0; r < settings.rounds; r++) {
    // Start each round from a clean heap so one round's garbage is not collected in the next.
    globalThis.gc?.();
    const started = performance.now();
    await run(op, opsPerRound, settings.concurrency);
    const ms = performance.now() - started;
    rounds.push({ ops: opsPerRound, ms, opsPerSec: (opsPerRound / ms) * 1000 });
  }
  const opsPerSec = median(rounds.map((r) => r.opsPerSec));
  return { mode, opsPerRound, rounds, opsPerSec, usPerOp: 1e6 / opsPerSec };
}

type Runner = (op: Operation, count: number, concurrency: number) => Promise<void>;

/** Runs until `warmupMs` passed and returns the op count that fills one round at the warm rate. */
async function warmUp(op: Operation, run: Runner, settings: RunSettings): Promise<number> {
  let chunk = MIN_OPS_PER_ROUND;
  let rate = 0;
  const deadline = performance.now() + settings.warmupMs;
  do {
    const started = performance.now();
    await run(op, chunk, settings.concurrency);
    const ms = performance.now() - started;
    rate = (chunk / ms) * 1000;
    if (ms < MIN_CHUNK_MS) chunk *= 2;
  } while (performance.now() < deadline);
  return Math.max(MIN_OPS_PER_ROUND, Math.round((rate * settings.roundMs) / 1000));
}

async function runSequential(op: Operation, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await op(i);
}

/** Keeps `concurrency` operations outstanding: each lane starts the next one when its own resolves. */
async function runConcurrent(op: Operation, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
