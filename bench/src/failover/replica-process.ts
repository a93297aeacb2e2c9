import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { pollUntil } from '@catga/testing';

const REPLICA_MAIN = fileURLToPath(new URL('./effect-replica.main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export interface ReplicaProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** What the replica said it runs with when ready ("failover=on claimTtlMs=10000 progressIntervalMs=default"). */
  readonly settings: string;
  /** The tail of what it wrote to stdout and stderr. */
  output(): string;
  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT) at once. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** SIGTERM (the replica finishes what it holds and closes), SIGKILL if it still runs after 10 s; true if it closed in time. */
  stop(): Promise<boolean>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a replica as its own process with `env` on top of this process's environment minus
 * CATGA_FAILOVER (the mode says it or leaves it out), and waits until it is ready.
 */
export async function startReplica(name: string, env: Record<string, string>): Promise<ReplicaProcess> {
  const base = { ...process.env };
  delete base.CATGA_FAILOVER;
  const child = spawn(process.execPath, [REPLICA_MAIN], {
    env: { ...base, ...env, CATGA_INSTANCE_ID: name },
    // stdin is a pipe the replica watches: it exits when this process dies, however it dies.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // A signal to a process that has just exited: nothing to do, and an unheard 'error' would throw.
  child.on('error', (error) => keep(Buffer.from(`\n${String(error)}\n`)));
  const exited = once(child, 'exit').then(() => void running.delete(child));
  const settings = await pollUntil(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`replica ${name} exited while starting:\n${output}`);
      const ready = / ready: (.*)\n/.exec(output);
      if (!ready) throw new Error('not ready yet');
      return ready[1]!;
    },
    { description: `replica ${name} ready`, timeoutMs: READY_TIMEOUT_MS, intervalMs: 25 },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    settings,
    output: () => output,
    exited,
    signal: (signal) => {
      if (alive()) child.kill(signal);
    },
    stop: async () => {
      if (!alive()) return true;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS).unref());
      const inTime = await Promise.race([exited.then(() => true), timer]);
      if (!inTime) {
        child.kill('SIGKILL');
        await exited;
      }
      return inTime;
    },
  };
}
