export type FaultKind = 'replica' | 'nats-node' | 'redis-primary' | 'partition';

/** One fault as it happened; times are epoch ms. */
export interface FaultRecord {
  readonly kind: FaultKind;
  /** `order-service-2`, `nats n1 :4222`, `redis primary :6379`. */
  readonly target: string;
  /** SIGKILL or SIGTERM; none for a partition. */
  readonly signal?: NodeJS.Signals;
  readonly at: number;
  /** The process had exited (for SIGTERM: drained). */
  exitedAt?: number;
  /** Partition: the link was restored. */
  healedAt?: number;
  /** Redis: the replica every sentinel named primary, and when. */
  promoted?: string;
  promotedAt?: number;
  /** The replica (restarted, or healed from a partition) answered /health/ready again, the NATS node was back in a healthy cluster, the old Redis primary had synced as a replica. */
  replacedAt?: number;
  /** Replica: starts of the replacement that died or never became ready before one did. */
  failedStarts?: number;
  error?: string;
}

export interface SkippedFault {
  readonly description: string;
  readonly reason: string;
}

/** What the chaos schedule did, for the report. */
export class FaultLog {
  private readonly records: FaultRecord[] = [];
  private readonly skips: SkippedFault[] = [];

  begin(kind: FaultKind, target: string, signal?: NodeJS.Signals): FaultRecord {
    const record: FaultRecord = { kind, target, ...(signal === undefined ? {} : { signal }), at: Date.now() };
    this.records.push(record);
    return record;
  }

  skip(description: string, reason: string): void {
    this.skips.push({ description, reason });
  }

  get faults(): readonly FaultRecord[] {
    return this.records;
  }

  get skipped(): readonly SkippedFault[] {
    return this.skips;
  }
}
