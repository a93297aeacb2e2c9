import { type HostPort } from '../net/host-port.js';
import type { ExitInfo } from '../process/exit-info.js';
import { launchOnFreePorts } from '../server/launch-on-free-ports.js';
import { ServerCluster } from '../server/server-cluster.js';
import { parseRedisInfo } from './redis-info.js';
import type { RedisSecurity } from './redis-security.js';
import { createRedisServer, type RedisServer, type RedisServerHandle } from './redis-server.js';

export interface RedisClusterOptions {
  /** Number of masters, each owning an equal share of the 16384 slots. No replicas. Default 3. */
  readonly masters?: number;
  /** `cluster-node-timeout`. Default 2000. */
  readonly nodeTimeoutMs?: number;
  /** AOF on every node, so keys survive kill + restart. Default false. */
  readonly appendonly?: boolean;
  /** Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** TLS (the cluster bus too) and ACL on every node. */
  readonly security?: RedisSecurity;
}

export interface RedisClusterHandle {
  /** Client addresses of the nodes, the form cluster clients take as startup nodes. */
  readonly nodes: readonly HostPort[];
  readonly servers: readonly RedisServerHandle[];
  node(index: number): RedisServerHandle;
  /** `CLUSTER INFO` of one node. */
  clusterInfo(index: number): Promise<Record<string, string>>;
  /** Kills one node (default SIGKILL); its slots become unavailable, so the cluster goes to `fail`. */
  kill(index: number, signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Restarts one node with its nodes.conf (same identity and slots), then waits until the cluster is ok. */
  restart(index: number): Promise<void>;
  /** Every node running, and each reports cluster_state:ok, all slots assigned and all nodes known. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SLOT_COUNT = 16_384;

class RedisCluster extends ServerCluster<RedisServer> implements RedisClusterHandle {
  readonly nodes: readonly HostPort[];

  constructor(
    servers: readonly RedisServer[],
    private readonly busPorts: readonly number[],
    private readonly readyTimeoutMs: number,
  ) {
    super(servers);
    this.nodes = servers.map((server) => ({ host: server.host, port: server.port }));
  }

  async clusterInfo(index: number): Promise<Record<string, string>> {
    return parseRedisInfo(await this.node(index).command(['CLUSTER', 'INFO']));
  }

  async waitUntilHealthy(timeoutMs = this.readyTimeoutMs): Promise<void> {
    await this.pollNodes(`Redis cluster of ${this.servers.length} nodes healthy`, timeoutMs, true, async () => {
      await Promise.all(
        this.servers.map(async (_, index) => {
          const info = await this.clusterInfo(index);
          const problems = [
            info['cluster_state'] !== 'ok' && `cluster_state:${String(info['cluster_state'])}`,
            Number(info['cluster_slots_ok']) !== SLOT_COUNT && `cluster_slots_ok:${String(info['cluster_slots_ok'])}`,
            Number(info['cluster_known_nodes']) !== this.servers.length && `cluster_known_nodes:${String(info['cluster_known_nodes'])}`,
          ].filter(Boolean);
          if (problems.length > 0) throw new Error(`node ${index} :${this.node(index).port} ${problems.join(' ')}`);
        }),
      );
    });
  }

  /**
   * What `redis-cli --cluster create` does, minus its fixed one-second waits: give each node a slot
   * range and a distinct config epoch, then introduce everyone to node 0 (gossip does the rest).
   */
  async assignSlotsAndMeet(): Promise<void> {
    const count = this.servers.length;
    await Promise.all(
      this.servers.map(async (server, i) => {
        const first = Math.floor((i * SLOT_COUNT) / count);
        const last = Math.floor(((i + 1) * SLOT_COUNT) / count) - 1;
        await server.command(['CLUSTER', 'ADDSLOTSRANGE', first, last]);
        await server.command(['CLUSTER', 'SET-CONFIG-EPOCH', i + 1]);
      }),
    );
    const seed = this.node(0);
    for (let i = 1; i < count; i += 1) {
      await seed.command(['CLUSTER', 'MEET', this.node(i).host, this.node(i).port, this.busPorts[i] as number]);
    }
  }
}

/** Starts a Redis Cluster of `masters` loopback nodes (explicit bus ports, no replicas); waits for cluster_state:ok. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1) throw new RangeError(`masters must be >= 1, got ${masters}`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  return launchOnFreePorts(
    masters * 2,
    (ports) => {
      const clientPorts = ports.slice(0, masters);
      // The default bus port is client port + 10000, which nobody checked was free; name it explicitly.
      const busPorts = ports.slice(masters);
      const servers = clientPorts.map((port, i) =>
        createRedisServer(
          port,
          { appendonly: options.appendonly ?? false, readyTimeoutMs, ...(options.security ? { security: options.security } : {}) },
          'cluster',
          [
            'cluster-enabled yes',
            'cluster-config-file nodes.conf',
            `cluster-port ${busPorts[i] as number}`,
            `cluster-node-timeout ${options.nodeTimeoutMs ?? 2_000}`,
          ],
        ),
      );
      return new RedisCluster(servers, busPorts, readyTimeoutMs);
    },
    async (cluster) => {
      for (const server of cluster.servers) await server.start();
      for (const server of cluster.servers) await server.waitUntilReady();
      await cluster.assignSlotsAndMeet();
      await cluster.waitUntilHealthy();
    },
  );
}
