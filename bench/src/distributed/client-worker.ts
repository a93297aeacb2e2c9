// Runs the client side of one distributed scenario at one in-flight level and prints its rows.
// Usage: node bench/dist/distributed/client-worker.js <scenario> <nats-url> <in-flight> [--quick]
import 'reflect-metadata';
import { type ClientRun, DISTRIBUTED_RESULT_MARKER } from './distributed-result.js';
import { DISTRIBUTED_SCENARIOS, distributedScenarioNamed } from './distributed-scenarios.js';
import { distributedSettings } from './distributed-settings.js';
import { exitWithParent } from './exit-with-parent.js';

async function main(): Promise<void> {
  const [name = '', url = '', inFlightArg = '', ...flags] = process.argv.slice(2);
  const scenario = distributedScenarioNamed(name);
  const inFlight = Number(inFlightArg);
  if (!scenario || !url || !Number.isInteger(inFlight) || inFlight < 1) {
    throw new Error(`usage: client-worker.js <${DISTRIBUTED_SCENARIOS.map((s) => s.name).join('|')}> <nats-url> <in-flight> [--quick]`);
  }
  exitWithParent();
  const before = process.cpuUsage();
  const results = await scenario.runClient(url, inFlight, distributedSettings(flags.includes('--quick')));
  const used = process.cpuUsage(before);
  const run: ClientRun = { results, cpuMs: (used.user + used.system) / 1000 };
  process.stdout.write(`${DISTRIBUTED_RESULT_MARKER}${JSON.stringify(run)}\n`);
}

main().then(
  // Exit explicitly: a timer left behind by a library must not keep the run waiting.
  () => process.stdout.write('', () => process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
