import type { DistributedResult } from '../distributed-result.js';
import type { DistributedSettings } from '../distributed-settings.js';
import { measureLatency } from '../latency-measure.js';
import type { RowIdentity } from '../row-identity.js';
import type { RemoteAdd } from './remote-add.js';

/** Connects one client, checks it adds, and times requests at `inFlight`. */
export async function measureRemoteAdd(
  connect: () => Promise<RemoteAdd>,
  row: RowIdentity,
  inFlight: number,
  settings: DistributedSettings,
): Promise<DistributedResult[]> {
  const bootStarted = performance.now();
  const remote = await connect();
  const bootMs = performance.now() - bootStarted;
  try {
    const sum = await remote.add(41, 1);
    if (sum !== 42) throw new Error(`${row.scenario} returned ${String(sum)} for 41 + 1`);
    const m = await measureLatency((i) => remote.add(i, 1), inFlight, settings);
    return [{ ...row, inFlight, opsPerSec: m.opsPerSec, p50Ms: m.p50Ms, p99Ms: m.p99Ms, ops: m.ops, rounds: m.rounds, bootMs }];
  } finally {
    await remote.close();
  }
}
