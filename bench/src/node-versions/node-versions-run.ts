import { readFile } from 'node:fs/promises';
import type { CliOptions, Section } from '../cli-options.js';
import type { MachineInfo } from '../machine.js';
import { RESULTS_DIR, resultsFileName, writeResultsFile } from '../results-file.js';
import { compareRuns, formatComparison, ratioKey, type ComparisonRow } from './node-comparison.js';
import { nodeBinary, type NodeBinary } from './node-binary.js';
import { nodeResultsTag, runSectionOnNode } from './run-on-node.js';
import { SECTION_METRICS, type MetricRow, type SectionMetric } from './section-metrics.js';

interface SectionRun {
  readonly major: number;
  readonly exitCode: number;
  /** The results file this run wrote, under bench-results/; null when it wrote none. */
  readonly file: string | null;
}

interface SectionComparison {
  readonly section: Section;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly runs: readonly SectionRun[];
  readonly rows: readonly ComparisonRow[];
}

/**
 * `--node=20,24`: each selected section under each Node major in turn (a child process
 * `index.js --only=<section>` with that Node, its results in `<file>.node<major>.json`), then a
 * table per section comparing them; writes bench-results/node-versions.json.
 */
export async function runOnNodeVersions(options: CliOptions, machine: MachineInfo): Promise<void> {
  const started = performance.now();
  const nodes: NodeBinary[] = [];
  for (const major of options.nodeMajors) nodes.push(await nodeBinary(major));
  const majors = nodes.map((n) => n.major);
  const versions = nodes.map((n) => `Node ${n.major}: ${n.version} (${n.path})`).join('; ');
  console.log(`Node versions side by side, each section under each in turn, each run a process of its own. ${versions}\n`);

  const comparisons: SectionComparison[] = [];
  for (const section of options.sections) {
    const metric = SECTION_METRICS[section];
    const runs: SectionRun[] = [];
    const rows = new Map<number, MetricRow[]>();
    for (const node of nodes) {
      console.log(`\n=== ${section} on Node ${node.version} ===\n`);
      const runStarted = Date.now();
      const exitCode = await runSectionOnNode(node, section, options.quick);
      const file = resultsFileName(metric.file, nodeResultsTag(node.major));
      const read = await readRows(file, metric, runStarted);
      if (read) rows.set(node.major, read);
      runs.push({ major: node.major, exitCode, file: read ? file : null });
    }
    comparisons.push({ section, unit: metric.unit, higherIsBetter: metric.higherIsBetter, runs, rows: compareRuns(majors, rows) });
  }

  const compared = nodes.map((n) => `Node ${n.major} = ${n.version}`).join(', ');
  console.log(`\nNode versions compared: ${compared}${options.quick ? ', --quick' : ''}`);
  const later = majors.slice(1).map((m) => ratioKey(m, majors[0]!));
  for (const c of comparisons) {
    const meaning = later.length
      ? `; ${later.join(', ')}: the later Node's over Node ${majors[0]}'s (${c.higherIsBetter ? 'above' : 'below'} 1: the later is faster)`
      : '';
    const files = c.runs.map((r) => r.file ?? `no results from Node ${r.major}`).join(', ');
    console.log(`\n${c.section}: ${c.unit}${meaning}; ${files}\n`);
    console.log(formatComparison(c.rows, majors, c.unit));
    for (const r of c.runs) {
      if (r.exitCode !== 0) console.log(`Node ${r.major}: ${c.section} exited with ${r.exitCode}${r.file ? '' : ' and wrote no results'}`);
    }
  }
  if (comparisons.some((c) => c.runs.some((r) => r.exitCode !== 0 || r.file === null))) process.exitCode = 1;

  const file = await writeResultsFile('node-versions.json', {
    generatedAt: new Date().toISOString(),
    quick: options.quick,
    machine,
    nodes,
    sections: comparisons,
  });
  console.log(`\nWrote ${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/** The rows of a results file written since `since` (epoch ms); undefined when there is none that new. */
async function readRows(file: string, metric: SectionMetric, since: number): Promise<MetricRow[] | undefined> {
  let results: unknown;
  try {
    results = JSON.parse(await readFile(`${RESULTS_DIR}${file}`, 'utf8'));
  } catch {
    return undefined;
  }
  const generatedAt = Date.parse((results as { generatedAt?: string }).generatedAt ?? '');
  return generatedAt >= since ? metric.rows(results) : undefined;
}
