/** How long each worker warms up and measures; the same for every scenario so results compare. */
export interface RunSettings {
  readonly warmupMs: number;
  readonly rounds: number;
  /** Target length of one timed round; the op count is fixed per round from the warmup rate. */
  readonly roundMs: number;
  /** Outstanding operations in the concurrent mode. */
  readonly concurrency: number;
}

export const FULL_RUN: RunSettings = { warmupMs: 1000, rounds: 5, roundMs: 1000, concurrency: 100 };

export const QUICK_RUN: RunSettings = { warmupMs: 250, rounds: 3, roundMs: 250, concurrency: 100 };

export function runSettings(quick: boolean): RunSettings {
  return quick ? QUICK_RUN : FULL_RUN;
}
