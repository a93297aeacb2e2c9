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
  | { readonly kind: 'redis-primary'; readonly atProgress: number };

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
 * the NATS meta leader killed and restarted, and the Redis primary killed so Sentinel fails over;
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
  }
}
