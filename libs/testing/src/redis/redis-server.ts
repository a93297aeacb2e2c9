import { writeFileSync } from 'node:fs';
import { TempDir } from '../fs/temp-dir.js';
import { LOOPBACK_HOST, type HostPort } from '../net/host-port.js';
import { freePort } from '../net/free-port.js';
import { retryOnPortConflict } from '../net/port-conflict-retry.js';
import type { ExitInfo } from '../process/exit-info.js';
import { findBinary } from '../process/find-binary.js';
import { ManagedProcess } from '../process/managed-process.js';
import { pollUntil } from '../wait/poll-until.js';
import { parseRedisInfo } from './redis-info.js';
import { respCommand, type RespReply } from './redis-command.js';

export interface RedisServerOptions {
  /** `appendonly yes`, so data survives a SIGKILL + restart. Default false. */
  readonly appendonly?: boolean;
  /** Start as a replica of this server and wait until the replication link is up. */
  readonly replicaOf?: HostPort;
  /** Extra redis-server command-line flags, e.g. `['--maxmemory', '10mb']`. */
  readonly args?: readonly string[];
  /** Default 10 s. */
  readonly readyTimeoutMs?: number;
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
}

const BINARY_ENV = 'CATGA_REDIS_SERVER_BIN';

export class RedisServer implements RedisServerHandle {
  readonly host = LOOPBACK_HOST;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly configFile: string;
  readonly process: ManagedProcess;
  private readonly tempDir: TempDir;
  private readonly readyTimeoutMs: number;
  private stopped = false;

  constructor(spec: RedisServerSpec) {
    this.port = spec.port;
    this.url = `redis://${LOOPBACK_HOST}:${spec.port}`;
    this.readyTimeoutMs = spec.readyTimeoutMs;
    this.tempDir = new TempDir(spec.role);
    this.dir = this.tempDir.path;
    this.configFile = this.tempDir.file(spec.sentinel ? 'sentinel.conf' : 'redis.conf');
    const lines = [
      `port ${spec.port}`,
      `bind ${LOOPBACK_HOST}`,
      `dir ${quote(this.dir)}`,
      'daemonize no',
      // Empty logfile means stdout, which ManagedProcess captures.
      'logfile ""',
      ...spec.config,
    ];
    writeFileSync(this.configFile, `${lines.join('\n')}\n`);
    this.process = new ManagedProcess({
      name: `redis ${spec.role} :${spec.port}`,
      command: findBinary('redis-server', BINARY_ENV),
      args: [this.configFile, ...(spec.sentinel ? ['--sentinel'] : []), ...(spec.extraArgs ?? [])],
      logFile: this.tempDir.file('redis.log'),
      cwd: this.dir,
    });
  }

  get isRunning(): boolean {
    return this.process.isRunning;
  }

  async start(): Promise<void> {
    this.assertNotStopped();
    await this.process.start();
  }

  command(args: readonly (string | number)[]): Promise<RespReply> {
    return respCommand(this.port, args, { host: this.host });
  }

  async info(section?: string): Promise<Record<string, string>> {
    return parseRedisInfo(await this.command(section === undefined ? ['INFO'] : ['INFO', section]));
  }

  async waitUntilReady(timeoutMs = this.readyTimeoutMs): Promise<void> {
    await this.poll('ready (PING -> PONG)', timeoutMs, async () => {
      const reply = await this.command(['PING']);
      if (reply !== 'PONG') throw new Error(`PING answered ${JSON.stringify(reply)}`);
    });
  }

  /** Polls `probe` while requiring this process to stay alive; timeouts carry its log tail. */
  async poll<T>(what: string, timeoutMs: number, probe: () => Promise<T>): Promise<T> {
    return pollUntil(probe, {
      description: `${this.process.name} ${what}`,
      timeoutMs,
      abortIf: () => this.process.assertRunning(),
      diagnostics: () => `last log lines (${this.process.logFile}):\n${this.process.logTail()}`,
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    return this.process.kill(signal);
  }

  async restart(): Promise<void> {
    this.assertNotStopped();
    await this.process.restart();
    await this.waitUntilReady();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.process.stop();
    } finally {
      this.tempDir.remove();
    }
  }

  private assertNotStopped(): void {
    if (this.stopped) throw new Error(`${this.process.name} was stopped and its data dir removed`);
  }
}

/** Waits until `replica` reports `master_link_status:up` (initial sync done). */
export async function waitForReplicaSync(replica: RedisServerHandle, timeoutMs = 15_000): Promise<void> {
  await pollUntil(
    async () => {
      const replication = await replica.info('replication');
      if (replication['role'] !== 'slave') throw new Error(`role is ${String(replication['role'])}`);
      if (replication['master_link_status'] !== 'up') {
        throw new Error(`master_link_status:${String(replication['master_link_status'])}`);
      }
    },
    {
      description: `${replica.process.name} replication link up`,
      timeoutMs,
      abortIf: () => replica.process.assertRunning(),
      diagnostics: () => `last log lines (${replica.process.logFile}):\n${replica.process.logTail()}`,
    },
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
    config: [
      // No RDB snapshots: tests want speed, and AOF is the opt-in persistence.
      'save ""',
      `appendonly ${options.appendonly ? 'yes' : 'no'}`,
      // Redis 7 waits 5 s by default for more replicas before a diskless full sync; tests have no time for that.
      'repl-diskless-sync-delay 0',
      ...(options.replicaOf ? [`replicaof ${options.replicaOf.host} ${options.replicaOf.port}`] : []),
      ...extraConfig,
    ],
    extraArgs: options.args ?? [],
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
  });
}

/** Starts one redis-server on a free loopback port and waits until it answers PING (and, as a replica, has synced). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  return retryOnPortConflict(async () => {
    const server = createRedisServer(await freePort(), options, options.replicaOf ? 'replica' : 'redis');
    try {
      await server.start();
      await server.waitUntilReady();
      if (options.replicaOf) await waitForReplicaSync(server, options.readyTimeoutMs);
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  });
}

function quote(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
