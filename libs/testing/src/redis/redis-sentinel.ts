import { LOOPBACK_HOST, sameHostPort, type HostPort } from '../net/host-port.js';
import type { ManagedProcess } from '../process/managed-process.js';
import { pollWhileRunning } from '../process/poll-while-running.js';
import { launchOnFreePorts } from '../server/launch-on-free-ports.js';
import { pairsToRecord, parseRedisInfo } from './redis-info.js';
import { probeCredentials, securityConfig, type RedisSecurity } from './redis-security.js';
import { createRedisServer, RedisServer, waitForReplicaSync, type RedisServerHandle } from './redis-server.js';

export interface RedisSentinelGroupOptions {
  /** Name the sentinels monitor the primary under. Default 'catga'. */
  readonly masterName?: string;
  /** Default 1. */
  readonly replicas?: number;
  /** Default 3. */
  readonly sentinels?: number;
  /** Sentinels that must agree the primary is down. Default: a majority of `sentinels`. */
  readonly quorum?: number;
  /** `down-after-milliseconds`. Default 1000. */
  readonly downAfterMs?: number;
  /** `failover-timeout`. Default 3000. */
  readonly failoverTimeoutMs?: number;
  /** AOF on primary and replicas. Default false. */
  readonly appendonly?: boolean;
  /** For the whole group, including sentinel discovery. Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** TLS and ACL for data nodes and sentinels; the sentinels reach the data nodes as its admin. */
  readonly security?: RedisSecurity;
  /** `protected-mode` of data nodes and sentinels, as at RedisServerOptions. Default true. */
  readonly protectedMode?: boolean;
}

export interface RedisSentinelGroupHandle {
  readonly masterName: string;
  /** The node started as primary; after a failover it may be a replica or dead. Use currentPrimary(). */
  readonly primary: RedisServerHandle;
  readonly replicas: readonly RedisServerHandle[];
  readonly sentinels: readonly RedisServerHandle[];
  /** Sentinel addresses, the form Redis clients take for sentinel connections. */
  readonly sentinelNodes: readonly HostPort[];
  /** Primary and replicas. */
  readonly servers: readonly RedisServerHandle[];
  /** The primary according to the first sentinel that answers. */
  currentPrimary(): Promise<HostPort>;
  /**
   * Waits until every running sentinel reports the same primary other than `previous`, and that
   * node itself reports role:master. Returns its address. Default timeout 30 s.
   */
  waitForFailover(previous: HostPort, timeoutMs?: number): Promise<HostPort>;
  /** The handle of the primary or replica listening at `address`. */
  serverAt(address: HostPort): RedisServerHandle;
  /** Sentinels first (so they do not fail over during teardown), then the data nodes. */
  stop(): Promise<void>;
}

class RedisSentinelGroup implements RedisSentinelGroupHandle {
  readonly sentinelNodes: readonly HostPort[];
  readonly servers: readonly RedisServer[];

  constructor(
    readonly masterName: string,
    readonly primary: RedisServer,
    readonly replicas: readonly RedisServer[],
    readonly sentinels: readonly RedisServer[],
  ) {
    this.sentinelNodes = sentinels.map((sentinel) => ({ host: sentinel.host, port: sentinel.port }));
    this.servers = [primary, ...replicas];
  }

  async currentPrimary(): Promise<HostPort> {
    const failures: string[] = [];
    for (const sentinel of this.runningSentinels()) {
      try {
        return await this.primaryAccordingTo(sentinel);
      } catch (error) {
        failures.push(`:${sentinel.port} ${(error as Error).message}`);
      }
    }
    throw new Error(`no sentinel could name the primary of ${this.masterName}: ${failures.join('; ')}`);
  }

  async waitForFailover(previous: HostPort, timeoutMs = 30_000): Promise<HostPort> {
    return pollWhileRunning(
      async () => {
        const sentinels = this.runningSentinels();
        const answers = await Promise.all(sentinels.map((sentinel) => this.primaryAccordingTo(sentinel)));
        const seen = answers.map((answer, i) => `:${sentinels[i]?.port}->${answer.port}`).join(', ');
        const candidate = answers[0] as HostPort;
        if (answers.some((answer) => !sameHostPort(answer, candidate))) throw new Error(`sentinels disagree (${seen})`);
        const where = `${candidate.host}:${candidate.port}`;
        if (sameHostPort(candidate, previous)) throw new Error(`sentinels still report ${where}`);
        const info = await this.serverAt(candidate).command(['INFO', 'replication']);
        const role = parseRedisInfo(info)['role'];
        if (role !== 'master') throw new Error(`sentinels promoted ${where} but it reports role:${String(role)}`);
        return candidate;
      },
      {
        description: `sentinel failover of ${this.masterName} away from ${previous.host}:${previous.port}`,
        timeoutMs,
        intervalMs: 200,
        watched: [],
        logsOf: this.sentinelProcesses(),
        logLines: 15,
      },
    );
  }

