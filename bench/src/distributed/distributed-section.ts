import type { MachineInfo } from '../machine.js';
import { writeResultsFile } from '../results-file.js';
import { buildDistributedRows, formatCpuBudgets, formatDistributedTable } from './distributed-report.js';
import { distributedSettings } from './distributed-settings.js';
import { CATGA_TO_RAW_NATS_MIN, checkDistributedTargets, compareToNestMicroservices } from './distributed-target.js';
import { runDistributed } from './run-distributed.js';

/** Runs the cross-process scenarios against a private nats-server; writes bench-results/distributed.json. */
export async function runDistributedSection(quick: boolean, machine: MachineInfo): Promise<void> {
  const settings = distributedSettings(quick);
  console.log(
    `\nDistributed: server and client in separate processes, one private nats-server; requests: warmup ` +
      `${settings.warmupMs} ms, median of ${settings.rounds} rounds of ~${settings.roundMs} ms at ` +
      `${settings.requestInFlight.join(' and ')} in flight; events: ${settings.events} after ${settings.warmupEvents} ` +
      `warmup, ${settings.eventInFlight} in flight\n`,
  );

  const started = performance.now();
  const run = await runDistributed(settings, quick);
  const rows = buildDistributedRows(run.results);
  const targets = checkDistributedTargets(rows);
  const nestComparisons = compareToNestMicroservices(rows);

  console.log(`\n${formatDistributedTable(rows)}\n`);
  console.log(
    `nats-server ${run.natsServerVersion}. p50/p99: per request; for events, publish until acked, and publish until ` +
      `handled in the subscriber process (queueing included). "vs raw": throughput over the raw nats.js row ` +
      `(requests) or the raw JetStream row of the same kind (events) at the same in-flight level.`,
  );
  for (const t of targets) {
    const value = t.target.startsWith('>=')
      ? `${t.ratio.toFixed(2)}x ${t.target.replace(/^>= [\d.]+x /, '')}`
      : `${t.ratio.toFixed(2)}x its throughput`;
    console.log(`Target: ${t.scenario} at ${t.inFlight} in flight ${t.target}: ${value}: ${t.met ? 'MET' : 'MISSED'}`);
  }
  for (const c of nestComparisons) {
    console.log(`Compared: ${c.scenario} at ${c.inFlight} in flight vs @nestjs/microservices: ${c.ratio.toFixed(2)}x its throughput`);
  }
  console.log(`\n${formatCpuBudgets(run.budgets)}`);

  const file = await writeResultsFile('distributed.json', {
    generatedAt: new Date().toISOString(),
    quick,
    settings,
    machine,
    natsServerVersion: run.natsServerVersion,
    target: { minRatioToRawNats: CATGA_TO_RAW_NATS_MIN, checks: targets },
    comparedToNestMicroservices: nestComparisons,
    results: rows,
    cpuBudgets: run.budgets,
  });
  console.log(`\nWrote ${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
