// Runs the in-process section (each scenario and mode in its own process), the distributed
// section (server and client processes against a private nats-server), the saga section (the
// sample services as processes on NATS and Redis), the scaling section (order-service at 1-3
// replicas) and the failover section (recovery from killed and frozen replicas, the fast path
// against timeouts only), printing a table for each and writing bench-results/*.json. With
// --node=20,24 it runs the sections under each of those Node majors instead, each in a child
// process (results in bench-results/<file>.node<major>.json), and prints them side by side.
// Usage: node bench/dist/index.js [--quick] [--only=in-process|distributed|sagas|scaling|failover] [--node=<major>[,<major>...]]
import { parseCliOptions } from './cli-options.js';
import { runDistributedSection } from './distributed/distributed-section.js';
import { runFailoverSection } from './failover/failover-section.js';
import { runInProcessSection } from './in-process-section.js';
import { runOnNodeVersions } from './node-versions/node-versions-run.js';
import { runSagaSection } from './sagas/saga-section.js';
import { runScalingSection } from './scaling/scaling-section.js';
import { machineInfo } from './machine.js';

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2));
  const { quick, sections } = options;
  const machine = machineInfo();
  console.log(
    `Catga benchmark${quick ? ' (quick)' : ''}: ${machine.cpuModel} x${machine.cpuCount}, ` +
      `node ${machine.nodeVersion}, ${machine.totalMemoryGb} GB, ${machine.platform} ${machine.arch}\n`,
  );
  if (options.nodeMajors.length > 0) return runOnNodeVersions(options, machine);
  if (sections.includes('in-process')) await runInProcessSection(quick, machine);
  if (sections.includes('distributed')) await runDistributedSection(quick, machine);
  if (sections.includes('sagas')) await runSagaSection(quick, machine);
  if (sections.includes('scaling')) await runScalingSection(quick, machine);
  if (sections.includes('failover')) await runFailoverSection(quick, machine);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
