import type { DistributedResult } from './distributed-result.js';

export interface DistributedRow extends DistributedResult {
  /** Throughput over the baseline row's at the same in-flight level. */
  readonly ratioToBaseline: number;
}

export function buildDistributedRows(results: readonly DistributedResult[]): DistributedRow[] {
  return results.map((r) => {
    const base = results.find((b) => b.scenario === r.baseline && b.inFlight === r.inFlight);
    return { ...r, ratioToBaseline: base ? r.opsPerSec / base.opsPerSec : Number.NaN };
  });
}

export function formatDistributedTable(rows: readonly DistributedRow[]): string {
  const header = ['Scenario', 'In flight', 'ops/s', 'p50 ms', 'p99 ms', 'vs raw'];
  const body = rows.map((r) => [
    r.label,
    String(r.inFlight),
    Math.round(r.opsPerSec).toLocaleString('en-US'),
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    `${r.ratioToBaseline.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // The label left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function formatMs(ms: number | null): string {
  if (ms === null || Number.isNaN(ms)) return '-';
  return ms < 10 ? ms.toFixed(3) : ms.toFixed(1);
}
