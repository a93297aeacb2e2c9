import { LOOPBACK_HOST } from '../net/host-port.js';
import { isPortOpen } from '../net/port-probe.js';
import type { ExitInfo } from '../process/exit-info.js';
import type { ManagedProcess } from '../process/managed-process.js';
import { launchOnFreePorts } from '../server/launch-on-free-ports.js';
import { ServerProcess } from '../server/server-process.js';
import { NatsMonitor } from './nats-monitor.js';

export interface NatsServerOptions {
  /** Enable JetStream (`-js`) with a private store dir. Default true. */
  readonly jetstream?: boolean;
  /** `-n`; default `catga-nats-<port>`. */
  readonly serverName?: string;
  /** Extra nats-server flags, appended last. */
  readonly args?: readonly string[];
  /** Default 15 s. */
  readonly readyTimeoutMs?: number;
}

export interface NatsServerHandle {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly monitorPort: number;
  readonly monitor: NatsMonitor;
  /** Private temp dir: JetStream data (under `jetstream/`) and `nats-server.log`. Kept across restarts. */
  readonly storeDir: string;
  readonly jetstream: boolean;
  readonly process: ManagedProcess;
  readonly isRunning: boolean;
  /** Client port accepts connections, `/healthz` is 200 and, with JetStream, `/varz` shows it enabled. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Sends `signal` (default SIGKILL, a crash) and waits for the exit. Data dir and ports are kept. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Starts again with the same ports and store dir (stopping first if running), then waits until ready. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and delete the temp dir. Idempotent; no restart afterwards. */
  stop(): Promise<void>;
}

/** Everything one server needs; the cluster builds these for its nodes. */
export interface NatsServerSpec {
  readonly serverName: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly jetstream: boolean;
  readonly extraArgs: readonly string[];
  readonly readyTimeoutMs: number;
}

export class NatsServer extends ServerProcess implements NatsServerHandle {
  readonly name: string;
  readonly host = LOOPBACK_HOST;
  readonly port: number;
  readonly url: string;
  readonly monitorPort: number;
  readonly monitor: NatsMonitor;
  readonly storeDir: string;
  readonly jetstream: boolean;

  constructor(spec: NatsServerSpec) {
    super({
      name: `nats-server ${spec.serverName} :${spec.port}`,
      dirLabel: 'nats',
      binary: 'nats-server',
      binaryEnv: 'CATGA_NATS_SERVER_BIN',
      args: (dir) => [
        '-a',
        LOOPBACK_HOST,
        '-p',
        String(spec.port),
        '-m',
        String(spec.monitorPort),
        '-n',
        spec.serverName,
        ...(spec.jetstream ? ['-js', '-sd', dir.path] : []),
        ...spec.extraArgs,
      ],
      logFile: 'nats-server.log',
      readiness: 'ready',
      readyTimeoutMs: spec.readyTimeoutMs,
    });
    this.name = spec.serverName;
    this.port = spec.port;
    this.url = `nats://${LOOPBACK_HOST}:${spec.port}`;
    this.monitorPort = spec.monitorPort;
    this.monitor = new NatsMonitor(spec.monitorPort);
    this.jetstream = spec.jetstream;
    this.storeDir = this.tempDir.path;
  }

  protected async probeReady(): Promise<void> {
    if (!(await isPortOpen(this.port))) throw new Error(`client port ${this.port} not accepting connections`);
    // Plain /healthz: in 2.9.10 `?js-enabled-only=true` answers 200 even with JetStream off, so it proves nothing.
    const health = await this.monitor.healthz();
    if (health.httpStatus !== 200) {
      throw new Error(`/healthz HTTP ${health.httpStatus} ${health.status} ${health.error ?? ''}`.trim());
    }
    if (this.jetstream) {
      const varz = await this.monitor.varz();
      if (varz.jetstream?.config === undefined) throw new Error('/varz shows JetStream not enabled yet');
    }
  }
}

/** Starts one nats-server on free loopback ports (client + monitor) and waits until it is ready. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  return launchOnFreePorts(
    2,
    ([port, monitorPort]) =>
      new NatsServer({
        serverName: options.serverName ?? `catga-nats-${String(port)}`,
        port: port as number,
        monitorPort: monitorPort as number,
        jetstream: options.jetstream ?? true,
        extraArgs: options.args ?? [],
        readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
      }),
    (server) => server.launch(),
  );
}
