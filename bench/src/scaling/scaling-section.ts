import 'reflect-metadata';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { natsTransport } from '@catga/nats';
import { startNatsServer, startRedisServer } from '@catga/testing';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { percentile, sortedDurations } from '../distributed/percentile.js';
import type { MachineInfo } from '../machine.js';
import { writeResultsFile } from '../results-file.js';
import { driveOrders } from '../sagas/order-load.js';
import { startSampleService, type RunningService } from '../sagas/sample-services.js';

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
  const [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
  const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: 'scaling' };
  const services: RunningService[] = [];
  try {
    services.push(
      ...(await Promise.all([
        startSampleService('payment-service', env),
        startSampleService('inventory-service', env),
        ...Array.from({ length: replicas }, (_, i) => startSampleService('order-service', { ...env, ...IO }, `order-service-${i + 1}`)),
      ])),
    );
    @Module({
      imports: [
        CatgaModule.forRoot({ serviceName: 'bench-scaling-client', transport: natsTransport({ servers: nats.url }), pipeline: 'minimal' }),
      ],
    })
    class ScalingClientModule {}
    const app = await NestFactory.createApplicationContext(ScalingClientModule, { logger: ['error'] });
    await app.init();
    const mediator = app.get(CatgaMediator);
    await driveOrders(mediator, quick ? 50 : 100, IN_FLIGHT);
    const orders = (quick ? 150 : 400) * replicas;
    const { seconds, durations } = await driveOrders(mediator, orders, IN_FLIGHT);
    await app.close();
    const sorted = sortedDurations(durations);
    return {
      replicas,
      orders,
      ordersPerSecond: orders / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      efficiency: 1,
    };
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await Promise.allSettled([nats.stop(), redis.stop()]);
  }
}
