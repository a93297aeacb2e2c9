import 'reflect-metadata';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { natsTransport } from '@catga/nats';
import { startNatsServer, startRedisServer } from '@catga/testing';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { percentile, sortedDurations } from '../distributed/percentile.js';
import type { MachineInfo } from '../machine.js';
import { writeResultsFile } from '../results-file.js';
import { driveOrders } from './order-load.js';
import { startSampleService, type RunningService } from './sample-services.js';

const IN_FLIGHT = 50;
const TARGET_PER_REPLICA = 1000;

/**
 * The 3-step order saga end to end: order-service (orchestrator), payment-service and
 * inventory-service as separate processes on NATS with state in Redis; this process places
 * orders over NATS with 50 in flight and times each saga from send to outcome.
 */
export async function runSagaSection(quick: boolean, machine: MachineInfo): Promise<void> {
  const [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
  const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: 'bench' };
  const services: RunningService[] = [];
  try {
    services.push(
      ...(await Promise.all(['order-service', 'payment-service', 'inventory-service'].map((app) => startSampleService(app, env)))),
    );
    @Module({
      imports: [
        CatgaModule.forRoot({ serviceName: 'bench-saga-client', transport: natsTransport({ servers: nats.url }), pipeline: 'minimal' }),
      ],
    })
    class SagaClientModule {}
    const app = await NestFactory.createApplicationContext(SagaClientModule, { logger: ['error'] });
    await app.init();
    const mediator = app.get(CatgaMediator);
    const drive = (count: number) => driveOrders(mediator, count, IN_FLIGHT);
    await drive(quick ? 100 : 300);
    const total = quick ? 500 : 2_000;
    const { seconds, durations } = await drive(total);
    const sorted = sortedDurations(durations);
    const row = {
      sagas: total,
      inFlight: IN_FLIGHT,
      sagasPerSecond: total / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
    };
    await app.close();
    console.log(
      `\nSagas: the 3-step order saga (charge, reserve, confirm), one order-service replica orchestrating, ` +
        `payment- and inventory-service, NATS transport and Redis stores, every process on this machine\n`,
    );
    console.log(`sagas  in flight  sagas/s  p50 ms  p99 ms`);
    console.log(
      `${String(row.sagas).padStart(5)}  ${String(row.inFlight).padStart(9)}  ${row.sagasPerSecond.toFixed(0).padStart(7)}  ` +
        `${row.p50Ms.toFixed(1).padStart(6)}  ${row.p99Ms.toFixed(1).padStart(6)}`,
    );
    console.log(
      `Target: ${TARGET_PER_REPLICA} sagas/s per orchestrating replica: ${row.sagasPerSecond.toFixed(0)}: ` +
        `${row.sagasPerSecond >= TARGET_PER_REPLICA ? 'MET' : 'MISSED'}`,
    );
    const file = await writeResultsFile('sagas.json', { generatedAt: new Date().toISOString(), quick, machine, result: row });
    console.log(`Wrote ${file}`);
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await Promise.allSettled([nats.stop(), redis.stop()]);
  }
}
