import type { Round } from './measure.js';
import type { Mode } from './mode.js';
import type { WorkerResult } from './worker-result.js';

export interface ReportRow {
  readonly scenario: string;
  readonly label: string;
  readonly mode: Mode;
  readonly opsPerSec: number;
  readonly usPerOp: number;
  /** Time per op over the baseline's time per op in the same mode. */
  readonly ratioToBaseline: number;
  /** (fastest - slowest round) / median, in percent: how much to trust the digits. */
  readonly spreadPct: number;
  readonly opsPerRound: number;
  readonly rounds: readonly Round[];
  readonly bootMs: number;
  readonly heapUsedMb: number;
}

export interface LabelledResult {
  readonly label: string;
  readonly result: WorkerResult;
}

export function buildRows(results: readonly LabelledResult[], baseline: string): ReportRow[] {
  return results.map(({ label, result }) => {
    const m = result.measurement;
    const base = results.find((r) => r.result.scenario === baseline && r.result.measurement.mode === m.mode);
    const rates = m.rounds.map((r) => r.opsPerSec);
    return {
      scenario: result.scenario,
      label,
      mode: m.mode,
      opsPerSec: m.opsPerSec,
      usPerOp: m.usPerOp,
      ratioToBaseline: base ? m.usPerOp / base.result.measurement.usPerOp : Number.NaN,
      spreadPct: ((Math.max(...rates) - Math.min(...rates)) / m.opsPerSec) * 100,
      opsPerRound: m.opsPerRound,
      rounds: m.rounds,
      bootMs: result.bootMs,
      heapUsedMb: result.heapUsedMb,
    };
  });
}

export function formatTable(rows: readonly ReportRow[]): string {
  const header = ['Scenario', 'Mode', 'ops/s', 'µs/op', 'vs raw cqrs', 'spread'];
  const body = rows.map((r) => [
    r.label,
    r.mode === 'concurrent' ? 'concurrent (100)' : r.mode,
    Math.round(r.opsPerSec).toLocaleString('en-US'),
    r.usPerOp.toFixed(2),
    `${r.ratioToBaseline.toFixed(2)}x`,
    `±${(r.spreadPct / 2).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
