import type { Measurement } from './measure.js';

/** What a worker reports for its one scenario and mode. */
export interface WorkerResult {
  readonly scenario: string;
  readonly measurement: Measurement;
  readonly bootMs: number;
  /** Heap in use after the last round, in MiB (shows the idempotency records the default pipeline keeps). */
  readonly heapUsedMb: number;
}

// Nest prints warnings on stdout too, so the result line is tagged rather than being all of stdout.
export const RESULT_MARKER = 'BENCH_RESULT ';
