import { type HostPort } from '../net/host-port.js';
import type { ExitInfo } from '../process/exit-info.js';
import { launchOnFreePorts } from '../server/launch-on-free-ports.js';
import { ServerCluster } from '../server/server-cluster.js';
import { parseClusterNodes, servesSlot, type RedisClusterNode } from './redis-cluster-nodes.js';
import { parseRedisInfo } from './redis-info.js';
import { REDIS_CLUSTER_SLOTS, redisKeySlot } from './redis-key-slot.js';
import type { RedisSecurity } from './redis-security.js';
import { createRedisServer, type RedisServer, type RedisServerHandle } from './redis-server.js';

export interface RedisClusterOptions {
  /** Number of masters, each owning an equal share of the 16384 slots. Default 3. */
  readonly masters?: number;
  /** Replicas of each master, which take over its slots when it fails. Default 0. */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node is unreachable before it is suspected. Default 2000. */
  readonly nodeTimeoutMs?: number;
  /** AOF on every node, so keys survive kill + restart. Default false. */
  readonly appendonly?: boolean;
  /** Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** TLS (the cluster bus and replication too) and ACL on every node. */
  readonly security?: RedisSecurity;
}

export interface RedisClusterHandle {
  /** Client addresses of every node (masters first, then replicas), the form cluster clients take as startup nodes. */
  readonly nodes: readonly HostPort[];
  /** Masters first (indices 0 to masters - 1), then the replicas of master 0, of master 1, and so on. */
  readonly servers: readonly RedisServerHandle[];
  node(index: number): RedisServerHandle;
  /** `CLUSTER INFO` of one node. */
  clusterInfo(index: number): Promise<Record<string, string>>;
  /** Every node with its current role, master, slots and failure flag, as node `from` (default: the first running node) sees them. */
  clusterNodes(from?: number): Promise<readonly RedisClusterNode[]>;
  /** Index of the master serving the slot of `key`, as node `from` (default: the first running node) sees it. */
  masterOf(key: string, from?: number): Promise<number>;
  /** Kills one node (default SIGKILL). A master without replicas leaves its slots unserved, so the cluster goes to `fail`. */
  kill(index: number, signal?: NodeJS.Signals): Promise<ExitInfo>;
  /**
   * After killing master `killed`: waits until every running node has marked it failed, no longer
   * gives it slots, and reports cluster_state:ok with all slots served (a replica was promoted).
   * Default timeout 30 s.
   */
  waitForFailover(killed: number, timeoutMs?: number): Promise<void>;
  /** Restarts one node with its nodes.conf (same identity), then waits until the cluster is healthy; a replaced master comes back as a replica. */
  restart(index: number): Promise<void>;
  /** Every node running; each reports cluster_state:ok, all slots served and all nodes known; every replica is in sync. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

class RedisCluster extends ServerCluster<RedisServer> implements RedisClusterHandle {
  readonly nodes: readonly HostPort[];

  constructor(
    servers: readonly RedisServer[],
    private readonly masters: number,
    private readonly busPorts: readonly number[],
    private readonly readyTimeoutMs: number,
  ) {
    super(servers);
    this.nodes = servers.map((server) => ({ host: server.host, port: server.port }));
  }

  async clusterInfo(index: number): Promise<Record<string, string>> {
    return parseRedisInfo(await this.node(index).command(['CLUSTER', 'INFO']));
  }

  async clusterNodes(from = this.firstRunning()): Promise<readonly RedisClusterNode[]> {
    const reply = await this.node(from).command(['CLUSTER', 'NODES']);
    return parseClusterNodes(reply, (port) => {
      const index = this.servers.findIndex((server) => server.port === port);
      return index >= 0 ? index : undefined;
    });
  }

  async masterOf(key: string, from = this.firstRunning()): Promise<number> {
    const slot = redisKeySlot(key);
    const owner = (await this.clusterNodes(from)).find((node) => node.role === 'master' && servesSlot(node.slots, slot));
    if (owner === undefined) throw new Error(`node ${from} knows no master serving slot ${slot} (key ${key})`);
    return owner.index;
  }

  async waitForFailover(killed: number, timeoutMs = 30_000): Promise<void> {
    const port = this.node(killed).port;
    await this.pollNodes(`Redis cluster failover away from node ${killed} :${port}`, timeoutMs, false, async () => {
      const running = this.servers.map((server, index) => ({ server, index })).filter(({ server }) => server.isRunning);
      await Promise.all(
        running.map(async ({ index }) => {
          const seen = (await this.clusterNodes(index)).find((node) => node.index === killed);
          const info = await this.clusterInfo(index);
          const problems = [
            seen?.failure !== 'fail' && `sees :${port} as ${seen?.failure ?? 'unknown'}`,
            seen !== undefined && seen.slots.length > 0 && `still gives :${port} slots`,
            info['cluster_state'] !== 'ok' && `cluster_state:${String(info['cluster_state'])}`,
            Number(info['cluster_slots_ok']) !== REDIS_CLUSTER_SLOTS && `cluster_slots_ok:${String(info['cluster_slots_ok'])}`,
          ].filter(Boolean);
          if (problems.length > 0) throw new Error(`node ${index} :${this.node(index).port} ${problems.join(' ')}`);
        }),
      );
    });
  }

  async waitUntilHealthy(timeoutMs = this.readyTimeoutMs): Promise<void> {
    const replicas = this.servers.length - this.masters;
    await this.pollNodes(`Redis cluster of ${this.servers.length} nodes healthy`, timeoutMs, true, async () => {
      const roles = await Promise.all(
        this.servers.map(async (server, index) => {
          const info = await this.clusterInfo(index);
          const replication = await server.info('replication');
          const problems = [
            info['cluster_state'] !== 'ok' && `cluster_state:${String(info['cluster_state'])}`,
            Number(info['cluster_slots_ok']) !== REDIS_CLUSTER_SLOTS && `cluster_slots_ok:${String(info['cluster_slots_ok'])}`,
            Number(info['cluster_known_nodes']) !== this.servers.length && `cluster_known_nodes:${String(info['cluster_known_nodes'])}`,
            replication['role'] === 'slave' &&
              replication['master_link_status'] !== 'up' &&
              `master_link_status:${String(replication['master_link_status'])}`,
          ].filter(Boolean);
          if (problems.length > 0) throw new Error(`node ${index} :${server.port} ${problems.join(' ')}`);
          return replication['role'];
        }),
      );
      const inSync = roles.filter((role) => role === 'slave').length;
      if (inSync !== replicas) throw new Error(`${inSync} of ${replicas} replicas attached`);
    });
  }

  /**
   * What `redis-cli --cluster create` does, minus its fixed one-second waits: give each master a
   * slot range and every node a distinct config epoch, then introduce everyone to node 0 (gossip
   * does the rest).
   */
  async assignSlotsAndMeet(): Promise<void> {
    await Promise.all(
      this.servers.map(async (server, i) => {
        if (i < this.masters) {
          const first = Math.floor((i * REDIS_CLUSTER_SLOTS) / this.masters);
          const last = Math.floor(((i + 1) * REDIS_CLUSTER_SLOTS) / this.masters) - 1;
          await server.command(['CLUSTER', 'ADDSLOTSRANGE', first, last]);
        }
        await server.command(['CLUSTER', 'SET-CONFIG-EPOCH', i + 1]);
      }),
    );
    const seed = this.node(0);
    for (let i = 1; i < this.servers.length; i += 1) {
      await seed.command(['CLUSTER', 'MEET', this.node(i).host, this.node(i).port, this.busPorts[i] as number]);
    }
  }

