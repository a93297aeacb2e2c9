import { percentile, sortedDurations } from '../distributed/percentile.js';
import type { Fault } from './failover-faults.js';
import type { FailoverMode } from './failover-modes.js';
import type { RepetitionResult } from './failover-repetition.js';

/** One fault in one mode over its repetitions. */
export interface FailoverRow {
  readonly fault: Fault['id'];
  readonly faultLabel: string;
  readonly mode: FailoverMode['id'];
  readonly modeLabel: string;
  readonly repetitions: number;
  /** Over the repetitions' recovery times; a repetition that did not recover counts as infinite. */
  readonly recoveryP50Ms: number;
  readonly recoveryP99Ms: number;
  readonly recoveryMaxMs: number;
  /** Send to answer over the commands of every repetition sent in `CLIENT_WINDOW` around its fault. */
  readonly clientP99Ms: number;
  /** The same over every command of every repetition (each mode's load runs as long as its recovery takes). */
  readonly clientP99AllMs: number;
  readonly commands: number;
  readonly failedRepetitions: number;
  readonly runs: readonly Omit<RepetitionResult, 'latenciesMs' | 'allLatenciesMs'>[];
}

export function summarize(fault: Fault, mode: FailoverMode, runs: readonly RepetitionResult[]): FailoverRow {
  const recoveries = sortedDurations(runs.map((r) => r.recoveryMs ?? Number.POSITIVE_INFINITY));
  const latencies = sortedDurations(runs.flatMap((r) => r.latenciesMs));
  const all = sortedDurations(runs.flatMap((r) => r.allLatenciesMs));
  return {
    fault: fault.id,
    faultLabel: fault.label,
    mode: mode.id,
    modeLabel: mode.label,
    repetitions: runs.length,
    recoveryP50Ms: percentile(recoveries, 0.5),
    recoveryP99Ms: percentile(recoveries, 0.99),
    recoveryMaxMs: recoveries[recoveries.length - 1] ?? Number.NaN,
    clientP99Ms: percentile(latencies, 0.99),
    clientP99AllMs: percentile(all, 0.99),
    commands: all.length,
    failedRepetitions: runs.filter((r) => !r.ok).length,
    runs: runs.map(({ latenciesMs: _w, allLatenciesMs: _a, ...rest }) => rest),
  };
}

const ms = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'none');
const ratio = (timeouts: number, fast: number) => (Number.isFinite(timeouts) && fast > 0 ? `${(timeouts / fast).toFixed(1)}x` : 'n/a');

/** The results as a Markdown table: per fault, the fast path, timeouts only, and their ratio. */
export function failoverTable(rows: readonly FailoverRow[]): string {
  const lines = [
    '| fault | mode | reps | recovery p50 ms | recovery p99 ms | recovery max ms | client p99 ms | exactly-once |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const faults = [...new Set(rows.map((r) => r.fault))];
  for (const fault of faults) {
    const fast = rows.find((r) => r.fault === fault && r.mode === 'fast');
    const timeouts = rows.find((r) => r.fault === fault && r.mode === 'timeouts');
    for (const r of [fast, timeouts]) {
      if (!r) continue;
      const once =
        r.failedRepetitions === 0
          ? `held in ${r.repetitions} of ${r.repetitions}`
          : `**FAILED in ${r.failedRepetitions} of ${r.repetitions}**`;
      lines.push(
        `| ${r.faultLabel} | ${r.modeLabel} | ${r.repetitions} | ${ms(r.recoveryP50Ms)} | ${ms(r.recoveryP99Ms)} | ${ms(r.recoveryMaxMs)} | ` +
          `${ms(r.clientP99Ms)} | ${once} |`,
      );
    }
    if (fast && timeouts) {
      lines.push(
        `| ${fast.faultLabel} | timeouts ÷ fast | | ${ratio(timeouts.recoveryP50Ms, fast.recoveryP50Ms)} | ` +
          `${ratio(timeouts.recoveryP99Ms, fast.recoveryP99Ms)} | ${ratio(timeouts.recoveryMaxMs, fast.recoveryMaxMs)} | ` +
          `${ratio(timeouts.clientP99Ms, fast.clientP99Ms)} | |`,
      );
    }
  }
  return lines.join('\n');
}

/** One line per failed repetition, saying what failed. */
export function failureLines(rows: readonly FailoverRow[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    row.runs.forEach((run, i) => {
      if (run.ok) return;
      const what = [
        run.errors > 0 ? `${run.errors} callers got an error (${run.errorSamples.join('; ')})` : '',
        run.notOnce > 0 ? `${run.notOnce} commands not applied exactly once (${run.notOnceSamples.join('; ')})` : '',
        ...run.problems,
      ].filter(Boolean);
      lines.push(`FAILED: ${row.faultLabel}, ${row.modeLabel}, repetition ${i + 1} (${run.prefix}): ${what.join('; ')}`);
    });
  }
  return lines;
}
