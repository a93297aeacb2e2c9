import type { CpuBudget, DistributedResult } from './distributed-result.js';

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
  return alignedTable(header, body);
}

/** CPU per message nats-server received, by process, for each scenario at its highest in-flight level. */
export function formatCpuBudgets(budgets: readonly CpuBudget[]): string {
  const highest = budgets.filter((b) => !budgets.some((o) => o.scenario === b.scenario && o.inFlight > b.inFlight));
  const header = ['CPU µs per message nats-server received', 'In flight', 'messages', 'client', 'server', 'nats-server', 'total'];
  const body = highest.map((b) => [
    b.scenario,
    String(b.inFlight),
    b.natsMessagesIn.toLocaleString('en-US'),
    b.clientUsPerMessage.toFixed(1),
    b.serverUsPerMessage.toFixed(1),
    b.natsServerUsPerMessage.toFixed(1),
    (b.clientUsPerMessage + b.serverUsPerMessage + b.natsServerUsPerMessage).toFixed(1),
  ]);
  return [
    alignedTable(header, body),
    'Over each client run (warm-up and rounds): the client from its own process.cpuUsage() from the start of its scenario (its boot ' +
      'included), the server (request server or event subscriber) and nats-server from /proc/<pid>/stat at 10 ms ticks; messages = ' +
      "nats-server's in_msgs (requests and replies; for events the publishes, acks and pulls).",
  ].join('\n');
}

function alignedTable(header: readonly string[], body: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // The label left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function formatMs(ms: number | null): string {
  if (ms === null || Number.isNaN(ms)) return '-';
  return ms < 10 ? ms.toFixed(3) : ms.toFixed(1);
}