  serverAt(address: HostPort): RedisServer {
    const server = this.servers.find((candidate) => sameHostPort(candidate, address));
    if (server === undefined) throw new Error(`${address.host}:${address.port} is not a node of this sentinel group`);
    return server;
  }

  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** Every sentinel knows the primary as up, sees all replicas and all other sentinels. */
  async waitUntilDiscovered(timeoutMs: number, replicas: number): Promise<void> {
    const everyone = [...this.servers, ...this.sentinels];
    await pollWhileRunning(
      async () => {
        await Promise.all(
          this.sentinels.map(async (sentinel) => {
            const master = pairsToRecord(await sentinel.command(['SENTINEL', 'MASTER', this.masterName]));
            const others = Number(master['num-other-sentinels']);
            const slaves = Number(master['num-slaves']);
            if (master['flags'] !== 'master' || others < this.sentinels.length - 1 || slaves < replicas) {
              const seen = `flags=${master['flags']} num-other-sentinels=${others} num-slaves=${slaves}`;
              throw new Error(`sentinel :${sentinel.port} sees ${seen}`);
            }
          }),
        );
      },
      {
        description: `sentinels of ${this.masterName} to discover each other and the replicas`,
        timeoutMs,
        intervalMs: 200,
        watched: everyone.map((server) => server.process),
        logsOf: this.sentinelProcesses(),
        logLines: 15,
      },
    );
  }

  private sentinelProcesses(): ManagedProcess[] {
    return this.sentinels.map((sentinel) => sentinel.process);
  }

  private runningSentinels(): RedisServer[] {
    const running = this.sentinels.filter((sentinel) => sentinel.isRunning);
    if (running.length === 0) throw new Error(`no sentinel of ${this.masterName} is running`);
    return running;
  }

  private async primaryAccordingTo(sentinel: RedisServer): Promise<HostPort> {
    const reply = await sentinel.command(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName]);
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new Error(`sentinel :${sentinel.port} answered ${JSON.stringify(reply)} for ${this.masterName}`);
    }
    return { host: String(reply[0]), port: Number(reply[1]) };
  }
}

/**
 * Starts a primary, its replicas and a set of sentinels monitoring it, all on loopback, and waits
 * until the replicas have synced and every sentinel has discovered the replicas and its peers.
 */
export async function startRedisSentinelGroup(options: RedisSentinelGroupOptions = {}): Promise<RedisSentinelGroupHandle> {
  const masterName = options.masterName ?? 'catga';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 3;
  const quorum = options.quorum ?? Math.floor(sentinelCount / 2) + 1;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  if (!Number.isInteger(replicaCount) || replicaCount < 0) {
    throw new RangeError(`replicas must be >= 0, got ${replicaCount}`);
  }
  if (!Number.isInteger(sentinelCount) || sentinelCount < 1) {
    throw new RangeError(`sentinels must be >= 1, got ${sentinelCount}`);
  }
  if (quorum < 1 || quorum > sentinelCount) {
    throw new RangeError(`quorum ${quorum} impossible with ${sentinelCount} sentinels`);
  }

  return launchOnFreePorts(
    1 + replicaCount + sentinelCount,
    ([primaryPort, ...rest]) => {
      const primaryAddress: HostPort = { host: LOOPBACK_HOST, port: primaryPort as number };
      const security = options.security;
      const protectedMode = options.protectedMode ?? true;
      const dataOptions = { appendonly: options.appendonly ?? false, readyTimeoutMs, protectedMode, ...(security ? { security } : {}) };
      const primary = createRedisServer(primaryAddress.port, dataOptions, 'primary');
      const replicas = rest
        .slice(0, replicaCount)
        .map((port) => createRedisServer(port, { ...dataOptions, replicaOf: primaryAddress }, 'replica'));
      const sentinels = rest.slice(replicaCount).map(
        (port) =>
          new RedisServer({
            role: 'sentinel',
            port,
            sentinel: true,
            probe: probeCredentials(security, 'sentinel'),
            config: [
              `sentinel monitor ${masterName} ${primaryAddress.host} ${primaryAddress.port} ${quorum}`,
              `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1_000}`,
              `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 3_000}`,
              `sentinel parallel-syncs ${masterName} 1`,
              'sentinel resolve-hostnames no',
              ...(protectedMode ? [] : ['protected-mode no']),
              ...(security?.admin
                ? [
                    `sentinel auth-user ${masterName} ${security.admin.username}`,
                    `sentinel auth-pass ${masterName} ${security.admin.password}`,
                  ]
                : []),
              ...securityConfig(security, 'sentinel'),
            ],
            readyTimeoutMs,
          }),
      );
      return new RedisSentinelGroup(masterName, primary, replicas, sentinels);
    },
    async (group) => {
      await group.primary.launch();
      for (const replica of group.replicas) await replica.start();
      for (const replica of group.replicas) await replica.waitUntilReady();
      for (const replica of group.replicas) await waitForReplicaSync(replica, readyTimeoutMs);
      for (const sentinel of group.sentinels) await sentinel.start();
      for (const sentinel of group.sentinels) await sentinel.waitUntilReady();
      await group.waitUntilDiscovered(readyTimeoutMs, replicaCount);
    },
  );
}
