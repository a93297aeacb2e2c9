/** How replicas and the caller recover from a replica that died or froze. */
export interface FailoverMode {
  readonly id: 'fast' | 'timeouts';
  readonly label: string;
  /** Added to each replica's environment. */
  readonly replicaEnv: Readonly<Record<string, string>>;
  /** The caller's CatgaModule `failover` option and its NATS transport's `progressIntervalMs` (undefined: the default). */
  readonly callerFailover: false | undefined;
  readonly callerProgressIntervalMs: number | undefined;
  /** What each replica must say it runs with (`ReplicaProcess.settings`). */
  readonly replicaSettings: string;
}

export const FAST_PATH: FailoverMode = {
  id: 'fast',
  label: 'fast path',
  replicaEnv: {},
  callerFailover: undefined,
  callerProgressIntervalMs: undefined,
  replicaSettings: 'failover=on claimTtlMs=10000 progressIntervalMs=default',
};

/** The fast path off on both sides; attemptTimeoutMs (5 s) and claimTtlMs (10 s) at their defaults. */
export const TIMEOUTS_ONLY: FailoverMode = {
  id: 'timeouts',
  label: 'timeouts only',
  replicaEnv: { CATGA_FAILOVER: 'timeouts', FAILOVER_PROGRESS_INTERVAL_MS: '0' },
  callerFailover: false,
  callerProgressIntervalMs: 0,
  replicaSettings: 'failover=off claimTtlMs=10000 progressIntervalMs=0',
};

export const FAILOVER_MODES: readonly FailoverMode[] = [FAST_PATH, TIMEOUTS_ONLY];
