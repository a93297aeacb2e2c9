import type { ReplicaCounts, ServiceName } from './topology.js';

/** A fault to inject once `atProgress` of the orders (0..1) have gone out. */
export type FaultPlan =
  | {
      readonly kind: 'replica';
      readonly service: ServiceName;
      readonly signal: 'SIGKILL' | 'SIGTERM';
      readonly atProgress: number;
      /** How long the replica stays down before it is started again. Default 1000. */
      readonly downMs?: number;
    }
  /** The JetStream meta leader, killed and (after `downMs`, default 2000) restarted. */
  | { readonly kind: 'nats-node'; readonly atProgress: number; readonly downMs?: number }
  /** The Redis primary, killed; Sentinel promotes the replica, the old primary comes back as a replica. */
  | { readonly kind: 'redis-primary'; readonly atProgress: number }
  /**
   * The replica of `service` that runs in a network namespace, cut off from NATS and Redis (and
   * they from it) for `cutMs` (default 5000), then healed; it is not restarted.
   */
  | { readonly kind: 'partition'; readonly service: ServiceName; readonly atProgress: number; readonly cutMs?: number };

/** The service whose replica the default schedule cuts off: a partition puts its charges' exactly-once to the test. */
const PARTITIONED_SERVICE: ServiceName = 'payment-service';

const REPLICA_FAULTS: ReadonlyArray<{ service: ServiceName; signal: 'SIGKILL' | 'SIGTERM' }> = [
  { service: 'order-service', signal: 'SIGKILL' },
  { service: 'payment-service', signal: 'SIGTERM' },
  { service: 'order-api', signal: 'SIGKILL' },
  { service: 'inventory-service', signal: 'SIGKILL' },
  { service: 'order-service', signal: 'SIGTERM' },
  { service: 'notification-service', signal: 'SIGKILL' },
];

/**
 * Replica kills (SIGKILL and SIGTERM) of every service that has a second replica to take over,
 * the NATS meta leader killed and restarted, the Redis primary killed so Sentinel fails over, and
 * a payment-service replica cut off by a network partition for 5 s (when it has a second replica);
 * spread over the first 60 % of the orders, so the orders after the last fault show the recovery.
 */
export function defaultChaosPlan(counts: ReplicaCounts): FaultPlan[] {
  const replicaFaults = REPLICA_FAULTS.filter((fault) => counts[fault.service] >= 2).map((fault) => ({
    kind: 'replica' as const,
    ...fault,
  }));
  const faults = [
    ...replicaFaults.slice(0, 2),
    { kind: 'nats-node' as const },
    ...replicaFaults.slice(2, 3),
    { kind: 'redis-primary' as const },
    ...(counts[PARTITIONED_SERVICE] >= 2 ? [{ kind: 'partition' as const, service: PARTITIONED_SERVICE }] : []),
    ...replicaFaults.slice(3),
  ];
  const step = 0.55 / Math.max(1, faults.length - 1);
  return faults.map((fault, i) => ({ ...fault, atProgress: 0.05 + i * step }));
}

export function describeFault(fault: FaultPlan): string {
  switch (fault.kind) {
    case 'replica':
      return `${fault.signal} a replica of ${fault.service}`;
    case 'nats-node':
      return 'SIGKILL the NATS JetStream meta leader';
    case 'redis-primary':
      return 'SIGKILL the Redis primary (Sentinel failover)';
    case 'partition':
      return `cut a replica of ${fault.service} off from NATS and Redis for ${((fault.cutMs ?? PARTITION_MS) / 1000).toFixed(1)} s`;
  }
}

export const PARTITION_MS = 5_000;

/** The services a plan partitions: each needs one replica started in a network namespace. */
export function partitionedServices(plan: readonly FaultPlan[]): ServiceName[] {
  return [...new Set(plan.flatMap((fault) => (fault.kind === 'partition' ? [fault.service] : [])))];
}
