import type { ReportRow } from './report.js';

/** The goal the benchmark is meant to show: Catga's minimal pipeline costs at most 1.3x raw @nestjs/cqrs. */
export const MINIMAL_PIPELINE_LIMIT = 1.3;

export interface TargetCheck {
  readonly scenario: string;
  readonly mode: string;
  readonly ratio: number;
  readonly met: boolean;
}

export function checkMinimalTarget(rows: readonly ReportRow[]): TargetCheck[] {
  return rows
    .filter((r) => r.scenario.startsWith('catga-minimal'))
    .map((r) => ({ scenario: r.scenario, mode: r.mode, ratio: r.ratioToBaseline, met: r.ratioToBaseline <= MINIMAL_PIPELINE_LIMIT }));
}

/** Tracing and metrics on may cost at most 1.5x the minimal pipeline's time per op. */
export const OBSERVED_PIPELINE_LIMIT = 1.5;

export function checkObservedTarget(rows: readonly ReportRow[]): TargetCheck[] {
  return rows
    .filter((r) => r.scenario.startsWith('catga-observed'))
    .flatMap((r) => {
      const minimal = rows.find((m) => m.scenario === 'catga-minimal-send' && m.mode === r.mode);
      if (!minimal) return [];
      const ratio = r.usPerOp / minimal.usPerOp;
      return [{ scenario: r.scenario, mode: r.mode, ratio, met: ratio <= OBSERVED_PIPELINE_LIMIT }];
    });
}

/** The default pipeline's in-process send may cost at most 3 µs per op. */
export const DEFAULT_PIPELINE_LIMIT_US = 3;

export function checkDefaultTarget(rows: readonly ReportRow[]): TargetCheck[] {
  return rows
    .filter((r) => r.scenario.startsWith('catga-default'))
    .map((r) => ({ scenario: r.scenario, mode: r.mode, ratio: r.usPerOp, met: r.usPerOp <= DEFAULT_PIPELINE_LIMIT_US }));
}
