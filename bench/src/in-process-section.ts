import type { MachineInfo } from './machine.js';
import { MODES } from './mode.js';
import { buildRows, formatTable, type LabelledResult } from './report.js';
import { writeResultsFile } from './results-file.js';
import { runSettings } from './run-settings.js';
import { runWorker } from './run-worker.js';
import { BASELINE_SCENARIO, SCENARIOS } from './scenarios/index.js';
import {
  DEFAULT_PIPELINE_LIMIT_US,
  MINIMAL_PIPELINE_LIMIT,
  OBSERVED_PIPELINE_LIMIT,
  checkDefaultTarget,
  checkMinimalTarget,
  checkObservedTarget,
} from './target.js';

/** Runs every in-process scenario in every mode, each in its own process; writes bench-results/core.json. */
export async function runInProcessSection(quick: boolean, machine: MachineInfo): Promise<void> {
  const settings = runSettings(quick);
  console.log(
    `In process: warmup ${settings.warmupMs} ms, median of ${settings.rounds} rounds of ~${settings.roundMs} ms, ` +
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
  const observed = checkObservedTarget(rows);
  const defaults = checkDefaultTarget(rows);

  console.log(`\n${formatTable(rows)}\n`);
  console.log('µs/op = 1e6 / ops/s (in the concurrent mode a throughput cost, not a latency).');
  for (const t of target) {
    console.log(
      `Target: ${t.scenario} ${t.mode} ${t.ratio.toFixed(2)}x raw cqrs ` +
        `${t.met ? '<=' : '>'} ${MINIMAL_PIPELINE_LIMIT}x: ${t.met ? 'met' : 'MISSED'}`,
    );
  }
  for (const t of observed) {
    console.log(
      `Target: ${t.scenario} ${t.mode} ${t.ratio.toFixed(2)}x Catga minimal ` +
        `${t.met ? '<=' : '>'} ${OBSERVED_PIPELINE_LIMIT}x: ${t.met ? 'met' : 'MISSED'}`,
    );
  }
  for (const t of defaults) {
    console.log(
      `Target: ${t.scenario} ${t.mode} ${t.ratio.toFixed(2)} µs/op ${t.met ? '<=' : '>'} ${DEFAULT_PIPELINE_LIMIT_US} µs: ` +
        `${t.met ? 'met' : 'MISSED'}`,
    );
  }

  const file = await writeResultsFile('core.json', {
    generatedAt: new Date().toISOString(),
    quick,
    settings,
    machine,
    baseline: BASELINE_SCENARIO,
    target: { limit: MINIMAL_PIPELINE_LIMIT, checks: target },
    observedTarget: { limit: OBSERVED_PIPELINE_LIMIT, checks: observed },
    defaultTarget: { limitUs: DEFAULT_PIPELINE_LIMIT_US, checks: defaults },
    results: rows,
  });
  console.log(`\nWrote ${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
