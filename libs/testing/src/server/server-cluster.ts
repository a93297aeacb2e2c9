import type { ExitInfo } from '../process/exit-info.js';
import { pollWhileRunning } from '../process/poll-while-running.js';
import type { ServerProcess } from './server-process.js';

/** Nodes addressed by index, killed and restarted one at a time, and stopped together. */
export abstract class ServerCluster<S extends ServerProcess> {
  protected constructor(readonly servers: readonly S[]) {}

  /** The cluster as a whole is usable again; what that means differs per server kind. */
  abstract waitUntilHealthy(timeoutMs?: number): Promise<void>;

  node(index: number): S {
    const server = this.servers[index];
    if (server === undefined) throw new RangeError(`no node ${index} in a ${this.servers.length}-node cluster`);
    return server;
  }

  kill(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    return this.node(index).kill(signal);
  }

  async restart(index: number): Promise<void> {
    await this.node(index).restart();
    await this.waitUntilHealthy();
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** Polls `probe` with every node's log tail in the timeout; `watchAll` fails at once when any node dies. */
  protected pollNodes(description: string, timeoutMs: number, watchAll: boolean, probe: () => Promise<void>): Promise<void> {
    const processes = this.servers.map((server) => server.process);
    return pollWhileRunning(probe, {
      description,
      timeoutMs,
      intervalMs: 150,
      watched: watchAll ? processes : [],
      logsOf: processes,
      logLines: 15,
    });
  }
}
