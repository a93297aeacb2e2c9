import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { withTimeout } from '../timing/with-timeout.js';
import { WaitTimeoutError } from '../wait/wait-timeout-error.js';
import { runOnExit } from './exit-cleanup.js';
import type { ExitInfo } from './exit-info.js';
import { readLogTail } from './log-tail.js';
import { ProcessExitedError } from './process-exited-error.js';

export interface ManagedProcessOptions {
  /** Human-readable name used in errors, e.g. "nats-server n1 :4223". */
  readonly name: string;
  /** Executable path or name on PATH. */
  readonly command: string;
  /** Arguments used by every start, so a restart reuses the same ports and data dir. */
  readonly args: readonly string[];
  /** stdout and stderr of every run are appended here. */
  readonly logFile: string;
  readonly cwd?: string;
}

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
}

/**
 * One external program started by a test. Never detached, and SIGKILLed when the test process exits,
 * so a failing test cannot leak servers. The child is unref'd: a test that forgets `stop()` still
 * lets its file finish, and the exit hook then kills the child.
 */
export class ManagedProcess {
  private run: Run | undefined;
  private paused = false;
  private starts = 0;

  constructor(private readonly options: ManagedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get command(): string {
    return this.options.command;
  }

  get args(): readonly string[] {
    return this.options.args;
  }

  get logFile(): string {
    return this.options.logFile;
  }

  /** OS pid while running, otherwise undefined. */
  get pid(): number | undefined {
    return this.isRunning ? this.run?.child.pid : undefined;
  }

  get isRunning(): boolean {
    return this.run !== undefined && this.run.exit === undefined;
  }

  get isPaused(): boolean {
    return this.isRunning && this.paused;
  }

  /** How the most recent run ended; undefined while running or before the first start. */
  get exitInfo(): ExitInfo | undefined {
    return this.run?.exit;
  }

  /** How many times the process has been started (restarts included). */
  get startCount(): number {
    return this.starts;
  }

  /** Resolves once the OS has spawned the program; rejects if it cannot be executed. */
  async start(): Promise<void> {
    if (this.isRunning) throw new Error(`${this.name} is already running (pid ${String(this.pid)})`);
    const fd = openSync(this.logFile, 'a');
    try {
      this.starts += 1;
      writeSync(fd, `--- ${new Date().toISOString()} start #${this.starts}: ${this.command} ${this.args.join(' ')}\n`);
      // Writing straight to a file descriptor keeps logs complete even if the test process dies first.
      const child = spawn(this.command, [...this.args], {
        cwd: this.options.cwd,
        stdio: ['ignore', fd, fd],
        detached: false,
      });
      const unregister = runOnExit(() => {
        child.kill('SIGKILL');
      }, 'processes');
      // 'exit' cannot fire before this synchronous block ends, so `run` is assigned by then.
      // eslint-disable-next-line prefer-const -- assigned below, after the promise that reads it exists
      let run: Run | undefined;
      const exited = new Promise<ExitInfo>((resolve) => {
        child.once('exit', (code, signal) => {
          const exit: ExitInfo = { code, signal };
          if (run !== undefined) run.exit = exit;
          unregister();
          resolve(exit);
        });
      });
      run = { child, exited, exit: undefined };
      this.run = run;
      this.paused = false;
      try {
        await once(child, 'spawn');
      } catch (error) {
        run.exit = { code: null, signal: null };
        unregister();
        throw new Error(`cannot start ${this.name} (${this.command}): ${(error as Error).message}`);
      }
      // Late errors (a failed kill) must not crash the test process as unhandled 'error' events.
      child.on('error', () => undefined);
      child.unref();
    } finally {
      closeSync(fd);
    }
  }

  /** Sends a signal without waiting. Returns false if the process is not running. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.isRunning || this.run === undefined) return false;
    return this.run.child.kill(signal);
  }

  /** Freezes the process (SIGSTOP) to simulate a hung node; sockets stay open but nothing answers. */
  pause(): void {
    if (this.signal('SIGSTOP')) this.paused = true;
  }

  resume(): void {
    if (this.signal('SIGCONT')) this.paused = false;
  }

  /** Sends `signal` (SIGKILL = crash, SIGTERM = graceful) and waits until the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<ExitInfo> {
    const run = this.requireRun();
    if (run.exit !== undefined) return run.exit;
    this.signal(signal);
    // A stopped process only acts on a termination signal once it is continued.
    if (this.paused && signal !== 'SIGKILL') this.resume();
    return this.waitForExit(timeoutMs);
  }

  /** Resolves with how the process ended; rejects with WaitTimeoutError if it is still running. */
  async waitForExit(timeoutMs = 10_000): Promise<ExitInfo> {
    const run = this.requireRun();
    if (run.exit !== undefined) return run.exit;
    return withTimeout(
      run.exited,
      timeoutMs,
      () => new WaitTimeoutError(`${this.name} to exit`, timeoutMs, 'still running', this.logTail()),
    );
  }

  /** Graceful stop: SIGTERM, then SIGKILL if the process has not exited within `graceMs`. Idempotent. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.isRunning) return;
    try {
      await this.kill('SIGTERM', graceMs);
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      await this.kill('SIGKILL');
    }
  }

  /** Stops the process if it is running and starts it again with the same command line. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  logTail(lines = 40): string {
    return readLogTail(this.logFile, lines);
  }

  /** Throws ProcessExitedError if the process has ended; meant as a `pollUntil` abortIf. */
  assertRunning(): void {
    const exit = this.run?.exit;
    if (this.run === undefined) throw new Error(`${this.name} was never started`);
    if (exit !== undefined) throw new ProcessExitedError(this.name, exit, this.logFile, this.logTail());
  }

  private requireRun(): Run {
    if (this.run === undefined) throw new Error(`${this.name} was never started`);
    return this.run;
  }
}
