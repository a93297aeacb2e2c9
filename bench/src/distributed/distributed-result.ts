import type { Round } from '../measure.js';

/** One row of the distributed table, as a client worker reports it. */
export interface DistributedResult {
  /** Row id; a scenario may report several rows (publish acked, then handled). */
  readonly scenario: string;
  readonly label: string;
  /** Row whose throughput at the same in-flight level is the 1.0 of the ratio column. */
  readonly baseline: string;
  readonly inFlight: number;
  readonly opsPerSec: number;
  /** Per operation, in ms; null where a row has no per-operation timing. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Timed operations. */
  readonly ops: number;
  readonly rounds: readonly Round[];
  /** Client process: from the start of booting until it could send. */
  readonly bootMs: number;
}

/** What a client worker reports: its rows, and the CPU it used from the start of its scenario (its boot included). */
export interface ClientRun {
  readonly results: DistributedResult[];
  readonly cpuMs: number;
}

/**
 * CPU per message nats-server received during one client run (warm-up and rounds), by process:
 * the client from its own count (its boot included), the server process and nats-server from
 * /proc/<pid>/stat (10 ms ticks).
 */
export interface CpuBudget {
  readonly scenario: string;
  readonly inFlight: number;
  readonly natsMessagesIn: number;
  readonly clientUsPerMessage: number;
  readonly serverUsPerMessage: number;
  readonly natsServerUsPerMessage: number;
}

// Nest prints warnings on stdout too, so protocol lines are tagged rather than being all of stdout.
export const DISTRIBUTED_RESULT_MARKER = 'BENCH_DISTRIBUTED_RESULT ';
export const SERVER_READY_MARKER = 'BENCH_SERVER_READY';
