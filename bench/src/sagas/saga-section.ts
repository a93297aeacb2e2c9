import type { MachineInfo } from '../machine.js';
import { writeResultsFile } from '../results-file.js';
import { timeOrders, type OrderLoadSummary } from './order-load.js';
import { startOrderSystem } from './order-system.js';
import { timeOrdersWithBudget, type SagaBudget } from './saga-budget.js';
import { formatSagaBudget } from './saga-budget-report.js';
import { SAGA_TARGET, checkSagaTarget, formatSagaTable, type SagaRow } from './saga-report.js';

/** The same at every replica count, so the rows compare: the replicas share the load, not each get 50. */
const IN_FLIGHT = 50;
const REPLICAS = [1, 2, 3];
const BUDGET_REPLICAS = 1;

/**
 * The 3-step order saga end to end at 1, 2 and 3 orchestrating order-service replicas:
 * payment-service, inventory-service and the replicas as separate processes on NATS with state in
 * Redis, fresh servers per replica count; this process places orders over NATS with 50 in flight
 * and times each saga from send to outcome. Unlike the scaling section, nothing here waits on
 * simulated I/O: the work is CPU, so the replicas share this machine's cores.
 */
export async function runSagaSection(quick: boolean, machine: MachineInfo): Promise<void> {
  const measured: Omit<SagaRow, 'efficiency'>[] = [];
  const counts = { warmup: quick ? 100 : 300, orders: quick ? 500 : 2_000, callerSample: quick ? 100 : 300 };
  let budget: SagaBudget | undefined;
  for (const replicas of REPLICAS) {
    process.stderr.write(`  order-service x${replicas} ...\n`);
    const system = await startOrderSystem({ replicas, clientName: 'bench-saga-client', redisPrefix: `sagas-${replicas}` });
    try {
      // The budget on the 1-replica run only, where one order-service orchestrates every saga.
      let load: OrderLoadSummary;
      if (replicas === BUDGET_REPLICAS) ({ load, budget } = await timeOrdersWithBudget(system, counts, IN_FLIGHT, machine.cpuCount));
      else load = await timeOrders(system.mediator, counts.warmup, counts.orders, IN_FLIGHT);
      measured.push({
        replicas,
        sagas: load.orders,
        inFlight: load.inFlight,
        sagasPerSecond: load.ordersPerSecond,
        sagasPerSecondPerReplica: load.ordersPerSecond / replicas,
        p50Ms: load.p50Ms,
        p99Ms: load.p99Ms,
      });
    } finally {
      await system.stop();
    }
  }
  const base = measured[0]!.sagasPerSecond;
  const rows: SagaRow[] = measured.map((r) => ({ ...r, efficiency: r.sagasPerSecond / (r.replicas * base) }));
  const target = checkSagaTarget(rows[0]!);

  console.log(
    `\nSagas: the 3-step order saga (charge, reserve, confirm) with ${REPLICAS.join(', ')} order-service replicas orchestrating ` +
      `(PlaceOrder in a queue group), payment- and inventory-service, NATS transport and Redis stores, fresh servers per ` +
      `replica count, ${IN_FLIGHT} in flight at every count so the rows compare, every process on this machine. ` +
      `The work is CPU-bound and every process shares this machine's ${machine.cpuCount} cores: throughput cannot scale past ` +
      `the cores, so efficiency (sagas/s over replicas x the 1-replica rate) below 100% is expected and shows what sharing ` +
      `the cores costs; the scaling section shows replicas adding throughput where the work waits on I/O.\n`,
  );
  console.log(formatSagaTable(rows));
  console.log(
    `Target: ${SAGA_TARGET.sagasPerSecondPerReplica} sagas/s per orchestrating replica (1 replica): ` +
      `${target.sagasPerSecond.toFixed(0)}: ${target.sagasPerSecondMet ? 'MET' : 'MISSED'}`,
  );
  console.log(`Target: p99 <= ${SAGA_TARGET.p99Ms} ms (1 replica): ${target.p99Ms.toFixed(1)} ms: ${target.p99Met ? 'MET' : 'MISSED'}`);
  if (budget) console.log(formatSagaBudget(budget, BUDGET_REPLICAS, counts.warmup));
  const file = await writeResultsFile('sagas.json', {
    generatedAt: new Date().toISOString(),
    quick,
    machine,
    target: { ...SAGA_TARGET, checks: target },
    // The one-replica row, as the file had it before there were rows.
    result: rows[0],
    rows,
    budget: budget && { replicas: BUDGET_REPLICAS, warmup: counts.warmup, ...budget },
  });
  console.log(`Wrote ${file}`);
}
