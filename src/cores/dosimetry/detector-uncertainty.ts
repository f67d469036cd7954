import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { Interval } from './dose-estimate.js';

/**
 * The detector's share of a dose's uncertainty, and its combination with the
 * statistical (Poisson counting + calibration curve) interval.
 *
 * The detector is one draw from a family of equally good detectors (seeded
 * sub-ensembles of the bundle's checkpoints). Each sub-ensemble k is
 * calibrated with its own curve and estimates the case's dose D_k; the spread
 * of D_k over k, τ, is the part of the error that depends on which detector
 * was drawn. By the law of total variance, Var(D̂ − D) = σ²_stat + τ² when the
 * detector effect is independent of the counting noise; for two independent
 * (approximately normal) components the half-widths at one level add in
 * quadrature, side by side, which keeps an asymmetric (Merkle) interval
 * asymmetric. See docs/dosimetry.md for why this is conservative and by how much.
 */
export interface DetectorSpread {
  /** Sub-ensembles whose dose could be estimated. */
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation τ of the sub-ensemble doses (n − 1); 0 with fewer than two. */
  readonly sd: number;
  readonly q05: number;
  readonly q95: number;
}

/** Mean, standard deviation and 5–95% range of the sub-ensemble doses. */
export function detectorSpread(doses: readonly number[]): DetectorSpread {
  const values = doses.filter(Number.isFinite).sort((a, b) => a - b);
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, sd: 0, q05: NaN, q95: NaN };
  const mean = values.reduce((sum, d) => sum + d, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (n - 1)) : 0;
  const at = (q: number): number => {
    const position = q * (n - 1);
    const below = Math.floor(position);
    const above = Math.min(below + 1, n - 1);
    return values[below]! + (position - below) * (values[above]! - values[below]!);
  };
  return { count: n, mean, sd, q05: at(0.05), q95: at(0.95) };
}

/**
 * Widens a statistical dose interval at level `conf` by a detector standard
 * deviation τ: each side's half-width h becomes √(h² + (z·τ)²), z the two-sided
 * normal quantile of `conf`; the lower bound stays ≥ 0.
 */
export function combineWithDetectorSpread(
  statistical: Interval,
  detectorSd: number,
  conf: number,
): Interval {
  if (!(detectorSd >= 0)) throw new RangeError(`detector sd must be ≥ 0, got ${detectorSd}`);
  if (!(conf > 0 && conf < 1)) throw new RangeError(`conf must be in (0, 1), got ${conf}`);
  const z = normalQuantile(conf + (1 - conf) / 2, 0, 1);
  const extra = (z * detectorSd) ** 2;
  const { estimate } = statistical;
  const below = Math.sqrt((estimate - statistical.lower) ** 2 + extra);
  const above = Math.sqrt((statistical.upper - estimate) ** 2 + extra);
  return {
    lower: Math.max(0, estimate - below),
    estimate,
    upper: estimate + above,
  };
}
