/** The sample services, in start order: order-api last, since it only fronts the others. */
export const SERVICES = ['order-service', 'payment-service', 'inventory-service', 'notification-service', 'order-api'] as const;

export type ServiceName = (typeof SERVICES)[number];

export type ReplicaCounts = Readonly<Record<ServiceName, number>>;

export const DEFAULT_REPLICAS: ReplicaCounts = {
  'order-api': 2,
  'order-service': 3,
  'payment-service': 2,
  'inventory-service': 2,
  'notification-service': 2,
};

/** One replica to run: `order-service-2` is the second replica of order-service. */
export interface ReplicaSpec {
  readonly service: ServiceName;
  /** 1-based. */
  readonly index: number;
  readonly instanceId: string;
}

export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

/** Every replica of every service, in start order. */
export function replicaSpecs(counts: ReplicaCounts): ReplicaSpec[] {
  return SERVICES.flatMap((service) =>
    Array.from({ length: counts[service] }, (_, i) => ({ service, index: i + 1, instanceId: `${service}-${i + 1}` })),
  );
}

/** `order-service=3,payment-service=2` on top of `base`; unknown services and counts below 1 are errors. */
export function parseReplicaCounts(text: string, base: ReplicaCounts = DEFAULT_REPLICAS): ReplicaCounts {
  const counts: Record<ServiceName, number> = { ...base };
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z-]+)=(\d+)$/.exec(entry);
    const service = match?.[1];
    if (match === null || service === undefined || !isServiceName(service)) {
      throw new Error(`--replicas: "${entry}" is not <service>=<count> with a service among ${SERVICES.join(', ')}`);
    }
    const count = Number(match[2]);
    if (count < 1) throw new Error(`--replicas: ${service} needs at least 1 replica, got ${count}`);
    counts[service] = count;
  }
  return counts;
}
