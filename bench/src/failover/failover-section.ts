import 'reflect-metadata';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { NATS_DEFAULTS, natsTransport } from '@catga/nats';
import { startNatsServer, startRedisServer } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import type { MachineInfo } from '../machine.js';
import { writeResultsFile } from '../results-file.js';
import { FAULTS } from './failover-faults.js';
import { FAILOVER_MODES, type FailoverMode } from './failover-modes.js';
import { failoverTable, failureLines, summarize, type FailoverRow } from './failover-report.js';
import { CLIENT_WINDOW, IN_FLIGHT, REPLICAS, runRepetition, WORK_MS, type RepetitionResult } from './failover-repetition.js';

const REPETITIONS = 10;
const QUICK_REPETITIONS = 3;

/**
 * Recovery from a replica fault under load, the fast path (liveness) against timeouts only: for
 * each fault, each repetition runs once in each mode, alternating, with fresh replicas every time
 * and one nats-server and redis-server for the section.
 */
export async function runFailoverSection(quick: boolean, machine: MachineInfo): Promise<void> {
  const started = performance.now();
  const repetitions = quick ? QUICK_REPETITIONS : REPETITIONS;
  const [nats, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
  const redis = new Redis(redisServer.url);
  const callers: INestApplicationContext[] = [];
  const rows: FailoverRow[] = [];
  try {
    const mediators = new Map<FailoverMode['id'], CatgaMediator>();
    for (const mode of FAILOVER_MODES) {
      const caller = await startCaller(mode, nats.url);
      callers.push(caller);
      mediators.set(mode.id, caller.get(CatgaMediator));
    }
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    for (const fault of FAULTS) {
      const results = new Map<FailoverMode['id'], RepetitionResult[]>(FAILOVER_MODES.map((m) => [m.id, []]));
      for (let rep = 1; rep <= repetitions; rep++) {
        for (const mode of FAILOVER_MODES) {
          process.stderr.write(`  ${fault.label}, ${mode.label}, ${rep} of ${repetitions}: `);
          const result = await runRepetition({
            natsUrl: nats.url,
            redisUrl: redisServer.url,
            redis,
            mediator: mediators.get(mode.id)!,
            mode,
            fault,
            prefix: `fo-${run}-${fault.id}-${mode.id}-${rep}`,
          });
          results.get(mode.id)!.push(result);
          process.stderr.write(
            `${result.inFlightAtFault} in flight, recovered in ${result.recoveryMs === null ? 'no time (FAILED)' : `${Math.round(result.recoveryMs)} ms`}` +
              `, ${result.commands} commands${result.ok ? '' : ', FAILED'}\n`,
          );
        }
      }
      for (const mode of FAILOVER_MODES) rows.push(summarize(fault, mode, results.get(mode.id)!));
    }
  } finally {
    await Promise.allSettled(callers.map((c) => c.close()));
    redis.disconnect();
    await Promise.allSettled([nats.stop(), redisServer.stop()]);
  }
  const seconds = (performance.now() - started) / 1000;
  const failures = failureLines(rows);
  const total = rows.reduce((n, r) => n + r.repetitions, 0);

  console.log(
    `\nFailover: ${REPLICAS} replicas of a ${WORK_MS} ms command (a Redis counter per message id, held to land with the outcome), ` +
      `${IN_FLIGHT} in flight from one caller, NATS and Redis, every process on this machine; per repetition fresh replicas, ` +
      `the fault once each has served some, recovery = fault to the last command in flight at it answered; ` +
      `client p99 over the commands sent from ${CLIENT_WINDOW.beforeMs / 1000} s before the fault to ${CLIENT_WINDOW.afterMs / 1000} s after it, ` +
      `pooled over the repetitions.\n` +
      `Fast path: the defaults (progress every ${NATS_DEFAULTS.progressIntervalMs} ms, a retry after 3 silent intervals, a held ` +
      `claim taken over once its owner is gone or silent for the liveness probe, 500 ms). Timeouts only: CATGA_FAILOVER=timeouts and progressIntervalMs 0 ` +
      `(attemptTimeoutMs ${NATS_DEFAULTS.attemptTimeoutMs}, claimTtlMs 10000, the defaults).\n`,
  );
  console.log(failoverTable(rows));
  console.log(
    `\nMachine: ${machine.cpuModel} x${machine.cpuCount}, node ${machine.nodeVersion}, ${machine.totalMemoryGb} GB, ` +
      `${machine.platform} ${machine.arch}; ${new Date().toISOString().slice(0, 10)}${quick ? ', --quick' : ''}`,
  );
  if (failures.length === 0) console.log(`Exactly-once: held in all ${total} repetitions (no error, every effect applied once).`);
  else {
    console.log(`\nExactly-once: FAILED in ${failures.length} of ${total} repetitions:`);
    for (const line of failures) console.log(line);
    process.exitCode = 1;
  }
  const whole = Math.round(seconds);
  console.log(`Failover section: ${Math.floor(whole / 60)} min ${whole % 60} s`);
  const file = await writeResultsFile('failover.json', {
    generatedAt: new Date().toISOString(),
    quick,
    machine,
    seconds,
    settings: {
      replicas: REPLICAS,
      inFlight: IN_FLIGHT,
      workMs: WORK_MS,
      clientWindow: CLIENT_WINDOW,
      repetitions,
      faults: FAULTS,
      modes: FAILOVER_MODES,
    },
    rows,
  });
  console.log(`Wrote ${file}`);
}

async function startCaller(mode: FailoverMode, servers: string): Promise<INestApplicationContext> {
  const progress = mode.callerProgressIntervalMs === undefined ? {} : { progressIntervalMs: mode.callerProgressIntervalMs };
  @Module({
    imports: [
      CatgaModule.forRoot({
        serviceName: `bench-failover-caller-${mode.id}`,
        transport: natsTransport({ servers, ...progress }),
        ...(mode.callerFailover === false ? { failover: false } : {}),
      }),
    ],
  })
  class FailoverCallerModule {}
  const app = await NestFactory.createApplicationContext(FailoverCallerModule, { logger: ['error'] });
  await app.init();
  return app;
}
