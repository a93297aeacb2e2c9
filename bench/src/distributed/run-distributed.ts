import { startNatsServer } from '@catga/testing';
import type { DistributedResult } from './distributed-result.js';
import { DISTRIBUTED_SCENARIOS } from './distributed-scenarios.js';
import type { DistributedSettings } from './distributed-settings.js';
import { runClientWorker, startServerWorker } from './worker-processes.js';

export interface DistributedRun {
  readonly natsServerVersion: string;
  readonly results: readonly DistributedResult[];
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
    for (const scenario of DISTRIBUTED_SCENARIOS) {
      const server = await startServerWorker(scenario.name, nats.url);
      try {
        const levels = scenario.kind === 'request' ? settings.requestInFlight : [settings.eventInFlight];
        for (const inFlight of levels) {
          process.stderr.write(`  ${scenario.name} ${inFlight} in flight ...\n`);
          results.push(...(await runClientWorker(scenario.name, nats.url, inFlight, quick)));
        }
      } finally {
        await server.stop();
      }
    }
    return { natsServerVersion, results };
  } finally {
    await nats.stop();
  }
}
