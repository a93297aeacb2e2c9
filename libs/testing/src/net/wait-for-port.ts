import type { ManagedProcess } from '../process/managed-process.js';
import { pollWhileRunning } from '../process/poll-while-running.js';
import { LOOPBACK_HOST } from './host-port.js';
import { isPortOpen } from './port-probe.js';

export interface WaitForPortOptions {
  readonly host?: string;
  /** Default 10 s. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** The server expected to open the port: waiting stops as soon as it dies, and its log tail goes into errors. */
  readonly process?: ManagedProcess;
}

/** Polls TCP connects until one succeeds; throws WaitTimeoutError or ProcessExitedError with the log tail. */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const host = options.host ?? LOOPBACK_HOST;
  const watched = options.process;
  await pollWhileRunning(
    async () => {
      if (!(await isPortOpen(port, host))) throw new Error(`${host}:${port} refused the connection`);
    },
    {
      description: `${host}:${port} to accept connections${watched ? ` (${watched.name})` : ''}`,
      timeoutMs: options.timeoutMs ?? 10_000,
      intervalMs: options.intervalMs ?? 50,
      watched: watched ? [watched] : [],
    },
  );
}
