import { copyFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  startNatsCluster,
  startRedisSentinelGroup,
  type ManagedProcess,
  type NatsClusterHandle,
  type RedisSentinelGroupHandle,
} from '@catga/testing';

/** The servers every service connects to: a 3-node JetStream cluster and a Redis Sentinel group. */
export interface Infrastructure {
  readonly nats: NatsClusterHandle;
  readonly redis: RedisSentinelGroupHandle;
  /** Environment that points a sample service at these servers. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** Sentinels first (no failover during teardown), then Redis and NATS; their logs are copied into the run dir. */
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Each server's log is linked here while it runs and copied here when it stops. */
  readonly logsDir: string;
  /** Key prefix for the services' state in Redis. */
  readonly redisPrefix: string;
  /** How long Sentinel waits before it calls the primary down, in ms. Default 1000. */
  readonly sentinelDownAfterMs?: number;
  /** Admit Redis clients from a network namespace's own address (Redis `protected-mode no`); still bound to loopback. Default false. */
  readonly namespacedClients?: boolean;
}

export const NATS_NODES = 3;

export async function startInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const [nats, redis] = await Promise.allSettled([
    startNatsCluster({ size: NATS_NODES, name: 'catga-local' }),
    startRedisSentinelGroup({
      replicas: 1,
      sentinels: 3,
      downAfterMs: options.sentinelDownAfterMs ?? 1_000,
      protectedMode: !options.namespacedClients,
    }),
  ]);
  if (nats.status === 'rejected' || redis.status === 'rejected') {
    await Promise.all([
      nats.status === 'fulfilled' ? nats.value.stop() : undefined,
      redis.status === 'fulfilled' ? redis.value.stop() : undefined,
    ]);
    throw nats.status === 'rejected' ? nats.reason : (redis as PromiseRejectedResult).reason;
  }
  return new RunningInfrastructure(nats.value, redis.value, options);
}

class RunningInfrastructure implements Infrastructure {
  readonly serviceEnv: Readonly<Record<string, string>>;
  private readonly logs: ReadonlyArray<{ readonly process: ManagedProcess; readonly file: string }>;

  constructor(
    readonly nats: NatsClusterHandle,
    readonly redis: RedisSentinelGroupHandle,
    options: InfrastructureOptions,
  ) {
    this.serviceEnv = {
      CATGA_NATS_URL: nats.url,
      CATGA_NATS_STREAM_REPLICAS: String(NATS_NODES),
      CATGA_REDIS_MODE: 'sentinel',
      CATGA_REDIS_URL: redis.sentinelNodes.map((node) => `${node.host}:${node.port}`).join(','),
      CATGA_REDIS_SENTINEL_NAME: redis.masterName,
      CATGA_REDIS_PREFIX: options.redisPrefix,
    };
    this.logs = [
      ...nats.servers.map((server) => ({ process: server.process, file: `nats-${server.name}.log` })),
      { process: redis.primary.process, file: 'redis-primary.log' },
      ...redis.replicas.map((replica, i) => ({ process: replica.process, file: `redis-replica-${i + 1}.log` })),
      ...redis.sentinels.map((sentinel, i) => ({ process: sentinel.process, file: `redis-sentinel-${i + 1}.log` })),
    ].map(({ process, file }) => ({ process, file: join(options.logsDir, file) }));
    // The servers write into their own temp dirs (removed when they stop); a link makes them visible meanwhile.
    for (const log of this.logs) symlinkSync(log.process.logFile, log.file);
  }

  async stop(): Promise<void> {
    const sentinels = this.redis.sentinels.map((sentinel) => sentinel.process);
    const others = [...this.redis.servers, ...this.nats.servers].map((server) => server.process);
    await Promise.all(sentinels.map((process) => process.stop()));
    await Promise.all(others.map((process) => process.stop()));
    for (const log of this.logs) {
      rmSync(log.file, { force: true });
      try {
        copyFileSync(log.process.logFile, log.file);
      } catch {
        // A server that never wrote a log has nothing to keep.
      }
    }
    await Promise.all([this.redis.stop(), this.nats.stop()]);
  }
}
