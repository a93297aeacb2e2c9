import type { Operation } from '../measure.js';

/** A booted application and the call to benchmark against it. */
export interface BenchTarget {
  readonly op: Operation;
  close(): Promise<void>;
}
