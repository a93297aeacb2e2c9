// Runs every scenario in every mode, each in its own process, then prints a table and writes
// bench-results/core.json. Usage: node bench/dist/index.js [--quick]
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.js';
import { MODES } from './mode.js';
import { buildRows, formatTable, type LabelledResult } from './report.js';
import { runSettings } from './run-settings.js';
import { runWorker } from './run-worker.js';
import { BASELINE_SCENARIO, SCENARIOS } from './scenarios/index.js';
import { MINIMAL_PIPELINE_LIMIT, checkMinimalTarget } from './target.js';

const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

async function main(): Promise<void> {
  const quick = process.argv.slice(2).includes('--quick');
  const settings = runSettings(quick);
  const machine = machineInfo();
  console.log(
    `Catga core benchmark${quick ? ' (quick)' : ''}: ${machine.cpuModel} x${machine.cpuCount}, ` +
      `node ${machine.nodeVersion}, ${machine.totalMemoryGb} GB, ${machine.platform} ${machine.arch}`,
  );
  console.log(
    `warmup ${settings.warmupMs} ms, median of ${settings.rounds} rounds of ~${settings.roundMs} ms, ` +
      `each scenario and mode in its own process\n`,
  );

  const started = performance.now();
  const results: LabelledResult[] = [];
  for (const scenario of SCENARIOS) {
    for (const mode of MODES) {
      process.stderr.write(`  ${scenario.name} ${mode} ...\n`);
      results.push({ label: scenario.label, result: await runWorker(scenario.name, mode, quick) });
    }
  }
  const rows = buildRows(results, BASELINE_SCENARIO);
  const target = checkMinimalTarget(rows);

  console.log(`\n${formatTable(rows)}\n`);
  console.log('µs/op = 1e6 / ops/s (in the concurrent mode a throughput cost, not a latency).');
  for (const t of target) {
    console.log(
      `Target: ${t.scenario} ${t.mode} ${t.ratio.toFixed(2)}x raw cqrs ` +
        `${t.met ? '<=' : '>'} ${MINIMAL_PIPELINE_LIMIT}x: ${t.met ? 'met' : 'MISSED'}`,
    );
  }

  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}core.json`;
  const report = {
    generatedAt: new Date().toISOString(),
    quick,
    settings,
    machine,
    baseline: BASELINE_SCENARIO,
    target: { limit: MINIMAL_PIPELINE_LIMIT, checks: target },
    results: rows,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
