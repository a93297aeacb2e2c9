import { TempDir } from '../fs/temp-dir.js';
import type { ExitInfo } from '../process/exit-info.js';
import { findBinary } from '../process/find-binary.js';
import { ManagedProcess } from '../process/managed-process.js';
import { pollWhileRunning } from '../process/poll-while-running.js';

/** What a server needs to run from a private temp dir. */
export interface ServerProcessSpec {
  /** Used in errors, e.g. "nats-server n1 :4223". */
  readonly name: string;
  /** Names the temp dir (`catga-<label>-…`). */
  readonly dirLabel: string;
  readonly binary: string;
  /** Environment variable naming the binary to run instead of the one found on PATH. */
  readonly binaryEnv: string;
  /** Arguments of every start, so a restart reuses the same ports and data; the dir exists by then. */
  readonly args: (dir: TempDir) => readonly string[];
  /** File in the temp dir that collects stdout and stderr. */
  readonly logFile: string;
  /** What `probeReady` checks, for the timeout message ("ready (PING -> PONG)"). */
  readonly readiness: string;
  readonly readyTimeoutMs: number;
}

/**
 * One server process on loopback ports with its own temp dir: start, wait until ready, kill,
 * restart on the same ports and data, and stop, which removes the dir for good.
 */
export abstract class ServerProcess {
  readonly process: ManagedProcess;
  protected readonly tempDir: TempDir;
  private readonly readiness: string;
  private readonly readyTimeoutMs: number;
  private stopped = false;

  protected constructor(spec: ServerProcessSpec) {
    const command = findBinary(spec.binary, { envVar: spec.binaryEnv });
    this.readiness = spec.readiness;
    this.readyTimeoutMs = spec.readyTimeoutMs;
    this.tempDir = new TempDir(spec.dirLabel);
    this.process = new ManagedProcess({
      name: spec.name,
      command,
      args: spec.args(this.tempDir),
      logFile: this.tempDir.file(spec.logFile),
      cwd: this.tempDir.path,
    });
  }

  /** One look at the server: resolves once it is usable, throws saying what it still sees. */
  protected abstract probeReady(): Promise<void>;

  get isRunning(): boolean {
    return this.process.isRunning;
  }

  async start(): Promise<void> {
    this.assertNotStopped();
    await this.process.start();
  }

  /** Starts the server and waits until it is ready. */
  async launch(): Promise<void> {
    await this.start();
    await this.waitUntilReady();
  }

  async waitUntilReady(timeoutMs = this.readyTimeoutMs): Promise<void> {
    await this.poll(this.readiness, timeoutMs, () => this.probeReady());
  }

  /** Polls `probe` while requiring this process to stay alive; timeouts carry its log tail. */
  poll<T>(what: string, timeoutMs: number, probe: () => Promise<T>): Promise<T> {
    return pollWhileRunning(probe, { description: `${this.process.name} ${what}`, timeoutMs, watched: [this.process] });
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
