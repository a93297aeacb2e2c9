import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_HOST, ManagedProcess, type ExitInfo, type NetworkNamespace } from '@catga/testing';
import { waitUntilReady } from './readiness.js';
import type { ReplicaSpec, ServiceName } from './topology.js';

export interface ServiceReplicaOptions {
  readonly spec: ReplicaSpec;
  /** Kept across restarts, so a replacement answers where its predecessor did. */
  readonly port: number;
  /** Where the servers are; CATGA_SERVICE_NAME, CATGA_INSTANCE_ID, PORT and HOST are added. */
  readonly env: Readonly<Record<string, string>>;
  readonly logsDir: string;
  /** Command prefix, e.g. `['setsid']` to start outside the terminal's process group. */
  readonly launcher: readonly string[];
  /** Default 90 s: eleven services booting at once on two cores take a while. */
  readonly readyTimeoutMs?: number;
  /** Run inside this namespace (listening on its address), so a partition can cut it off. */
  readonly network?: NetworkNamespace;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** How long a SIGTERMed service may drain (its own limit is 25 s) before it is SIGKILLed. */
export const DRAIN_GRACE_MS = 30_000;

/** One OS process of a sample service (`apps/<service>/dist/main.js`), its log file and its readiness. */
export class ServiceReplica {
  readonly service: ServiceName;
  readonly instanceId: string;
  readonly port: number;
  readonly url: string;
  readonly network: NetworkNamespace | undefined;
  private readonly process: ManagedProcess;
  private readonly readyTimeoutMs: number;

  constructor(options: ServiceReplicaOptions) {
    const { spec, port } = options;
    this.service = spec.service;
    this.instanceId = spec.instanceId;
    this.port = port;
    this.network = options.network;
    const host = options.network?.address ?? LOOPBACK_HOST;
    this.url = `http://${host}:${port}`;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
    const env = {
      ...options.env,
      CATGA_SERVICE_NAME: spec.service,
      CATGA_INSTANCE_ID: spec.instanceId,
      PORT: String(port),
      HOST: host,
    };
    const main = join(REPO_ROOT, 'apps', spec.service, 'dist', 'main.js');
    // `env` sets the variables and execs node, so the tracked pid is the service's own.
    const command = [
      ...options.launcher,
      ...(options.network?.launcher ?? []),
      'env',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      main,
    ];
    this.process = new ManagedProcess({
      name: spec.instanceId,
      command: command[0] as string,
      args: command.slice(1),
      logFile: join(options.logsDir, `${spec.instanceId}.log`),
      cwd: REPO_ROOT,
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get isRunning(): boolean {
    return this.process.isRunning;
  }

  /** 1 for the first run, 2 after the first restart, … */
  get startCount(): number {
    return this.process.startCount;
  }

  get logFile(): string {
    return this.process.logFile;
  }

  /** Starts the process and waits until `/health/ready` answers 200. */
  async start(): Promise<void> {
    await this.process.start();
    await this.waitUntilReady();
  }

  /** Waits until `/health/ready` answers 200; fails at once if the process dies. */
  waitUntilReady(): Promise<void> {
    return waitUntilReady(this.url, this.process, this.readyTimeoutMs);
  }

  /** SIGKILL (a crash) or SIGTERM (a drain); waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<ExitInfo> {
    return this.process.kill(signal, signal === 'SIGKILL' ? 10_000 : DRAIN_GRACE_MS);
  }

  /** SIGTERM, then SIGKILL if it has not drained in time. Idempotent. */
  stop(): Promise<void> {
    return this.process.stop(DRAIN_GRACE_MS);
  }

  logTail(lines = 20): string {
    return this.process.logTail(lines);
  }
}
