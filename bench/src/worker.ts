// Runs one scenario in one mode in this process and prints its result on stdout.
// Usage: node bench/dist/worker.js <scenario> <sequential|concurrent> [--quick]
import 'reflect-metadata';
import { measure } from './measure.js';
import { isMode } from './mode.js';
import { runSettings } from './run-settings.js';
import { SCENARIOS, scenarioNamed } from './scenarios/index.js';
import { RESULT_MARKER, type WorkerResult } from './worker-result.js';

async function main(): Promise<void> {
  const [name = '', mode = '', ...flags] = process.argv.slice(2);
  const scenario = scenarioNamed(name);
  if (!scenario || !isMode(mode)) {
    throw new Error(`usage: worker.js <${SCENARIOS.map((s) => s.name).join('|')}> <sequential|concurrent> [--quick]`);
  }
  const settings = runSettings(flags.includes('--quick'));
  const bootStarted = performance.now();
  const target = await scenario.boot();
  const bootMs = performance.now() - bootStarted;
  try {
    const sum = await target.op(41);
    if (sum !== 42) throw new Error(`${name} returned ${String(sum)} for 41 + 1`);
    const measurement = await measure(target.op, mode, settings);
    const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
    const result: WorkerResult = { scenario: name, measurement, bootMs, heapUsedMb };
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
  } finally {
    await target.close();
  }
}

main().then(
  // Exit explicitly: a timer left behind by a library must not keep the run waiting.
  () => process.stdout.write('', () => process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
