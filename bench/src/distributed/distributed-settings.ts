/** How long each distributed client warms up and measures; the same for every scenario so results compare. */
export interface DistributedSettings {
  readonly warmupMs: number;
  readonly rounds: number;
  /** Length of one timed round of requests. */
  readonly roundMs: number;
  /** Requests outstanding at once, one client run per level. */
  readonly requestInFlight: readonly number[];
  /** Events outstanding at once while publishing. */
  readonly eventInFlight: number;
  /** Events published (and handled) before the timed ones, to warm both processes and JetStream. */
  readonly warmupEvents: number;
  /** Events timed from the first publish until the subscriber has handled the last. */
  readonly events: number;
}

export const FULL_DISTRIBUTED_RUN: DistributedSettings = {
  warmupMs: 1000,
  rounds: 3,
  roundMs: 1000,
  requestInFlight: [1, 256],
  eventInFlight: 256,
  warmupEvents: 2000,
  events: 20_000,
};

export const QUICK_DISTRIBUTED_RUN: DistributedSettings = {
  warmupMs: 300,
  rounds: 3,
  roundMs: 300,
  requestInFlight: [1, 256],
  eventInFlight: 256,
  warmupEvents: 500,
  events: 5000,
};

export function distributedSettings(quick: boolean): DistributedSettings {
  return quick ? QUICK_DISTRIBUTED_RUN : FULL_DISTRIBUTED_RUN;
}
