/**
 * The q-quantile (0 ≤ q ≤ 1) of an ascending sample by linear interpolation
 * between order statistics at position q·(n − 1) — Hyndman & Fan's type 7,
 * the default of R's `quantile` and numpy's `quantile`.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level must be in [0, 1], got ${q}`);
  const position = q * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

export interface Interval {
  readonly median: number;
  readonly q05: number;
  readonly q95: number;
  /** How many values the interval was taken over (undefined values left out). */
  readonly n: number;
}

/** Median and [q5, q95] of the defined values (nulls, e.g. precision with no detection, are left out). */
export function interval(values: readonly (number | null)[]): Interval | null {
  const defined = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (defined.length === 0) return null;
  return {
    median: quantile(defined, 0.5),
    q05: quantile(defined, 0.05),
    q95: quantile(defined, 0.95),
    n: defined.length,
  };
}