  /** Each replica replicates its master, once gossip has told it about that master. */
  async attachReplicas(replicasPerMaster: number): Promise<void> {
    const ids = await Promise.all(
      this.servers.slice(0, this.masters).map(async (master) => String(await master.command(['CLUSTER', 'MYID']))),
    );
    await Promise.all(
      this.servers.slice(this.masters).map((replica, i) => {
        const master = Math.floor(i / replicasPerMaster);
        return replica.poll(`to replicate master ${master}`, this.readyTimeoutMs, () =>
          replica.command(['CLUSTER', 'REPLICATE', ids[master] as string]),
        );
      }),
    );
  }

  private firstRunning(): number {
    const index = this.servers.findIndex((server) => server.isRunning);
    if (index < 0) throw new Error('no node of the Redis cluster is running');
    return index;
  }
}

/**
 * Starts a Redis Cluster of `masters` loopback nodes with `replicasPerMaster` replicas each
 * (explicit bus ports); waits until it is healthy.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1) throw new RangeError(`masters must be >= 1, got ${masters}`);
  const replicasPerMaster = options.replicasPerMaster ?? 0;
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new RangeError(`replicasPerMaster must be >= 0, got ${replicasPerMaster}`);
  }
  const count = masters * (1 + replicasPerMaster);
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  return launchOnFreePorts(
    count * 2,
    (ports) => {
      const clientPorts = ports.slice(0, count);
      // The default bus port is client port + 10000, which nobody checked was free; name it explicitly.
      const busPorts = ports.slice(count);
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
      return new RedisCluster(servers, masters, busPorts, readyTimeoutMs);
    },
    async (cluster) => {
      for (const server of cluster.servers) await server.start();
      for (const server of cluster.servers) await server.waitUntilReady();
      await cluster.assignSlotsAndMeet();
      await cluster.attachReplicas(replicasPerMaster);
      await cluster.waitUntilHealthy();
    },
  );
}
