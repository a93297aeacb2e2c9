import { writeFileSync } from 'node:fs';
import { LOOPBACK_HOST, type HostPort } from '../net/host-port.js';
import type { ExitInfo } from '../process/exit-info.js';
import type { ManagedProcess } from '../process/managed-process.js';
import { pollWhileRunning } from '../process/poll-while-running.js';
import { launchOnFreePorts } from '../server/launch-on-free-ports.js';
import { ServerProcess } from '../server/server-process.js';
import { respCommand, type RespCommandOptions, type RespReply } from './redis-command.js';
import { probeCredentials, securityConfig, type RedisSecurity } from './redis-security.js';
import { parseRedisInfo } from './redis-info.js';

export interface RedisServerOptions {
  /** `appendonly yes`, so data survives a SIGKILL + restart. Default false. */
  readonly appendonly?: boolean;
  /** Start as a replica of this server and wait until the replication link is up. */
  readonly replicaOf?: HostPort;
  /** Extra redis-server command-line flags, e.g. `['--maxmemory', '10mb']`. */
  readonly args?: readonly string[];
  /** Default 10 s. */
  readonly readyTimeoutMs?: number;
  /** TLS and ACL (see RedisSecurity); the handle's own commands authenticate as its admin. */
  readonly security?: RedisSecurity;
  /**
   * Redis's `protected-mode`: without a password it refuses clients whose source address is not
   * loopback. false admits a client in a network namespace, which reaches the loopback listener
   * from an address of its own (see createNetworkNamespace); the bind stays loopback only. Default true.
   */
  readonly protectedMode?: boolean;
}

/** One redis-server process (plain, replica, sentinel or cluster node) on a loopback port. */
export interface RedisServerHandle extends HostPort {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Private temp dir holding the config file, log and any RDB/AOF data. Kept across restarts. */
  readonly dir: string;
  /**
   * The config file the server runs from. Sentinel and CONFIG REWRITE update it, so a restarted
   * node keeps the role Sentinel gave it rather than the one it was started with.
   */
  readonly configFile: string;
  readonly process: ManagedProcess;
  readonly isRunning: boolean;
  /** One command on a fresh connection; throws RespError on an error reply. */
  command(args: readonly (string | number)[]): Promise<RespReply>;
  /** `INFO [section]` parsed into key/value pairs. */
  info(section?: string): Promise<Record<string, string>>;
  /** Waits until PING answers PONG (not `-LOADING`). */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Sends `signal` (default SIGKILL, a crash) and waits for the exit. Ports and data dir are kept. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Starts again with the same port, config file and data dir (stopping first if running); waits for PONG. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and delete the temp dir. Idempotent; no restart afterwards. */
  stop(): Promise<void>;
}

/** Everything one redis-server needs; sentinel groups and clusters build these for their nodes. */
export interface RedisServerSpec {
  /** Short role used in names and temp dirs: "redis", "replica", "sentinel", "cluster". */
  readonly role: string;
  readonly port: number;
  /** Config lines besides port/bind/dir/daemonize/logfile, which are always set. */
  readonly config: readonly string[];
  /** Run in sentinel mode (`redis-server <conf> --sentinel`). */
  readonly sentinel?: boolean;
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs: number;
  /** How the handle's own commands reach the node (TLS CA, user, password). */
  readonly probe?: RespCommandOptions;
}

export class RedisServer extends ServerProcess implements RedisServerHandle {
  readonly host = LOOPBACK_HOST;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly configFile: string;
  private readonly probe: RespCommandOptions;

  constructor(spec: RedisServerSpec) {
    const configName = spec.sentinel ? 'sentinel.conf' : 'redis.conf';
    super({
      name: `redis ${spec.role} :${spec.port}`,
      dirLabel: spec.role,
      binary: 'redis-server',
      binaryEnv: 'CATGA_REDIS_SERVER_BIN',
      args: (dir) => [dir.file(configName), ...(spec.sentinel ? ['--sentinel'] : []), ...(spec.extraArgs ?? [])],
      logFile: 'redis.log',
      readiness: 'ready (PING -> PONG)',
      readyTimeoutMs: spec.readyTimeoutMs,
    });
    this.port = spec.port;
    this.url = `${spec.probe?.caFile ? 'rediss' : 'redis'}://${LOOPBACK_HOST}:${spec.port}`;
    this.dir = this.tempDir.path;
    this.configFile = this.tempDir.file(configName);
    this.probe = spec.probe ?? {};
    const lines = [
      `port ${spec.port}`,
      `bind ${LOOPBACK_HOST}`,
      `dir ${quote(this.dir)}`,
      'daemonize no',
      // Empty logfile means stdout, which ManagedProcess captures.
      'logfile ""',
      ...spec.config,
      // With TLS on, `port 0` here turns the plain port off and the node listens on this one with TLS.
      ...(spec.config.includes('port 0') ? [`tls-port ${spec.port}`] : []),
    ];
    writeFileSync(this.configFile, `${lines.join('\n')}\n`);
  }

  command(args: readonly (string | number)[]): Promise<RespReply> {
    return respCommand(this.port, args, { ...this.probe, host: this.host });
  }

  async info(section?: string): Promise<Record<string, string>> {
    return parseRedisInfo(await this.command(section === undefined ? ['INFO'] : ['INFO', section]));
  }

  protected async probeReady(): Promise<void> {
    const reply = await this.command(['PING']);
    if (reply !== 'PONG') throw new Error(`PING answered ${JSON.stringify(reply)}`);
  }
}

/** Waits until `replica` reports `master_link_status:up` (initial sync done). */
export async function waitForReplicaSync(replica: RedisServerHandle, timeoutMs = 15_000): Promise<void> {
  await pollWhileRunning(
    async () => {
      const replication = await replica.info('replication');
      if (replication['role'] !== 'slave') throw new Error(`role is ${String(replication['role'])}`);
      if (replication['master_link_status'] !== 'up') {
        throw new Error(`master_link_status:${String(replication['master_link_status'])}`);
      }
    },
    { description: `${replica.process.name} replication link up`, timeoutMs, watched: [replica.process] },
  );
}

/** Builds (does not start) a data node on `port`; shared by the standalone, sentinel and cluster setups. */
export function createRedisServer(
  port: number,
  options: RedisServerOptions,
  role: string,
  extraConfig: readonly string[] = [],
): RedisServer {
  return new RedisServer({
    role,
    port,
    probe: probeCredentials(options.security, role === 'cluster' ? 'cluster' : 'data'),
    config: [
      // No RDB snapshots: tests want speed, and AOF is the opt-in persistence.
      'save ""',
      `appendonly ${options.appendonly ? 'yes' : 'no'}`,
      // Redis 7 waits 5 s by default for more replicas before a diskless full sync; tests have no time for that.
      'repl-diskless-sync-delay 0',
      ...(options.replicaOf ? [`replicaof ${options.replicaOf.host} ${options.replicaOf.port}`] : []),
      ...(options.protectedMode === false ? ['protected-mode no'] : []),
      ...extraConfig,
      ...securityConfig(options.security, role === 'cluster' ? 'cluster' : 'data'),
    ],
    extraArgs: options.args ?? [],
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
  });
}

/** Starts one redis-server on a free loopback port and waits until it answers PING (and, as a replica, has synced). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  return launchOnFreePorts(
    1,
    ([port]) => createRedisServer(port as number, options, options.replicaOf ? 'replica' : 'redis'),
    async (server) => {
      await server.launch();
      if (options.replicaOf) await waitForReplicaSync(server, options.readyTimeoutMs);
    },
  );
}

function quote(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
