// Runs the server side of one distributed scenario until SIGTERM, then closes it and exits.
// Usage: node bench/dist/distributed/server-worker.js <scenario> <nats-url>
import 'reflect-metadata';
import { SERVER_READY_MARKER } from './distributed-result.js';
import { DISTRIBUTED_SCENARIOS, distributedScenarioNamed } from './distributed-scenarios.js';
import { exitWithParent } from './exit-with-parent.js';

async function main(): Promise<void> {
  const [name = '', url = ''] = process.argv.slice(2);
  const scenario = distributedScenarioNamed(name);
  if (!scenario || !url) {
    throw new Error(`usage: server-worker.js <${DISTRIBUTED_SCENARIOS.map((s) => s.name).join('|')}> <nats-url>`);
  }
  exitWithParent();
  const server = await scenario.startServer(url);
  process.once('SIGTERM', () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.stdout.write(`${SERVER_READY_MARKER}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
