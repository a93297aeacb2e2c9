import type { MachineInfo } from '../machine.js';
import { writeResultsFile } from '../results-file.js';
import { timeOrders } from '../sagas/order-load.js';
import { startOrderSystem } from '../sagas/order-system.js';

const IN_FLIGHT = 64;
/** order-service's simulated I/O: 4 slots of 100 ms, 40 handlings/s per replica, 2 handlings per order. */
const IO = { SAMPLE_IO_WAIT_MS: '100', SAMPLE_IO_SLOTS: '4' };
const TARGET_EFFICIENCY = 0.9;

interface ScalingRow {
  replicas: number;
  orders: number;
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Throughput over replicas x the one-replica throughput. */
  efficiency: number;
}

/**
 * The order flow with order-service at 1, 2 and 3 replicas, each doing a fixed simulated I/O
 * wait per message through a bounded pool, so replicas (not this machine's two cores) are the
 * limit: how much each added replica adds.
 */
export async function runScalingSection(quick: boolean, machine: MachineInfo): Promise<void> {
  const rows: ScalingRow[] = [];
  for (const replicas of [1, 2, 3]) rows.push(await measure(replicas, quick));
  const base = rows[0]!.ordersPerSecond;
  for (const row of rows) row.efficiency = row.ordersPerSecond / (row.replicas * base);

  console.log(
    `\nScaling: the order saga with order-service at 1-3 replicas, each handling waiting ${IO.SAMPLE_IO_WAIT_MS} ms ` +
      `on a ${IO.SAMPLE_IO_SLOTS}-slot I/O pool; payment- and inventory-service, NATS, Redis, ${IN_FLIGHT} in flight\n`,
  );
  console.log('replicas  orders  orders/s  p50 ms  p99 ms  efficiency');
  for (const r of rows) {
    console.log(
      `${String(r.replicas).padStart(8)}  ${String(r.orders).padStart(6)}  ${r.ordersPerSecond.toFixed(1).padStart(8)}  ` +
        `${r.p50Ms.toFixed(0).padStart(6)}  ${r.p99Ms.toFixed(0).padStart(6)}  ${(r.efficiency * 100).toFixed(0).padStart(9)}%`,
    );
  }
  const at3 = rows[2]!.efficiency;
  console.log(
    `Target: scaling efficiency at 3 replicas >= ${TARGET_EFFICIENCY * 100}%: ${(at3 * 100).toFixed(0)}%: ${at3 >= TARGET_EFFICIENCY ? 'met' : 'MISSED'}`,
  );
  const file = await writeResultsFile('scaling.json', {
    generatedAt: new Date().toISOString(),
    quick,
    machine,
    io: IO,
    inFlight: IN_FLIGHT,
    rows,
  });
  console.log(`Wrote ${file}`);
}

async function measure(replicas: number, quick: boolean): Promise<ScalingRow> {
  process.stderr.write(`  order-service x${replicas} ...\n`);
  const system = await startOrderSystem({ replicas, clientName: 'bench-scaling-client', redisPrefix: 'scaling', orderServiceEnv: IO });
  try {
    const load = await timeOrders(system.mediator, quick ? 50 : 100, (quick ? 150 : 400) * replicas, IN_FLIGHT);
    return { replicas, orders: load.orders, ordersPerSecond: load.ordersPerSecond, p50Ms: load.p50Ms, p99Ms: load.p99Ms, efficiency: 1 };
  } finally {
    await system.stop();
  }
}
