import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseCliOptions, USAGE, type CliOptions } from './cli-options.js';
import { startCluster, type ClusterHandle } from './cluster.js';
import { displayPath } from './display-path.js';
import { defaultChaosPlan, partitionedServices } from './fault-plan.js';
import { formatReport } from './report-format.js';
import { problemsOf } from './report.js';
import { onStopSignal } from './stop-signals.js';

const log = (line: string): void => console.log(`[cluster ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Exit code: 0, or 1 when a load run broke an invariant (stuck, failed, effects not applied once). */
async function main(options: CliOptions): Promise<number> {
  let cluster: ClusterHandle | undefined;
  const signals = onStopSignal(async (signal) => {
    log(`${signal}: stopping`);
    await cluster?.stop();
    log('stopped');
  });
  try {
    cluster = await startCluster({
      replicas: options.replicas,
      runDir: options.runDir,
      isolateFromTerminal: true,
      onEvent: log,
      partitionable: options.chaos ? partitionedServices(defaultChaosPlan(options.replicas)) : [],
    });
    signals.takeOver();
    console.log(`\n${cluster.describe()}\n`);
    log('every service is ready');
    if (options.load === undefined) {
      log('running; Ctrl-C stops everything');
      for (;;) await delay(60_000);
    }
    const report = await cluster.runLoad({
      orders: options.load,
      concurrency: options.concurrency,
      chaos: options.chaos,
      settleTimeoutMs: options.settleTimeoutMs,
    });
    console.log(`\n${formatReport(report)}\n`);
    const problems = problemsOf(report);
    console.log(
      problems.length === 0
        ? 'Invariants hold: nothing stuck, nothing failed, every effect applied once.'
        : `Invariants broken: ${problems.join('; ')}.`,
    );
    log(`report written to ${displayPath(join(report.runDir, 'report.json'))}`);
    if (options.keep) {
      log('--keep: running; Ctrl-C stops everything');
      for (;;) await delay(60_000);
    }
    return problems.length === 0 ? 0 : 1;
  } finally {
    await cluster?.stop();
  }
}

let options: CliOptions;
try {
  const command = parseCliOptions(process.argv.slice(2));
  if (command.help) {
    console.log(USAGE);
    process.exit(0);
  }
  options = command;
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n(npm run cluster -- --help lists the options)`);
  process.exit(2);
}
main(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
