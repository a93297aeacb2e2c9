import type { MetricRow } from './section-metrics.js';

/** One scenario under each Node major. */
export interface ComparisonRow {
  readonly scenario: string;
  /** By major (as a string key, for JSON); null where that run has no such row or no finite value. */
  readonly values: Readonly<Record<string, number | null>>;
  /** By `<later>/<earliest>` ("24/20"): the later major's value over the earliest's; null where either is missing. */
  readonly ratios: Readonly<Record<string, number | null>>;
}

/** Rows of every run by scenario, in the order they first appear; `majors` ascending, `runs` by major (a failed run missing). */
export function compareRuns(majors: readonly number[], runs: ReadonlyMap<number, readonly MetricRow[]>): ComparisonRow[] {
  const scenarios = [...new Set([...runs.values()].flatMap((rows) => rows.map((r) => r.scenario)))];
  return scenarios.map((scenario) => {
    const value = (major: number) => {
      const v = runs.get(major)?.find((r) => r.scenario === scenario)?.value;
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    };
    const values = Object.fromEntries(majors.map((m) => [String(m), value(m)]));
    const first = majors[0]!;
    const ratios = Object.fromEntries(
      majors.slice(1).map((m) => {
        const later = value(m);
        const earliest = value(first);
        return [ratioKey(m, first), later !== null && earliest !== null && earliest !== 0 ? later / earliest : null];
      }),
    );
    return { scenario, values, ratios };
  });
}

export function ratioKey(later: number, earliest: number): string {
  return `${later}/${earliest}`;
}

/** Scenario, then each major's value, then each later major over the earliest. */
export function formatComparison(rows: readonly ComparisonRow[], majors: readonly number[], unit: string): string {
  const first = majors[0]!;
  const later = majors.slice(1);
  const header = ['Scenario', ...majors.map((m) => `Node ${m} ${unit}`), ...later.map((m) => ratioKey(m, first))];
  const number = (v: number | null) => (v === null ? '-' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  const body = rows.map((r) => [
    r.scenario,
    ...majors.map((m) => number(r.values[String(m)] ?? null)),
    ...later.map((m) => {
      const ratio = r.ratios[ratioKey(m, first)] ?? null;
      return ratio === null ? '-' : `${ratio.toFixed(2)}x`;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // The scenario left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
