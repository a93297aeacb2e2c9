/** Nearest-rank percentile (`q` in 0..1) of values sorted ascending; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Sorts durations into a typed array, which sorts numerically and without boxing. */
export function sortedDurations(durations: readonly number[]): Float64Array {
  return Float64Array.from(durations).sort();
}
