/** One replica count of the saga section. */
export interface SagaRow {
  readonly replicas: number;
  readonly sagas: number;
  readonly inFlight: number;
  readonly sagasPerSecond: number;
  readonly sagasPerSecondPerReplica: number;
  /** Throughput over replicas x the one-replica throughput. */
  readonly efficiency: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The goals, judged on the one-replica row: 1,000 sagas/s per orchestrating replica at a p99 of 150 ms or less. */
export const SAGA_TARGET = { sagasPerSecondPerReplica: 1000, p99Ms: 150 } as const;

export interface SagaTargetCheck {
  readonly sagasPerSecond: number;
  readonly sagasPerSecondMet: boolean;
  readonly p99Ms: number;
  readonly p99Met: boolean;
}

export function checkSagaTarget(oneReplica: SagaRow): SagaTargetCheck {
  return {
    sagasPerSecond: oneReplica.sagasPerSecond,
    sagasPerSecondMet: oneReplica.sagasPerSecond >= SAGA_TARGET.sagasPerSecondPerReplica,
    p99Ms: oneReplica.p99Ms,
    p99Met: oneReplica.p99Ms <= SAGA_TARGET.p99Ms,
  };
}

export function formatSagaTable(rows: readonly SagaRow[]): string {
  const header = ['replicas', 'sagas', 'in flight', 'sagas/s', 'sagas/s per replica', 'efficiency', 'p50 ms', 'p99 ms'];
  const body = rows.map((r) => [
    String(r.replicas),
    String(r.sagas),
    String(r.inFlight),
    r.sagasPerSecond.toFixed(0),
    r.sagasPerSecondPerReplica.toFixed(0),
    `${(r.efficiency * 100).toFixed(0)}%`,
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
