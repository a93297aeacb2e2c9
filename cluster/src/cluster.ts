import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetworkNamespace, freePorts, networkNamespacesUnavailable, type NetworkNamespace } from '@catga/testing';
import { describeCluster } from './cluster-description.js';
import { startInfrastructure, type Infrastructure } from './infrastructure.js';
import { runLoad, type LoadOptions } from './load-run.js';
import type { ClusterReport } from './report.js';
import { ServiceReplica } from './service-replica.js';
import { isolateFromTerminal } from './terminal-isolation.js';
import { DEFAULT_REPLICAS, replicaSpecs, type ReplicaCounts, type ServiceName } from './topology.js';

export interface ClusterOptions {
  /** Default: order-api 2, order-service 3, payment-service 2, inventory-service 2, notification-service 2. */
  readonly replicas?: ReplicaCounts;
  /** Logs, the report and helper scripts. Default `<repo>/.cluster/<timestamp>`. */
  readonly runDir?: string;
  /**
   * Start servers and services in sessions of their own, so a terminal's Ctrl-C reaches only the
   * runner, which then stops them in order. For the CLI; default false.
   */
  readonly isolateFromTerminal?: boolean;
  /** Progress lines (faults, recoveries, load progress). Default: none. */
  readonly onEvent?: (line: string) => void;
  /**
   * Services of which one replica (the last) runs in a network namespace of its own, so a
   * 'partition' fault can cut it off. Needs root and `ip netns`; without them the replica runs
   * like the others and partition faults are skipped with the reason. Default none.
   */
  readonly partitionable?: readonly ServiceName[];
}

export interface ClusterHandle {
  readonly runDir: string;
  readonly replicaCounts: ReplicaCounts;
  readonly infrastructure: Infrastructure;
  readonly replicas: readonly ServiceReplica[];
  /** Base URLs of the order-api replicas. */
  readonly apiUrls: readonly string[];
  replicasOf(service: ServiceName): readonly ServiceReplica[];
  /** Why `partitionable` services got no replica in a network namespace, if they did not. */
  readonly partitionUnavailable: string | undefined;
  /** Where everything is, as a printable page. */
  describe(): string;
  /** Places orders (optionally under chaos), verifies them and returns the report, also written to `<runDir>/report.json`. */
  runLoad(options: LoadOptions): Promise<ClusterReport>;
  /** SIGTERM to every service (SIGKILL after 30 s), then the servers. Idempotent. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts the servers, then every replica, and resolves once each answers /health/ready. */
export async function startCluster(options: ClusterOptions = {}): Promise<ClusterHandle> {
  const replicaCounts = options.replicas ?? DEFAULT_REPLICAS;
  const runDir = options.runDir ?? join(REPO_ROOT, '.cluster', new Date().toISOString().replace(/:/g, '-').replace(/\..*$/, ''));
  const logsDir = join(runDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const onEvent = options.onEvent ?? (() => undefined);
  const launcher = options.isolateFromTerminal ? isolateFromTerminal(join(runDir, 'bin')) : [];

  // The last replica of each partitionable service with a second one to take over.
  const cutOff = new Set(
    (options.partitionable ?? []).filter((service) => replicaCounts[service] >= 2).map((service) => `${service}-${replicaCounts[service]}`),
  );
  let partitionUnavailable = cutOff.size > 0 ? await networkNamespacesUnavailable() : undefined;
  if (partitionUnavailable !== undefined) onEvent(`no network partitions in this run: ${partitionUnavailable}`);
  onEvent('starting NATS (3 nodes) and Redis (primary, replica, 3 sentinels)');
  const namespaced = cutOff.size > 0 && partitionUnavailable === undefined;
  const infrastructure = await startInfrastructure({ logsDir, redisPrefix: 'catga', namespacedClients: namespaced });
  const specs = replicaSpecs(replicaCounts);
  const replicas: ServiceReplica[] = [];
  const networks: NetworkNamespace[] = [];
  try {
    const ports = await freePorts(specs.length);
    for (const [i, spec] of specs.entries()) {
      let network: NetworkNamespace | undefined;
      if (namespaced && cutOff.has(spec.instanceId)) {
        try {
          network = await createNetworkNamespace();
          networks.push(network);
          onEvent(`${spec.instanceId} runs in network namespace ${network.name} at ${network.address}, to be partitioned`);
        } catch (error) {
          partitionUnavailable = error instanceof Error ? error.message : String(error);
          onEvent(`${spec.instanceId} runs on loopback, it cannot be partitioned: ${partitionUnavailable}`);
        }
      }
      replicas.push(
        new ServiceReplica({
          spec,
          port: ports[i] as number,
          env: infrastructure.serviceEnv,
          logsDir,
          launcher,
          ...(network ? { network } : {}),
        }),
      );
    }
    onEvent(`starting ${replicas.length} service replicas and waiting until each answers /health/ready`);
    const started = await Promise.allSettled(replicas.map((replica) => replica.start()));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } catch (error) {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await infrastructure.stop();
    await Promise.all(networks.map((network) => network.remove()));
    throw error;
  }
  return new RunningCluster(runDir, replicaCounts, infrastructure, replicas, networks, partitionUnavailable, onEvent);
}

class RunningCluster implements ClusterHandle {
  readonly apiUrls: readonly string[];
  private stopping: Promise<void> | undefined;

  constructor(
    readonly runDir: string,
    readonly replicaCounts: ReplicaCounts,
    readonly infrastructure: Infrastructure,
    readonly replicas: readonly ServiceReplica[],
    private readonly networks: readonly NetworkNamespace[],
    readonly partitionUnavailable: string | undefined,
    private readonly onEvent: (line: string) => void,
  ) {
    this.apiUrls = this.replicasOf('order-api').map((replica) => replica.url);
  }

  replicasOf(service: ServiceName): readonly ServiceReplica[] {
    return this.replicas.filter((replica) => replica.service === service);
  }

  describe(): string {
    return describeCluster(this.runDir, this.infrastructure, this.replicas);
  }

  runLoad(options: LoadOptions): Promise<ClusterReport> {
    return runLoad(
      {
        runDir: this.runDir,
        replicaCounts: this.replicaCounts,
        replicas: this.replicas,
        apiUrls: this.apiUrls,
        infrastructure: this.infrastructure,
        replicasOf: (service) => this.replicasOf(service),
        ...(this.partitionUnavailable === undefined ? {} : { partitionUnavailable: this.partitionUnavailable }),
        onEvent: this.onEvent,
      },
      options,
    );
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.onEvent('stopping: SIGTERM to every service, then the servers');
      await Promise.all(this.replicas.map((replica) => replica.stop()));
      await this.infrastructure.stop();
      await Promise.all(this.networks.map((network) => network.remove()));
    })();
    return this.stopping;
  }
}
