import { startNatsServer } from '@catga/testing';
import { clockTicks, processCpuMs } from '../sagas/process-cpu.js';
import { natsTraffic } from '../sagas/nats-traffic.js';
import type { CpuBudget, DistributedResult } from './distributed-result.js';
import { DISTRIBUTED_SCENARIOS } from './distributed-scenarios.js';
import type { DistributedSettings } from './distributed-settings.js';
import { runClientWorker, startServerWorker } from './worker-processes.js';

export interface DistributedRun {
  readonly natsServerVersion: string;
  readonly results: readonly DistributedResult[];
  readonly budgets: readonly CpuBudget[];
}

/**
 * Starts a private nats-server, then for each scenario its server process, one client process per
 * in-flight level, and stops the server process before the next scenario so none competes for CPU.
 */
export async function runDistributed(settings: DistributedSettings, quick: boolean): Promise<DistributedRun> {
  const nats = await startNatsServer({ serverName: 'catga-bench' });
  try {
    const natsServerVersion = (await nats.monitor.varz()).version;
    const results: DistributedResult[] = [];
    const budgets: CpuBudget[] = [];
    const ticks = clockTicks();
    const natsPid = nats.process.pid;
    if (natsPid === undefined) throw new Error('nats-server is not running');
    for (const scenario of DISTRIBUTED_SCENARIOS) {
      const server = await startServerWorker(scenario.name, nats.url);
      try {
        const levels = scenario.kind === 'request' ? settings.requestInFlight : [settings.eventInFlight];
        for (const inFlight of levels) {
          process.stderr.write(`  ${scenario.name} ${inFlight} in flight ...\n`);
          const before = {
            server: processCpuMs(server.pid, ticks),
            nats: processCpuMs(natsPid, ticks),
            traffic: await natsTraffic(nats.monitor),
          };
          const run = await runClientWorker(scenario.name, nats.url, inFlight, quick);
          const messages = (await natsTraffic(nats.monitor)).inMsgs - before.traffic.inMsgs;
          const perMessage = (ms: number) => (ms * 1000) / messages;
          results.push(...run.results);
          budgets.push({
            scenario: scenario.name,
            inFlight,
            natsMessagesIn: messages,
            clientUsPerMessage: perMessage(run.cpuMs),
            serverUsPerMessage: perMessage(processCpuMs(server.pid, ticks) - before.server),
            natsServerUsPerMessage: perMessage(processCpuMs(natsPid, ticks) - before.nats),
          });
        }
      } finally {
        await server.stop();
      }
    }
    return { natsServerVersion, results, budgets };
  } finally {
    await nats.stop();
  }
}
