import { randomBytes } from 'node:crypto';
import { LOOPBACK_HOST } from '../net/host-port.js';
import type { ExitInfo } from '../process/exit-info.js';
import { launchOnFreePorts } from '../server/launch-on-free-ports.js';
import { ServerCluster } from '../server/server-cluster.js';
import { NatsServer, type NatsServerHandle } from './nats-server.js';

export interface NatsClusterOptions {
  /** Number of nodes, at least 2. Default 3. */
  readonly size?: number;
  /** `--cluster_name`; default `catga-<random>`. */
  readonly name?: string;
  /** JetStream on every node (clustered JetStream). Default true. */
  readonly jetstream?: boolean;
  /** Extra nats-server flags for every node. */
  readonly args?: readonly string[];
  /** Default 30 s. */
  readonly readyTimeoutMs?: number;
}

export interface NatsMetaLeader {
  readonly name: string;
  readonly index: number;
}

export interface NatsClusterHandle {
  readonly name: string;
  /** Node i has server name `n<i>`. */
  readonly servers: readonly NatsServerHandle[];
  readonly urls: readonly string[];
  /** All client URLs comma-separated, the form most NATS clients accept as `servers`. */
  readonly url: string;
  node(index: number): NatsServerHandle;
  /** Kills one node (default SIGKILL) and waits for it to exit; the others are left to notice. */
  kill(index: number, signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Restarts one node on its old ports and store dir, then waits until the cluster is healthy again. */
  restart(index: number): Promise<void>;
  /** Current JetStream meta leader, as agreed by all running nodes; throws if there is none right now. */
  metaLeader(): Promise<NatsMetaLeader>;
  /**
   * Waits until every running node has /healthz 200, routes to all other running nodes and, with
   * JetStream, agrees on a meta leader that is itself running. Stopped or killed nodes are ignored.
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

class NatsCluster extends ServerCluster<NatsServer> implements NatsClusterHandle {
  readonly urls: readonly string[];
  readonly url: string;

  constructor(
    readonly name: string,
    servers: readonly NatsServer[],
    private readonly jetstream: boolean,
    private readonly readyTimeoutMs: number,
  ) {
    super(servers);
    this.urls = servers.map((server) => server.url);
    this.url = this.urls.join(',');
  }

  async metaLeader(): Promise<NatsMetaLeader> {
    if (!this.jetstream) throw new Error(`cluster ${this.name} runs without JetStream, so it has no meta leader`);
    return this.agreedLeader(this.running());
  }

  async waitUntilHealthy(timeoutMs = this.readyTimeoutMs): Promise<void> {
    await this.waitHealthy(timeoutMs, false);
  }

  /** With `requireAll`, any node dying fails the wait at once (used at startup). */
  async waitHealthy(timeoutMs: number, requireAll: boolean): Promise<void> {
    await this.pollNodes(`NATS cluster ${this.name} healthy`, timeoutMs, requireAll, () => this.probeHealthy());
  }

  private running(): NatsServer[] {
    const running = this.servers.filter((server) => server.isRunning);
    if (running.length === 0) throw new Error(`no node of cluster ${this.name} is running`);
    return running;
  }

  private async probeHealthy(): Promise<void> {
    const running = this.running();
    await Promise.all(
      running.map(async (server) => {
        const health = await server.monitor.healthz();
        if (health.httpStatus !== 200) {
          throw new Error(`${server.name}: /healthz ${health.httpStatus} ${health.error ?? health.status}`);
        }
        const routed = await server.monitor.routedServerIds();
        if (routed.size < running.length - 1) {
          throw new Error(`${server.name}: routes to ${routed.size} of ${running.length - 1} running peers`);
        }
      }),
    );
    if (this.jetstream) await this.agreedLeader(running);
  }

  private async agreedLeader(running: readonly NatsServer[]): Promise<NatsMetaLeader> {
    const leaders = await Promise.all(running.map(async (server) => (await server.monitor.jsz()).meta_cluster?.leader));
    const first = leaders[0];
    // After the leader dies, followers keep reporting it for a few seconds, so a leader must be alive.
    const index = this.servers.findIndex((server) => server.name === first && server.isRunning);
    if (!first || index < 0 || leaders.some((leader) => leader !== first)) {
      const seen = running.map((server, i) => `${server.name}->${leaders[i] || '(none)'}`).join(', ');
      throw new Error(`no agreed live JetStream meta leader (${seen})`);
    }
    return { name: first, index };
  }
}

/**
 * Starts a full-mesh NATS cluster on loopback: every node gets its own client, monitor and cluster
 * port, a unique server name (JetStream clustering requires one) and its own store dir.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`startNatsCluster: size must be >= 2, got ${size}`);
  const name = options.name ?? `catga-${randomBytes(3).toString('hex')}`;
  const jetstream = options.jetstream ?? true;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  return launchOnFreePorts(
    size * 3,
    (ports) => {
      const nodePorts = Array.from({ length: size }, (_, i) => ({
        client: ports[i * 3] as number,
        monitor: ports[i * 3 + 1] as number,
        cluster: ports[i * 3 + 2] as number,
      }));
      const servers = nodePorts.map(
        (own, i) =>
          new NatsServer({
            serverName: `n${i}`,
            port: own.client,
            monitorPort: own.monitor,
            jetstream,
            extraArgs: [
              '--cluster_name',
              name,
              '--cluster',
              `nats://${LOOPBACK_HOST}:${own.cluster}`,
              '--routes',
              nodePorts
                .filter((_, j) => j !== i)
                .map((peer) => `nats://${LOOPBACK_HOST}:${peer.cluster}`)
                .join(','),
              ...(options.args ?? []),
            ],
            readyTimeoutMs,
          }),
      );
      return new NatsCluster(name, servers, jetstream, readyTimeoutMs);
    },
    async (cluster) => {
      for (const server of cluster.servers) await server.start();
      await cluster.waitHealthy(readyTimeoutMs, true);
    },
  );
}
