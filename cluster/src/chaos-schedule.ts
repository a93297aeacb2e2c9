import { setTimeout as delay } from 'node:timers/promises';
import { failOverRedis, firstLine, killNatsMetaLeader, killReplica, partitionReplica, type FaultContext } from './fault-injection.js';
import type { FaultLog, FaultRecord } from './fault-log.js';
import { describeFault, PARTITION_MS, type FaultPlan } from './fault-plan.js';
import type { Infrastructure } from './infrastructure.js';
import type { ServiceReplica } from './service-replica.js';
import type { ServiceName } from './topology.js';

export interface ChaosTargets {
  readonly infrastructure: Infrastructure;
  replicasOf(service: ServiceName): readonly ServiceReplica[];
  /** Why no replica runs in a network namespace (not root, no `ip netns`), if that is so. */
  readonly partitionUnavailable?: string;
}

export interface ChaosRun {
  readonly plan: readonly FaultPlan[];
  readonly targets: ChaosTargets;
  readonly log: FaultLog;
  /** Share of the orders sent so far, 0..1. */
  progress(): number;
  /** True once every order has its final answer. */
  loadFinished(): boolean;
  /** Called just before a replica is killed (its metrics are scraped there). */
  beforeKill(replica: ServiceReplica): Promise<void>;
  onEvent(line: string): void;
}

/**
 * Injects each fault once its share of the orders has gone out. Faults on the same service, and
 * faults on the servers (NATS, Redis), wait for the previous one in their lane to recover, so a
 * service is never left without a replica by the schedule itself; faults in different lanes may
 * overlap. A fault not yet injected when every order has gone out is skipped: no order after it
 * would show the recovery. Resolves once every injected fault has recovered.
 */
export async function runChaos(run: ChaosRun): Promise<void> {
  const kills = new Map<string, number>();
  const lanes = new Map<string, Promise<void>>();
  for (const fault of run.plan) {
    while (run.progress() < fault.atProgress && !run.loadFinished()) await delay(50);
    const lane = fault.kind === 'replica' || fault.kind === 'partition' ? fault.service : 'servers';
    await lanes.get(lane);
    if (run.progress() >= 1 || run.loadFinished()) {
      run.log.skip(describeFault(fault), 'every order had gone out before it could be injected');
      continue;
    }
    const cannot = fault.kind === 'partition' ? whyNoPartition(run.targets, fault.service) : undefined;
    if (cannot !== undefined) {
      run.log.skip(describeFault(fault), cannot);
      run.onEvent(`chaos: skipped "${describeFault(fault)}": ${cannot}`);
      continue;
    }
    lanes.set(lane, inject(run, fault, kills));
  }
  await Promise.all(lanes.values());
}

/** Runs one fault to its recovery; a failure is recorded on the fault, not thrown. */
async function inject(run: ChaosRun, fault: FaultPlan, kills: Map<string, number>): Promise<void> {
  let record: FaultRecord | undefined;
  const context: FaultContext = {
    infrastructure: run.targets.infrastructure,
    begin: (kind, target, signal) => (record = run.log.begin(kind, target, signal)),
    beforeKill: (replica) => run.beforeKill(replica),
    onEvent: (line) => run.onEvent(line),
  };
  try {
    switch (fault.kind) {
      case 'replica':
        await killReplica(context, pickReplica(run.targets.replicasOf(fault.service), kills), fault.signal, fault.downMs ?? 1_000);
        break;
      case 'nats-node':
        await killNatsMetaLeader(context, fault.downMs ?? 2_000);
        break;
      case 'redis-primary':
        await failOverRedis(context);
        break;
      case 'partition':
        await partitionReplica(context, partitionable(run.targets, fault.service)!, fault.cutMs ?? PARTITION_MS);
        break;
    }
  } catch (error) {
    if (record !== undefined) record.error = firstLine(error);
    run.onEvent(`chaos: "${describeFault(fault)}" went wrong: ${firstLine(error)}`);
  }
}

/** The running replica of `service` that can be partitioned, if any. */
function partitionable(targets: ChaosTargets, service: ServiceName): ServiceReplica | undefined {
  return targets.replicasOf(service).find((replica) => replica.network !== undefined && replica.isRunning);
}

function whyNoPartition(targets: ChaosTargets, service: ServiceName): string | undefined {
  if (partitionable(targets, service) !== undefined) return undefined;
  if (targets.partitionUnavailable !== undefined) return `cannot partition: ${targets.partitionUnavailable}`;
  if (targets.replicasOf(service).length < 2) return `${service} has no second replica to take over`;
  return `no running replica of ${service} in a network namespace (the cluster was started without partitionable: ['${service}'])`;
}

/** The running replica killed least often so far, so repeated faults visit every replica. */
function pickReplica(replicas: readonly ServiceReplica[], kills: Map<string, number>): ServiceReplica {
  const running = replicas.filter((replica) => replica.isRunning);
  const replica = running.sort((a, b) => (kills.get(a.instanceId) ?? 0) - (kills.get(b.instanceId) ?? 0))[0];
  if (replica === undefined) throw new Error(`no running replica of ${replicas[0]?.service ?? 'the service'}`);
  kills.set(replica.instanceId, (kills.get(replica.instanceId) ?? 0) + 1);
  return replica;
}
